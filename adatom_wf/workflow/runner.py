"""Run, resume and inspect a study's graph, locally or on Slurm. The story of :func:`run_study`:

1. build the graph and take the study's lock (a second run/resume of the same study is refused);
2. read every node's state (workflow/status.py); refuse if anything is still pending or running;
3. plan: every node not completed, with its attempt number, time limit (doubled after a TIMEOUT, up to
   the profile's max_time) and how it restarts (VASP: CONTCAR as POSCAR; OpenMolcas: last JobIph/RasOrb);
4. unless dry: cancel jobs whose dependency can never be met, keep earlier attempts in history/, prepare
   restarts and missing VASP inputs (a missing POTCAR stops everything before anything is submitted);
5. write the study snapshot and the node scripts; then
   - Slurm: one sbatch per stage and dependency set (a job array, chunked to MaxArraySize), with
     ``--dependency=afterok:`` on the jobs just submitted; job ids recorded in workflow/jobs.json;
   - local: run the node scripts in topological order, ``max_parallel`` at once, until the end.

Completed nodes are never redone. :func:`resume_study` is the same with the executor and profile the
study last ran with, and only when something failed.
"""

import os
import shlex
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from adatom_wf.errors import SchedulerError, SpecError
from adatom_wf.execution import slurm
from adatom_wf.execution.profiles import LOCAL_DEFAULT, Profile, load_profile, slurm_time, slurm_time_seconds
from adatom_wf.execution.scripts import BatchJob, NodeContext, batch_script, node_script
from adatom_wf.manifest import atomic_write, study_dir
from adatom_wf.workflow import state as files
from adatom_wf.workflow.graph import STAGES, study_graph
from adatom_wf.workflow.status import ACTIVE, DONE, FAILED_STATES, NOT_SUBMITTED, SKIPPED, gather

DEFAULT_MAX_ARRAY_SIZE = 1001  # Slurm's default MaxArraySize


@dataclass
class Planned:
    name: str
    stage: str
    attempt: int
    time: str | None
    previous: str  # the node's state before this submission
    restart: str = ""  # how it continues from an earlier attempt


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


def run_study(study, runs_dir, *, executor: str = "local", profile: str | None = None, profiles_file=None,
              dry_run: bool = False, max_parallel: int | None = None, potcar_dir=None, client=None,
              resume: bool = False) -> RunReport:
    """Submit (Slurm: return at once) or run (local: to the end) every node of ``study`` not yet completed."""
    if executor not in ("local", "slurm"):
        raise SpecError(f"executor {executor!r} is not one of local, slurm")
    graph = study_graph(study)
    root = study_dir(Path(runs_dir).resolve(), study)
    settings = _profile(executor, profile, profiles_file)
    relax = [node.name for node in graph if node.stage == "relax"]
    if relax and settings.vasp is None:
        where = f"profile {profile!r}" if profile else "the local executor without --profile"
        raise SpecError(f"study {study.name} runs VASP ({', '.join(relax)}) but {where} has no vasp.command; "
                        "add a profile with vasp: {command: ...}")
    if executor == "slurm" and not dry_run and client is None:
        from adatom_wf.execution.slurm_client import SlurmClient

        if not SlurmClient.available():
            raise SchedulerError("sbatch not found: this machine has no Slurm; use --executor local "
                                 "(or submit from your cluster's login node)")
        client = SlurmClient()
    report = RunReport(study.name, str(root), executor, profile, dry_run)
    with files.study_lock(root, study.name):
        _check_same_study(root, study)
        statuses = {s.node: s for s in gather(graph, root, client)}
        active = [s for s in statuses.values() if s.state in ACTIVE]
        if active:
            listed = ", ".join(f"{s.node} {s.state}" + (f" (job {s.job_id})" if s.job_id else "") for s in active[:4])
            raise SchedulerError(f"study {study.name} is already running: {len(active)} node(s) pending or running "
                                 f"({listed}{', …' if len(active) > 4 else ''}); see `adatom-wf status`")
        report.completed = [name for name, s in statuses.items() if s.state == DONE]
        todo = [node for node in graph if statuses[node.name].state != DONE]
        if resume and not any(statuses[n.name].state in FAILED_STATES for n in todo):
            report.message = ("nothing to resume: every node is completed" if not todo else
                              f"nothing to resume: {len(todo)} node(s) were never submitted; use `adatom-wf run`")
            return report
        if not todo:
            report.message = "every node is completed; nothing to do"
            return report
        jobs = files.read_jobs(root)
        report.planned = [_plan(node, statuses[node.name], jobs["nodes"].get(node.name), settings, executor)
                          for node in todo]
        if not dry_run:
            report.cancelled = _cancel_stale(statuses, todo, client)
            _prepare(study, root, graph, report, jobs, potcar_dir)
        files.write_snapshot(root, study, graph)
        context = _contexts(study, root, graph, report.planned, settings)
        for planned in report.planned:
            atomic_write(files.script_path(root, planned.name), node_script(context[planned.name], settings).encode())
        if executor == "slurm":
            _submit_slurm(study, root, graph, report, settings, jobs, client, profile)
        else:
            _run_locally(study, root, graph, report, settings, jobs, max_parallel, profile)
    return report


def resume_study(study, runs_dir, *, executor: str | None = None, profile: str | None = None, **options) -> RunReport:
    """Resubmit failed nodes and their descendants (the executor and profile of the last run by default)."""
    root = study_dir(Path(runs_dir).resolve(), study)
    jobs = files.read_jobs(root)
    if not jobs["nodes"]:
        raise SchedulerError(f"nothing to resume: study {study.name} has not been run under {root}; "
                             "use `adatom-wf run`")
    executor = executor or jobs.get("executor", "local")
    profile = profile if profile is not None else jobs.get("profile")
    return run_study(study, runs_dir, executor=executor, profile=profile, resume=True, **options)


def study_status(study, runs_dir, client=None):
    root = study_dir(Path(runs_dir).resolve(), study)
    return gather(study_graph(study), root, client)


# --- planning --------------------------------------------------------------------------------------------------

def _profile(executor: str, name: str | None, profiles_file) -> Profile:
    if name is not None:
        return load_profile(name, profiles_file)
    if executor == "slurm":
        raise SpecError("--executor slurm needs --profile NAME (cluster profiles: docs/execution.md)")
    return LOCAL_DEFAULT


def _check_same_study(root: Path, study) -> None:
    recorded = files.recorded_study_sha256(root)
    if recorded is None or recorded == study.sha256():
        return
    if any(files.read_result(root, name) for name in _result_names(root)):
        raise SpecError(
            f"study {study.name} changed since it was run under {root} (the run's version is "
            f"{files.study_snapshot_path(root)}); completed nodes are never redone: give the changed study a new "
            "name, or move that folder away"
        )


def _result_names(root: Path) -> list[str]:
    folder = files.workflow_dir(root) / "results"
    return [p.name[:-5] for p in folder.glob("*.json")] if folder.is_dir() else []


def _plan(node, status, job: dict | None, profile: Profile, executor: str) -> Planned:
    # An attempt counts when the node started; one that never could (its need failed) keeps its number.
    never_started = status.state in (slurm.DEPENDENCY_NEVER_SATISFIED, SKIPPED)
    attempt = (job.get("attempt", 1) + (0 if never_started else 1)) if job else 1
    if attempt > profile.max_attempts:
        raise SchedulerError(
            f"node {node.name} has had {attempt - 1} attempts (last: {status.state}: {status.reason}); max_attempts "
            f"= {profile.max_attempts}: fix the cause, then raise max_attempts in the profile"
        )
    time_limit = None
    if executor == "slurm":
        base = slurm_time_seconds(profile.stage(node.stage).time)
        seconds = base
        if status.state == slurm.TIMEOUT and job and job.get("time"):
            seconds = min(max(2 * slurm_time_seconds(job["time"]), base), profile.max_time_seconds(node.stage))
        time_limit = slurm_time(seconds)
    return Planned(node.name, node.stage, attempt, time_limit, status.state)


def _cancel_stale(statuses, todo, client) -> list[str]:
    stale = [statuses[n.name].job_id for n in todo
             if statuses[n.name].state == slurm.DEPENDENCY_NEVER_SATISFIED and statuses[n.name].executor == "slurm"]
    if stale and client is not None:
        client.cancel(stale)
    return stale


def _prepare(study, root: Path, graph, report: RunReport, jobs: dict, potcar_dir) -> None:
    """Keep earlier attempts, prepare restarts and the missing VASP inputs (may refuse: nothing submitted yet)."""
    from adatom_wf.workflow import actions

    relax = [p for p in report.planned if p.stage == "relax"]
    if relax:
        from adatom_wf.vasp.inputs import potcar_library

        library = potcar_library(str(potcar_dir) if potcar_dir else None)
        for planned in relax:
            written = actions.prepare_relax(study, root, graph[planned.name], library)
            if written:
                report.prepared[planned.name] = written
    for planned in report.planned:
        job = jobs["nodes"].get(planned.name)
        if job is None:
            continue
        files.archive_attempt(root, planned.name, job.get("attempt", 1), job)
        node = graph[planned.name]
        if node.stage == "relax":
            planned.restart = actions.restart_relax(root, node, job.get("attempt", 1))
        elif node.stage == "molcas":
            planned.restart = actions.restart_molcas(root, node, job.get("attempt", 1))


def _contexts(study, root: Path, graph, planned: list[Planned], profile: Profile) -> dict[str, NodeContext]:
    command = tuple(_adatom_wf_command(profile))
    return {p.name: NodeContext(
        study=study.name, node=p.name, stage=p.stage, directory=str(root / graph[p.name].directory),
        study_file=str(files.study_snapshot_path(root)), runs_dir=str(root.parent),
        result_file=str(files.result_path(root, p.name)), attempt=p.attempt, adatom_wf=command,
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


# --- Slurm -----------------------------------------------------------------------------------------------------

def _submit_slurm(study, root: Path, graph, report: RunReport, profile: Profile, jobs: dict, client,
                  profile_name) -> None:
    planned = {p.name: p for p in report.planned}
    limit = profile.max_array_size or (client.max_array_size() if client else None) or DEFAULT_MAX_ARRAY_SIZE
    batches = _batches(graph, report.planned, planned, profile, limit)
    submission = jobs.get("submissions", 0) + 1
    scripts_dir = files.workflow_dir(root) / "scripts"
    log_dir = str(files.log_dir(root))
    files.log_dir(root).mkdir(parents=True, exist_ok=True)
    before = {"nodes": dict(jobs["nodes"]), **{k: v for k, v in jobs.items() if k != "nodes"}}
    node_job: dict[str, str] = {}
    batch_of: dict[str, int] = {}
    submitted = []
    start = time.perf_counter()
    try:
        for index, (stage, names, parents, time_limit, resources) in enumerate(batches):
            job = BatchJob(study=study.name, stage=stage, nodes=tuple(names),
                           scripts=tuple(str(files.script_path(root, n)) for n in names),
                           resources=resources, time=time_limit, log_dir=log_dir)
            path = scripts_dir / f"s{submission:03d}-{index:03d}-{stage}.sbatch"
            atomic_write(path, batch_script(job, profile).encode())
            after_ok = _after_ok(parents, node_job, batch_of, batches)
            entry = {"stage": stage, "nodes": names, "script": str(path), "dependency": after_ok,
                     "time": time_limit}
            report.batches.append(entry)
            if report.dry_run:
                entry["job_id"] = f"<batch {index}>"
                for n, name in enumerate(names):
                    node_job[name] = f"<batch {index}>" + (f"_{n}" if job.is_array else "")
                    batch_of[name] = index
                continue
            job_id = client.submit(str(path), after_ok)
            submitted.append(job_id)
            entry["job_id"] = job_id
            for n, name in enumerate(names):
                node_job[name] = f"{job_id}_{n}" if job.is_array else job_id
                batch_of[name] = index
                p = planned[name]
                jobs["nodes"][name] = {
                    "executor": "slurm", "job_id": node_job[name], "array_job_id": job_id if job.is_array else None,
                    "array_task": n if job.is_array else None, "attempt": p.attempt, "stage": stage,
                    "time": time_limit, "script": str(files.script_path(root, name)), "batch_script": str(path),
                    "log": job.log_file(job_id, n), "dependency": after_ok, "submitted_at": files.now(),
                    "restart": p.restart,
                }
            jobs.update({"executor": "slurm", "profile": profile_name, "submissions": submission})
            files.write_jobs(root, jobs)
    except SchedulerError as error:
        if submitted:
            client.cancel(submitted)
            files.write_jobs(root, before)
        undone = f"; cancelled the {len(submitted)} job(s) already submitted" if submitted else ""
        raise SchedulerError(f"{error} (study {study.name}: nothing submitted{undone})") from None
    report.submit_seconds = time.perf_counter() - start
    report.scheduler_calls = dict(client.calls) if client else {}


def _batches(graph, order: list[Planned], planned: dict, profile: Profile, limit: int) -> list[tuple]:
    """Nodes of one stage with the same needs (among those submitted now), time and resources form one array."""
    groups: dict[tuple, list[str]] = {}
    for p in order:
        parents = tuple(sorted(n for n in graph[p.name].needs if n in planned))
        resources = profile.stage(p.stage)
        groups.setdefault((p.stage, parents, p.time, resources), []).append(p.name)
    batches = []
    for (stage, parents, time_limit, resources), names in groups.items():
        for start in range(0, len(names), limit):
            batches.append((stage, names[start:start + limit], parents, time_limit, resources))
    return batches


def _after_ok(parents, node_job: dict, batch_of: dict, batches: list) -> list[str]:
    """Job ids to wait for: a whole array when every one of its tasks is needed, else single tasks."""
    needed: dict[int, list[str]] = {}
    for parent in parents:
        needed.setdefault(batch_of[parent], []).append(parent)
    ids = []
    for index, names in needed.items():
        members = batches[index][1]
        if len(members) > 1 and len(names) == len(members):
            ids.append(slurm.base_job_id(node_job[names[0]]))
        else:
            ids.extend(node_job[name] for name in names)
    return ids


# --- local -----------------------------------------------------------------------------------------------------

def so_state_count(study, node) -> int:
    """Σ (2S+1) × roots of a molcas node's oxidation state (0 for other nodes): its expected cost, for ordering."""
    if node.stage != "molcas":
        return 0
    state = study.molcas.oxidation_states[node.oxidation_state]
    return sum(spin.multiplicity * spin.roots for spin in state.spin_states)


def _run_locally(study, root: Path, graph, report: RunReport, profile: Profile, jobs: dict, max_parallel,
                 profile_name):
    from adatom_wf.execution.local import LocalTask, run_local

    planned = {p.name: p for p in report.planned}
    parallel = max_parallel or max(1, (os.cpu_count() or 1) // max(1, profile.molcas.nprocs))
    # Stage by stage (needs point to earlier stages), the OpenMolcas state with most SO states first: with fewer
    # slots than states the demo's Tb0 (478 SO states) no longer starts last, which cost ~100 s of wall time.
    order = sorted(report.planned, key=lambda p: (STAGES.index(p.stage), -so_state_count(study, graph[p.name])))
    tasks = [LocalTask(p.name, tuple(n for n in graph[p.name].needs if n in planned),
                     str(files.script_path(root, p.name)),
                     str(files.log_dir(root) / f"{p.name}.attempt-{p.attempt}.log")) for p in order]
    if report.dry_run:
        report.batches = [{"stage": p.stage, "nodes": [p.name], "script": str(files.script_path(root, p.name)),
                           "dependency": list(t.needs)} for p, t in zip(order, tasks)]
        return
    for task in tasks:
        p = planned[task.name]
        jobs["nodes"][task.name] = {"executor": "local", "job_id": None, "attempt": p.attempt, "stage": p.stage,
                                    "script": task.script, "log": task.log, "restart": p.restart,
                                    "submitted_at": files.now()}
    jobs.update({"executor": "local", "profile": profile_name, "submissions": jobs.get("submissions", 0) + 1})
    files.write_jobs(root, jobs)

    def record(name, fields):
        jobs["nodes"][name].update(fields)
        files.write_jobs(root, jobs)

    def succeeded(name, exit_code):
        result = files.read_result(root, name)
        return exit_code == 0 and result is not None and result.get("state") == files.OK

    start = time.perf_counter()
    report.outcome = run_local(tasks, parallel, succeeded, record)
    report.submit_seconds = time.perf_counter() - start


# --- text for the verbs ----------------------------------------------------------------------------------------

def format_report(report: RunReport) -> list[str]:
    lines = []
    verb = {"slurm": "submit", "local": "run"}[report.executor]
    head = f"study {report.study} ({report.root}), executor {report.executor}"
    if report.profile:
        head += f", profile {report.profile}"
    lines.append(head + (" — dry run: scripts written, nothing submitted" if report.dry_run else ""))
    if report.completed:
        lines.append(f"  completed, not redone: {', '.join(report.completed)}")
    if report.message:
        lines.append(f"  {report.message}")
        return lines
    if report.cancelled:
        lines.append(f"  cancelled jobs that could never start: {', '.join(report.cancelled)}")
    for name, written in report.prepared.items():
        lines.append(f"  {name}: wrote VASP inputs {' '.join(written)}")
    for p in report.planned:
        extra = [f"attempt {p.attempt}"]
        if p.time:
            extra.append(f"time {p.time}")
        if p.previous not in (NOT_SUBMITTED,):
            extra.append(f"was {p.previous}")
        if p.restart:
            extra.append(p.restart)
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
    return lines


def format_status(statuses) -> list[str]:
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
