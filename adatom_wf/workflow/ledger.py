"""The workflow's ledger: the graph's state as files under ``runs/<study>/workflow/`` (no daemon, no database).

::

    workflow/study.yaml           the validated study every node reads (a snapshot: later edits do not leak in)
    workflow/graph.json           nodes, their directories and needs, and the study's sha256
    workflow/jobs.json            per node: executor, job id (Slurm) or process state (local), attempt, time limit
    workflow/results/<node>.json  written by the node itself when it ends: state ok | failed, reason, details
    workflow/history/             results and job records of earlier attempts
    workflow/scripts/             the node scripts both executors run, and the Slurm batch scripts
    workflow/logs/                output of every job
    workflow/.lock                held (flock) while run or resume submits, and while a local run runs

Where each file lives is :mod:`adatom_wf.layout`'s; every file is written with
:func:`adatom_wf.manifest.atomic_write`. ``results/`` has one writer per file
(the node); ``jobs.json`` is written only by the process holding the lock.
"""

import fcntl
import json
import os
import time
from contextlib import contextmanager
from pathlib import Path

import yaml

from adatom_wf.errors import SchedulerError, StateError
from adatom_wf.layout import graph_path, history_dir, jobs_path, lock_path, result_path, study_snapshot_path
from adatom_wf.manifest import atomic_write

OK, FAILED = "ok", "failed"


def write_json(path: Path, data) -> None:
    atomic_write(Path(path), (json.dumps(data, indent=2, sort_keys=True) + "\n").encode())


def read_json(path: Path, default=None):
    path = Path(path)
    if not path.is_file():
        return default
    try:
        return json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise StateError(f"{path} is not valid JSON ({error}); move it away to reset that state") from None


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


# --- the study snapshot and the graph -------------------------------------------------------------------------

def write_snapshot(root: Path, study, graph) -> Path:
    """Write workflow/study.yaml and graph.json (same bytes for the same study)."""
    path = study_snapshot_path(root)
    text = yaml.safe_dump(study.model_dump(mode="json", exclude_none=True), sort_keys=False)
    atomic_write(path, ("# written by adatom-wf run: the study every node of this run reads\n" + text).encode())
    write_json(graph_path(root), {"study": study.name, "study_sha256": study.sha256(),
                                                   "nodes": graph.as_list()})
    return path


def recorded_study_sha256(root: Path) -> str | None:
    data = read_json(graph_path(root))
    return data.get("study_sha256") if data else None


# --- node results (written by the node) -----------------------------------------------------------------------

def write_result(root: Path, node: str, state: str, reason: str = "", attempt: int = 1, details=None) -> dict:
    record = {
        "node": node,
        "state": state,
        "reason": " ".join(reason.split()),
        "attempt": attempt,
        "finished_at": now(),
        "host": os.uname().nodename,
        "slurm_job_id": _slurm_job_id(),
        "details": details or {},
    }
    write_json(result_path(root, node), record)
    return record


def read_result(root: Path, node: str) -> dict | None:
    return read_json(result_path(root, node))


def _slurm_job_id() -> str | None:
    array, task = os.environ.get("SLURM_ARRAY_JOB_ID"), os.environ.get("SLURM_ARRAY_TASK_ID")
    if array and task:
        return f"{array}_{task}"
    return os.environ.get("SLURM_JOB_ID")


def archive_result(root: Path, node: str, attempt: int, job: dict | None) -> None:
    """Move a node's result (and keep its job record) to history/ before the node runs again."""
    history = history_dir(root)
    result = result_path(root, node)
    record = {"job": job, "result": read_json(result)}
    write_json(history / f"{node}.attempt-{attempt}.json", record)
    result.unlink(missing_ok=True)


# --- job records (written by run/resume and the local executor, under the lock) -------------------------------

def read_jobs(root: Path) -> dict:
    return read_json(jobs_path(root), default={"nodes": {}})


def write_jobs(root: Path, jobs: dict) -> None:
    write_json(jobs_path(root), jobs)


@contextmanager
def study_lock(root: Path, study_name: str):
    """Exclusive, non-blocking: a second run/resume of the same study (or one during a local run) is refused."""
    path = lock_path(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise SchedulerError(
                f"study {study_name} is already running: {holder} holds {path}; "
                f"see `adatom-wf status` and wait for it to finish"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"adatom-wf pid {os.getpid()} on {os.uname().nodename} since {now()}\n")
        handle.flush()
        yield
    finally:
        handle.close()


def lock_holder(root: Path) -> str | None:
    """Who holds the study lock right now (None if nobody)."""
    path = lock_path(root)
    if not path.is_file():
        return None
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            return handle.read().strip() or "another process"
        fcntl.flock(handle, fcntl.LOCK_UN)
    return None
