"""Node states: the node's own result file first, then what the executor knows (Slurm or the local run).

:func:`node_state` is pure (tested case by case); :func:`gather` reads the files and asks Slurm once for
all jobs (squeue, then sacct, else scontrol).
"""

from dataclasses import asdict, dataclass
from pathlib import Path

from adatom_wf.execution import slurm
from adatom_wf.workflow import ledger

NOT_SUBMITTED = "NOT_SUBMITTED"  # never submitted, or the submission was undone
SKIPPED = "SKIPPED"  # local run: a node it needs failed, so it never started
LOST = "LOST"  # neither the node nor the scheduler can say what happened (counts as failed)

DONE = slurm.COMPLETED
ACTIVE = (slurm.PENDING, slurm.RUNNING)
# Every state but these two groups is a failure that resume resubmits (with the node's descendants).
FAILED_STATES = (slurm.FAILED, slurm.TIMEOUT, slurm.OUT_OF_MEMORY, slurm.NODE_FAIL, slurm.CANCELLED, slurm.PREEMPTED,
                 slurm.DEPENDENCY_NEVER_SATISFIED, SKIPPED, LOST)


@dataclass
class NodeStatus:
    node: str
    stage: str
    state: str
    reason: str = ""
    job_id: str | None = None
    executor: str | None = None
    attempt: int = 0
    time_limit: str | None = None
    memory: str | None = None  # Slurm --mem of the last attempt (as submitted, else as Slurm tells)
    log: str | None = None
    directory: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def node_state(result: dict | None, job: dict | None, info: slurm.JobInfo | None,
               local_runner_alive: bool = False, log_text: str = "") -> tuple[str, str]:
    """(state, reason) of one node from its result file, its job record, the scheduler's answer and, for a job
    Slurm calls FAILED, its output (``log_text``: Slurm's memory kill without cgroups is FAILED 0:9 there)."""
    if result is not None and result.get("state") == ledger.OK:
        return slurm.COMPLETED, ""
    if result is not None and result.get("state") == ledger.FAILED:
        # The node's own verdict wins over Slurm's (a job Slurm calls COMPLETED may have failed).
        return slurm.FAILED, result.get("reason") or "the node reported a failure"
    if job is None:
        return NOT_SUBMITTED, ""
    if job.get("executor") == "local":
        return _local_state(job, local_runner_alive)
    job_id = job.get("job_id")
    if info is None:
        return LOST, f"Slurm no longer knows job {job_id} and the node wrote no result"
    state = info.state
    if state == slurm.DEPENDENCY_NEVER_SATISFIED:
        return state, "a job it depends on failed, so Slurm will never start it"
    if state in ACTIVE:
        reason = "" if info.reason in ("", "None") else info.reason
        return state, reason
    if state == slurm.COMPLETED:
        return slurm.FAILED, "the job ended without the node writing a result (see its log)"
    if state == slurm.FAILED and slurm.memory_exceeded(log_text):
        state = slurm.OUT_OF_MEMORY
    if state == slurm.FAILED:
        return state, f"the job failed with exit code {info.exit_code or '?'} before the node wrote a result"
    reasons = {
        slurm.TIMEOUT: f"reached its time limit ({job.get('time', '?')})",
        slurm.OUT_OF_MEMORY: f"ran out of memory (its limit: {job.get('memory') or info.memory or '?'})",
        slurm.NODE_FAIL: "the compute node failed",
        slurm.CANCELLED: "cancelled (scancel or an administrator)",
        slurm.PREEMPTED: "preempted by a higher-priority job",
    }
    return state, reasons.get(state, info.reason)


def _local_state(job: dict, runner_alive: bool) -> tuple[str, str]:
    local = job.get("state")
    if local == "skipped":
        return SKIPPED, job.get("reason", "a node it needs failed")
    if local == "exited":
        return slurm.FAILED, f"the node script exited with code {job.get('exit_code')} without a result (see its log)"
    if local in ("queued", "running"):
        if runner_alive:
            return (slurm.RUNNING if local == "running" else slurm.PENDING), ""
        return LOST, "the local run stopped (interrupted?) before this node finished"
    return LOST, f"unknown local job state {local!r}"


def gather(graph, root: Path, client=None, holding_lock: bool = False) -> list[NodeStatus]:
    """The status of every node of ``graph`` under ``root`` = runs/<study>. ``holding_lock``: the caller holds the
    study lock itself (run's check before it starts), so no local run can be alive."""
    jobs = ledger.read_jobs(root)["nodes"]
    results = {node.name: ledger.read_result(root, node.name) for node in graph}
    wanted = [job["job_id"] for name, job in jobs.items()
              if job.get("executor") == "slurm" and name in results and _unfinished(results[name])]
    infos = {}
    if wanted:
        if client is None:
            from adatom_wf.execution.slurm_client import SlurmClient

            client = SlurmClient()
        infos = client.query(wanted)
    runner_alive = not holding_lock and ledger.lock_holder(root) is not None
    statuses: list[NodeStatus] = []
    by_name: dict[str, NodeStatus] = {}
    for node in graph:  # topological order: a node's needs are judged first
        job = jobs.get(node.name)
        info = infos.get(job["job_id"]) if job and job.get("executor") == "slurm" else None
        state, reason = node_state(results[node.name], job, info, runner_alive, _log_of_failed(job, info))
        state, reason = propagate(state, reason, [(need, by_name[need].state) for need in node.needs])
        statuses.append(NodeStatus(
            node=node.name, stage=node.stage, state=state, reason=reason,
            job_id=job.get("job_id") if job else None, executor=job.get("executor") if job else None,
            attempt=job.get("attempt", 0) if job else 0, time_limit=job.get("time") if job else None,
            memory=(job.get("memory") or (info.memory if info else None) or None) if job else None,
            log=job.get("log") if job else None, directory=str(root / node.directory),
        ))
        by_name[node.name] = statuses[-1]
    return statuses


def propagate(state: str, reason: str, needs: list[tuple[str, str]]) -> tuple[str, str]:
    """A pending job whose need failed will never start (Slurm says so only one level down)."""
    if state == slurm.PENDING:
        failed = [name for name, need_state in needs if need_state in FAILED_STATES]
        if failed:
            return slurm.DEPENDENCY_NEVER_SATISFIED, f"needs {failed[0]}, which did not succeed"
    return state, reason


def _log_of_failed(job: dict | None, info: slurm.JobInfo | None) -> str:
    """The end of the output of a job Slurm calls FAILED (where slurmstepd says why it killed it), else ""."""
    if info is None or info.state != slurm.FAILED or not job or not job.get("log"):
        return ""
    try:
        with open(job["log"], "rb") as log:
            log.seek(0, 2)
            log.seek(max(0, log.tell() - 64 * 1024))
            return log.read().decode(errors="replace")
    except OSError:
        return ""


def _unfinished(result: dict | None) -> bool:
    return result is None or result.get("state") not in (ledger.OK, ledger.FAILED)
