"""Carry out a plan here: the node scripts as subprocesses (adatom_wf.execution.local), to the end.

Every change of a node (queued, running, exited, skipped) goes to workflow/jobs.json as it happens, so
``adatom-wf status`` from another shell follows the run, and the progress display (adatom_wf.workflow.progress,
on stderr) shows it here; a node succeeded when its script exited 0 *and* its
own result file says ok.
"""

import os
import time

from adatom_wf import layout
from adatom_wf.execution.profiles import Profile
from adatom_wf.workflow import ledger
from adatom_wf.workflow.plan import local_order
from adatom_wf.workflow.status import DONE, node_state


def run_locally(study, root, graph, report, profile: Profile, jobs: dict, max_parallel, profile_name) -> None:
    """Run ``report.planned`` (``max_parallel`` at once, default cores / OpenMolcas processes); fills
    ``report.outcome`` (node -> ok | failed | skipped) and, for a dry run, ``report.batches``."""
    from adatom_wf.execution.local import LocalTask, run_local

    planned = {p.name: p for p in report.planned}
    parallel = max_parallel or max(1, (os.cpu_count() or 1) // max(1, profile.molcas.nprocs))
    order = local_order(study, graph, report.planned)
    tasks = [LocalTask(p.name, tuple(n for n in graph[p.name].needs if n in planned),
                       str(layout.script_path(root, p.name)),
                       str(layout.log_dir(root) / f"{p.name}.attempt-{p.attempt}.log")) for p in order]
    if report.dry_run:
        report.batches = [{"stage": p.stage, "nodes": [p.name], "script": str(layout.script_path(root, p.name)),
                           "dependency": list(t.needs)} for p, t in zip(order, tasks)]
        return
    previous = dict(jobs["nodes"])  # the last run's records: the progress's "expected" where no estimate exists
    for task in tasks:
        p = planned[task.name]
        jobs["nodes"][task.name] = {"executor": "local", "job_id": None, "attempt": p.attempt, "stage": p.stage,
                                    "script": task.script, "log": task.log, "restart": p.restart,
                                    "submitted_at": ledger.now()}
    jobs.update({"executor": "local", "profile": profile_name, "submissions": jobs.get("submissions", 0) + 1})
    ledger.write_jobs(root, jobs)

    def record(name, fields):
        jobs["nodes"][name].update(fields)
        ledger.write_jobs(root, jobs)

    def succeeded(name, exit_code):
        return exit_code == 0 and node_state(ledger.read_result(root, name), None, None)[0] == DONE

    from adatom_wf.workflow.progress import Activities, Display, Ticker, expectations, local_rows

    expected = expectations(report.expected_seconds, {name: job["seconds"] for name, job in previous.items()
                                                      if job.get("exit_code") == 0 and job.get("seconds")}, planned)
    activities = Activities()
    display = Display(lambda: local_rows(root, graph, jobs, expected, activities), f"{study.name}: local run")
    start = time.perf_counter()
    with Ticker(display):  # live table on a terminal, else a time-stamped line per change (stderr)
        report.outcome = run_local(tasks, parallel, succeeded, record)
    report.submit_seconds = time.perf_counter() - start
