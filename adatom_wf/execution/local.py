"""The local executor: node scripts as subprocesses, in topological order, up to ``max_parallel`` at once.

A node starts when every node it needs has succeeded; when one fails, the nodes that need it (directly or
not) are skipped. Success is the node's own verdict (``succeeded``), not only the exit code.
"""

import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

POLL_SECONDS = 0.1


@dataclass(frozen=True)
class LocalTask:
    name: str
    needs: tuple[str, ...]  # only needs that run in this call; the others are already completed
    script: str
    log: str


def run_local(tasks: list[LocalTask], max_parallel: int, succeeded: Callable[[str, int], bool],
              record: Callable[[str, dict], None]) -> dict[str, str]:
    """Run ``tasks`` (given in topological order); returns name -> ok | failed | skipped.

    ``record(name, fields)`` is told every change (queued, running, exited, skipped) so the state files follow.
    """
    outcome: dict[str, str] = {}
    waiting = list(tasks)
    running: dict[str, tuple[subprocess.Popen, float]] = {}
    for task in tasks:
        record(task.name, {"state": "queued"})
    try:
        while waiting or running:
            for task in list(waiting):
                failed = [need for need in task.needs if outcome.get(need) in ("failed", "skipped")]
                if failed:
                    waiting.remove(task)
                    outcome[task.name] = "skipped"
                    record(task.name, {"state": "skipped", "reason": f"needs {failed[0]}, which did not succeed"})
            for task in list(waiting):
                if len(running) >= max_parallel:
                    break
                if all(outcome.get(need) == "ok" for need in task.needs):
                    waiting.remove(task)
                    Path(task.log).parent.mkdir(parents=True, exist_ok=True)
                    with open(task.log, "ab") as log:
                        process = subprocess.Popen(["bash", task.script], stdout=log, stderr=subprocess.STDOUT,
                                                   stdin=subprocess.DEVNULL, start_new_session=True)
                    running[task.name] = (process, time.monotonic())
                    record(task.name, {"state": "running", "pid": process.pid, "started_at": _now()})
            finished = [(name, process, start) for name, (process, start) in running.items()
                        if process.poll() is not None]
            for name, process, start in finished:
                del running[name]
                ok = succeeded(name, process.returncode)
                outcome[name] = "ok" if ok else "failed"
                record(name, {"state": "exited", "exit_code": process.returncode, "finished_at": _now(),
                              "seconds": round(time.monotonic() - start, 3)})
            if not finished:
                time.sleep(POLL_SECONDS)
    except BaseException:
        for name, (process, _) in running.items():
            _stop(process)
            record(name, {"state": "exited", "exit_code": process.returncode, "finished_at": _now(),
                          "reason": "interrupted"})
        raise
    return outcome


def _stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")
