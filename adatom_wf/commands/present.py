"""Text for the graph verbs (run, resume, status): a run report and node states as lines for a terminal."""

from adatom_wf.workflow.graph import molcas_name
from adatom_wf.workflow.status import NOT_SUBMITTED


def report_lines(report) -> list[str]:
    """What a run or resume did: the plan, the batches submitted (Slurm) or the outcome (local)."""
    lines = []
    verb = {"slurm": "submit", "local": "run"}[report.executor]
    head = f"study {report.study} ({report.root}), executor {report.executor}"
    if report.profile:
        head += f", profile {report.profile}"
    lines.append(head + (" — dry run: scripts written, nothing submitted" if report.dry_run else ""))
    lines += [f"  warning: {warning}" for warning in report.warnings]
    if report.completed:
        lines.append(f"  completed, not redone: {', '.join(report.completed)}")
    if report.message:
        lines.append(f"  {report.message}")
        return lines
    if report.cancelled:
        lines.append(f"  cancelled jobs that could never start: {', '.join(report.cancelled)}")
    for name, written in report.prepared.items():
        lines.append(f"  {name}: wrote inputs {' '.join(written)}")
    planned = {p.name for p in report.planned}
    planned_states = [label for label in report.state_plans if molcas_name(label) in planned]
    if planned_states:
        molcas = report.molcas
        memory = f"MOLCAS_MEM={molcas['mem_mb']} MB" if molcas["mem_mb"] else "MOLCAS_MEM from each state's estimate"
        lines.append(f"  OpenMolcas: MOLCAS_NPROCS={molcas['nprocs']}, {memory}, scratch "
                     f"{molcas['workdir'] + '/<study>/<node>' if molcas['workdir'] else '<node directory>/scratch'}")
        for label in planned_states:
            plan = report.state_plans[label]
            lines.append(f"    {cost_line(label, plan['cost'])} -> MOLCAS_MEM {plan['molcas_mem_mb']} MB")
    for p in report.planned:
        extra = [f"attempt {p.attempt}"]
        if p.time:
            extra.append(f"time {p.time}")
        if p.memory:
            extra.append(f"memory {p.memory}")
        if p.previous != NOT_SUBMITTED:
            extra.append(f"was {p.previous}")
        if p.restart:
            extra.append(p.restart)
        if p.name in report.expected_seconds:
            extra.append(f"~{duration(report.expected_seconds[p.name])} on one core")
        lines.append(f"  {'would ' + verb if report.dry_run else verb} {p.name} ({'; '.join(extra)})")
    if report.executor == "slurm":
        for batch in report.batches:
            after = f" after {':'.join(batch['dependency'])}" if batch["dependency"] else ""
            kind = f"array of {len(batch['nodes'])}" if len(batch["nodes"]) > 1 else "job"
            lines.append(f"  {batch['stage']}: {kind} {batch.get('job_id', '?')}{after}  [{batch['script']}]")
        if not report.dry_run:
            calls = report.scheduler_calls.get("sbatch", 0)
            lines.append(f"  {calls} sbatch call(s) in {report.submit_seconds:.2f} s; "
                         f"follow with `adatom-wf status`")
    elif report.outcome:
        counts = {state: sum(1 for v in report.outcome.values() if v == state) for state in ("ok", "failed", "skipped")}
        lines.append(f"  finished in {report.submit_seconds:.1f} s: {counts['ok']} ok, {counts['failed']} failed, "
                     f"{counts['skipped']} skipped")
        lines += [f"  {state_line(label, result)}" for label, result in report.state_results.items()]
    return lines


def cost_line(label: str, cost: dict) -> str:
    """One state's estimate (adatom_wf.molcas.cost): basis, orbitals, CSFs, SO states, integrals, memory, scratch,
    wall time."""
    csfs = "/".join(f"{n}" for n in cost["csfs"].values())
    return (f"{label}: {cost['basis_functions']} basis functions ({cost['inactive']} inactive, "
            f"{cost['active']} active, {cost['secondary']} secondary), CSFs {csfs} (2S+1 = {'/'.join(cost['csfs'])}), "
            f"{cost['so_states']} SO states; "
            f"{cost['integrals']} integrals ~{_gb(cost['integrals_gb'])}, memory ~{cost['memory_mb']} MB, "
            f"scratch ~{_gb(cost['scratch_gb'])}, ~{duration(cost['seconds']['total'])} on one core"
            f"{_extrapolated(cost)}{_start(cost)}")


def _extrapolated(cost: dict) -> str:
    """A time beyond the basis sizes the time model was calibrated on, for the cost line."""
    if not cost.get("time_extrapolated"):
        return ""
    from adatom_wf.molcas.cost import time_constants  # only then: status and progress need not load yaml

    return (f" (extrapolated: the time model is calibrated up to {time_constants()['calibrated_basis_functions']} "
            "basis functions, docs/benchmarks.md)")


def _start(cost: dict) -> str:
    """A projected start's pre-run, for the cost line."""
    if cost.get("start") != "projected":
        return ""
    return (f"; starts projected: pre-run ~{duration(cost['prerun_seconds'])} after its integrals "
            f"~{duration(cost['prerun_integrals_seconds'])} (shared)")


def duration(seconds: float) -> str:
    """A cost-model time for people: ``40 s``, ``3.5 min``, ``2.1 h``."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.1f} min" if seconds < 5400 else f"{seconds / 3600:.1f} h"


def _gb(value: float) -> str:
    return f"{value:.3g} GB" if value >= 0.1 else f"{1000 * value:.3g} MB"


def state_line(label: str, result: dict) -> str:
    """One oxidation state's OpenMolcas outcome: wall times and the weakest character of each active orbital."""
    if result["status"] != "ok":
        return f"{label}: FAILED ({result['directory']}/status.json): {result['failure']}"
    wall = result.get("wall_seconds", {})
    lowest = ", ".join(f"{name} >= {100 * value:.1f}%" for name, value in result.get("lowest_character", {}).items())
    timing = (f"{wall.get('total', 0):.0f} s (shared integrals copied in {wall.get('integrals', 0):.0f} s, "
              f"CASSCF/RASSI/SINGLE_ANISO {wall.get('casscf', 0):.0f} s)")
    done = "already finished, " if result.get("skipped") else ""
    return f"{label}: ok, {done}{timing}; active orbitals {lowest}  [{result['directory']}]"


def status_lines(statuses) -> list[str]:
    width = max((len(s.node) for s in statuses), default=4)
    lines = []
    for s in statuses:
        job = s.job_id or ("local" if s.executor == "local" else "-")
        text = f"{s.node:<{width}}  {s.state:<26}  {job:<12}"
        if s.attempt > 1:
            text += f"  attempt {s.attempt}"
        if s.reason:
            text += f"  {s.reason}"
        lines.append(text.rstrip())
    return lines
