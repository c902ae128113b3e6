"""Run, resume and inspect a study's graph, locally or on Slurm. The story of :func:`run_study`:

1. check what can be checked before anything is written: the executor and profile (with ``--nprocs``,
   ``--mem-mb``, ``--workdir`` over its molcas section), the oxidation states asked for, the supplied
   structure, the basis sets; then take the study's lock (a second run/resume of the same study is refused);
2. read every node's state (workflow/status.py); refuse if anything is still pending or running;
3. plan (workflow/plan.py): the nodes asked for and what they need that is not completed, each with its
   attempt number and time limit, and how it restarts (VASP: CONTCAR as POSCAR; OpenMolcas: last RasOrb);
4. unless dry: cancel jobs whose dependency can never be met, keep earlier attempts (results in history/,
   outputs of forced nodes in attempt-<n>/), prepare restarts and missing VASP inputs (a missing POTCAR stops
   everything before anything is submitted), place the supplied structure;
5. write the study snapshot and the node scripts; then submit them to Slurm (workflow/submit.py, return at
   once) or run them here to the end (workflow/local_run.py).

Completed nodes are never redone unless ``force``. :func:`resume_study` is the same with the executor, profile
and overrides the study last ran with, and only when something failed.
"""

import shlex
import shutil
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

from adatom_wf import layout
from adatom_wf.errors import OutputConflictError, ProgramNotFound, SchedulerError, SpecError
from adatom_wf.execution.profiles import LOCAL_DEFAULT, Profile, load_profile
from adatom_wf.execution.scripts import NodeContext, node_script
from adatom_wf.manifest import atomic_write, sha256_file
from adatom_wf.preflight import check_labels, check_run
from adatom_wf.workflow import ledger
from adatom_wf.workflow.graph import carve_name, study_graph
from adatom_wf.workflow.plan import Planned, estimated_seconds, molcas_mem_of, plan_node, select
from adatom_wf.workflow.status import ACTIVE, DONE, FAILED_STATES, NOT_SUBMITTED, gather

MOLCAS_OVERRIDES = ("nprocs", "mem_mb", "workdir")  # run/resume options over the profile's molcas section


@dataclass
class RunReport:
    study: str
    root: str
    executor: str
    profile: str | None
    dry_run: bool
    planned: list[Planned] = field(default_factory=list)
    completed: list[str] = field(default_factory=list)
    batches: list[dict] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    prepared: dict = field(default_factory=dict)
    outcome: dict = field(default_factory=dict)
    scheduler_calls: dict = field(default_factory=dict)
    submit_seconds: float = 0.0
    message: str = ""
    molcas: dict = field(default_factory=dict)  # the OpenMolcas settings of the run (profile and overrides)
    state_results: dict = field(default_factory=dict)  # label -> the molcas node's result (status, failure, details)
    state_plans: dict = field(default_factory=dict)  # label -> {cost, molcas_mem_mb} of its planned node
    expected_seconds: dict = field(default_factory=dict)  # node -> the cost model's wall time (OpenMolcas nodes)
    warnings: list = field(default_factory=list)  # what a dry run found that a real run would refuse

    # ``run --json``'s keys for the fields whose names say more here (the JSON keys are a contract)
    JSON_KEYS = {"state_results": "states", "state_plans": "oxidation_states"}

    def as_json(self) -> dict:
        """What ``run --json`` and ``resume --json`` print."""
        return {self.JSON_KEYS.get(key, key): value for key, value in asdict(self).items()}


def run_study(study, runs_dir, *, executor: str = "local", profile: str | None = None, profiles_file=None,
              dry_run: bool = False, max_parallel: int | None = None, potcar_dir=None, client=None,
              resume: bool = False, states=(), structure=None, force: bool = False,
              molcas: dict | None = None, max_hours: float | None = None) -> RunReport:
    """Submit (Slurm: return at once) or run (local: to the end) the nodes of ``study`` asked for.

    ``states`` (oxidation-state labels) and ``structure`` (a supercell file for the carve node) select nodes;
    without them the whole graph is asked for. ``molcas`` overrides the profile's nprocs, mem_mb, workdir;
    ``max_hours`` (local executor) bounds each OpenMolcas state's estimate.
    """
    if executor not in ("local", "slurm"):
        raise SpecError(f"executor {executor!r} is not one of local, slurm")
    root = layout.study_dir(Path(runs_dir).resolve(), study)
    labels = check_labels(study, states)
    supplied = _supplied(structure)
    settings = _with_overrides(_profile(executor, profile, profiles_file), molcas or {})
    graph = graph_at(study, root, supplying=supplied is not None)
    if executor == "slurm" and not dry_run and client is None:
        from adatom_wf.execution.slurm_client import SlurmClient

        if not SlurmClient.available():
            raise ProgramNotFound("sbatch not found: this machine has no Slurm; use --executor local "
                                  "(or submit from your cluster's login node)")
        client = SlurmClient()
    report = RunReport(study.name, str(root), executor, profile, dry_run,
                       molcas={key: getattr(settings.molcas, key) for key in MOLCAS_OVERRIDES})
    carve = carve_name(study.cluster.site, study.cluster.rings)
    completed = {node.name: DONE if _completed(root, node.name) else NOT_SUBMITTED for node in graph}
    asked = select(graph, completed, labels=labels, carve=carve if supplied else None, force=force)
    report.warnings, report.state_plans = check_run(study, root, [graph[name] for name in asked], settings, executor,
                                                    profile, structure=supplied, force=force, dry_run=dry_run,
                                                    max_hours=max_hours)
    report.expected_seconds = estimated_seconds(study, graph, asked, report.state_plans)
    with ledger.study_lock(root, study.name):
        _check_same_study(root, study)
        statuses = {s.node: s for s in gather(graph, root, client, holding_lock=True)}
        active = [s for s in statuses.values() if s.state in ACTIVE]
        if active:
            listed = ", ".join(f"{s.node} {s.state}" + (f" (job {s.job_id})" if s.job_id else "") for s in active[:4])
            raise SchedulerError(f"study {study.name} is already running: {len(active)} node(s) pending or running "
                                 f"({listed}{', …' if len(active) > 4 else ''}); see `adatom-wf status`")
        state_of = {name: s.state for name, s in statuses.items()}
        report.completed = [name for name, state in state_of.items() if state == DONE]
        if resume and not any(state in FAILED_STATES for state in state_of.values()):
            undone = [name for name, state in state_of.items() if state != DONE]
            report.message = ("nothing to resume: every node is completed" if not undone else
                              f"nothing to resume: {len(undone)} node(s) were never submitted; use `adatom-wf run`")
            return report
        if supplied is not None:
            _check_supplied(study, root, graph[carve], supplied, state_of[carve], force)
        todo = select(graph, state_of, labels=labels, carve=carve if supplied else None, force=force)
        if not todo:
            report.message = ("every node asked for is completed; nothing to do (--force redoes them)"
                              if labels or supplied else "every node is completed; nothing to do")
            return report
        jobs = ledger.read_jobs(root)
        report.planned = [plan_node(graph[name], state_of[name], statuses[name].reason, jobs["nodes"].get(name),
                                    settings, executor, statuses[name].memory) for name in todo]
        if not dry_run:
            report.cancelled = _cancel_stale(statuses, todo, client)
            _prepare(study, root, graph, report, jobs, potcar_dir)
            if supplied is not None:
                _place_supplied(root, graph[carve], supplied)
        jobs["molcas"] = report.molcas
        ledger.write_snapshot(root, study, graph)
        context = _contexts(study, root, graph, report.planned, settings, report.state_plans)
        for planned in report.planned:
            atomic_write(layout.script_path(root, planned.name), node_script(context[planned.name], settings).encode())
        if executor == "slurm":
            from adatom_wf.workflow.submit import submit_slurm

            submit_slurm(study, root, graph, report, settings, jobs, client, profile)
        else:
            from adatom_wf.workflow.local_run import run_locally

            run_locally(study, root, graph, report, settings, jobs, max_parallel, profile)
            report.state_results = _state_results(root, graph, labels)
    return report


def resume_study(study, runs_dir, *, executor: str | None = None, profile: str | None = None,
                 molcas: dict | None = None, **options) -> RunReport:
    """Resubmit failed nodes and their descendants (the executor, profile and overrides of the last run)."""
    root = layout.study_dir(Path(runs_dir).resolve(), study)
    jobs = ledger.read_jobs(root)
    if not jobs["nodes"]:
        raise SchedulerError(f"nothing to resume: study {study.name} has not been run under {root}; "
                             "use `adatom-wf run`")
    executor = executor or jobs.get("executor", "local")
    profile = profile if profile is not None else jobs.get("profile")
    recorded = {key: value for key, value in (jobs.get("molcas") or {}).items() if key in MOLCAS_OVERRIDES}
    given = {key: value for key, value in (molcas or {}).items() if value is not None}
    return run_study(study, runs_dir, executor=executor, profile=profile, resume=True,
                     molcas={**recorded, **given}, **options)


def study_status(study, runs_dir, client=None):
    root = layout.study_dir(Path(runs_dir).resolve(), study)
    return gather(graph_at(study, root), root, client)


def graph_at(study, root: Path, supplying: bool = False):
    """The study's graph as run under ``root``: its carve node needs no relax node once a structure was supplied."""
    supplied = layout.supplied_structure(root, study.cluster.site, study.cluster.rings) is not None
    return study_graph(study, carve_supplied=supplying or supplied)


# --- checks before the lock -------------------------------------------------------------------------------------

def _profile(executor: str, name: str | None, profiles_file) -> Profile:
    if name is not None:
        return load_profile(name, profiles_file)
    if executor == "slurm":
        raise SpecError("--executor slurm needs --profile NAME (cluster profiles: docs/execution.md)")
    return LOCAL_DEFAULT


def _with_overrides(profile: Profile, molcas: dict) -> Profile:
    """The profile with ``--nprocs``, ``--mem-mb``, ``--workdir`` over its molcas section (None: the profile's)."""
    given = {key: value for key, value in molcas.items() if value is not None}
    unknown = sorted(set(given) - set(MOLCAS_OVERRIDES))
    if unknown:
        raise SpecError(f"unknown OpenMolcas override(s) {', '.join(unknown)}; allowed: {', '.join(MOLCAS_OVERRIDES)}")
    if "workdir" in given:
        given["workdir"] = str(Path(given["workdir"]).expanduser().resolve())
    return profile.model_copy(update={"molcas": profile.molcas.model_copy(update=given)}) if given else profile


def _supplied(structure) -> Path | None:
    """The ``--structure`` file, read once now so that a bad file stops the run before anything is written."""
    if structure is None:
        return None
    from adatom_wf.structure.io import read_structure

    path = Path(structure).expanduser().resolve()
    read_structure(path)
    return path


def _completed(root: Path, name: str) -> bool:
    result = ledger.read_result(root, name)
    return result is not None and result.get("state") == ledger.OK


def _check_same_study(root: Path, study) -> None:
    recorded = ledger.recorded_study_sha256(root)
    if recorded is None or recorded == study.sha256():
        return
    folder = layout.workflow_dir(root) / "results"
    if folder.is_dir() and any(folder.glob("*.json")):
        raise SpecError(
            f"study {study.name} changed since it was run under {root} (the run's version is "
            f"{layout.study_snapshot_path(root)}); completed nodes are never redone: give the changed study a new "
            "name, or move that folder away"
        )


def _check_supplied(study, root: Path, node, supplied: Path, state: str, force: bool) -> None:
    """A completed carve node is carved again from another structure only with ``force``."""
    if state != DONE or force:
        return
    current = layout.supplied_structure(root, study.cluster.site, study.cluster.rings)
    if current is not None and sha256_file(current) == sha256_file(supplied):
        return
    source = f"{current.name} (supplied earlier)" if current else "the study's own cell"
    raise OutputConflictError(f"{node.name} is completed, carved from {source}; pass --force to carve again from "
                              f"{supplied} (the earlier cluster is kept in attempt-<n>/)")


def _place_supplied(root: Path, node, supplied: Path) -> None:
    folder = root / node.directory / layout.SUPPLIED
    if folder.is_dir():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    shutil.copyfile(supplied, folder / supplied.name)


def _cancel_stale(statuses, todo, client) -> list[str]:
    from adatom_wf.execution import slurm

    stale = [statuses[name].job_id for name in todo
             if statuses[name].state == slurm.DEPENDENCY_NEVER_SATISFIED and statuses[name].executor == "slurm"]
    if stale and client is not None:
        client.cancel(stale)
    return stale


def _prepare(study, root: Path, graph, report: RunReport, jobs: dict, potcar_dir) -> None:
    """Keep earlier attempts, prepare restarts and the missing VASP inputs (may refuse: nothing submitted yet)."""
    from adatom_wf.workflow import actions

    relax = [p for p in report.planned if p.stage == "relax"]
    if relax:
        library = None
        if study.dft.program == "vasp":  # GPAW needs no POTCAR (and no pymatgen here)
            from adatom_wf.vasp.inputs import potcar_library

            library = potcar_library(str(potcar_dir) if potcar_dir else None)
        for planned in relax:
            written = actions.prepare_relax(study, root, graph[planned.name], library)
            if written:
                report.prepared[planned.name] = written
    for planned in report.planned:
        job = jobs["nodes"].get(planned.name)
        node = graph[planned.name]
        if planned.previous == DONE:  # --force: a new attempt of a completed node
            ledger.archive_result(root, planned.name, job.get("attempt", 1) if job else 1, job)
            planned.restart = actions.start_over(root, node)
        elif job is not None:
            ledger.archive_result(root, planned.name, job.get("attempt", 1), job)
            if node.stage == "relax":
                planned.restart = actions.restart_relax(root, node, job.get("attempt", 1))
            elif node.stage in ("orbitals", "molcas"):
                planned.restart = actions.restart_molcas(root, node, job.get("attempt", 1))


def _contexts(study, root: Path, graph, planned: list[Planned], profile: Profile,
              costs: dict) -> dict[str, NodeContext]:
    command = tuple(_adatom_wf_command(profile))
    gpaw = tuple(shlex.split(profile.gpaw.command) if profile.gpaw.command else [sys.executable])
    return {p.name: NodeContext(
        study=study.name, node=p.name, stage=p.stage, directory=str(root / graph[p.name].directory),
        study_file=str(layout.study_snapshot_path(root)), runs_dir=str(root.parent),
        result_file=str(layout.result_path(root, p.name)), attempt=p.attempt, adatom_wf=command,
        molcas_mem_mb=molcas_mem_of(graph[p.name], costs),
        gpaw_command=gpaw if graph[p.name].program == "gpaw" else (),
    ) for p in planned}


def _adatom_wf_command(profile: Profile) -> list[str]:
    if profile.adatom_wf:
        return shlex.split(profile.adatom_wf)
    script = Path(sys.executable).parent / "adatom-wf"
    if script.is_file():
        return [str(script)]
    found = shutil.which("adatom-wf")
    if found:
        return [found]
    return [sys.executable, "-c", "import sys; from adatom_wf.cli import main; sys.argv[0] = 'adatom-wf'; main()"]


def _state_results(root: Path, graph, labels: list[str]) -> dict:
    """label -> what the molcas node recorded (status ok|failed, failure, details) for the states asked for."""
    found = {}
    for node in graph:
        if node.stage != "molcas" or (labels and node.oxidation_state not in labels):
            continue
        result = ledger.read_result(root, node.name)
        if result is not None:
            found[node.oxidation_state] = {"status": result["state"], "failure": result.get("reason") or None,
                                           "directory": str(root / node.directory), **result.get("details", {})}
    return found
