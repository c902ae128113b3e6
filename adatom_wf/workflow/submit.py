"""Carry out a plan on Slurm: one sbatch per batch, ``--dependency=afterok:`` on the jobs just submitted.

Job ids go to workflow/jobs.json as each batch is accepted; if sbatch refuses a batch, the jobs already
submitted are cancelled and jobs.json is put back, so a submission happens whole or not at all.
"""

import time

from adatom_wf import layout
from adatom_wf.errors import SchedulerError
from adatom_wf.execution.profiles import Profile
from adatom_wf.execution.scripts import BatchJob, batch_script
from adatom_wf.manifest import atomic_write
from adatom_wf.workflow import ledger
from adatom_wf.workflow.plan import after_ok, batches, molcas_mem_of

DEFAULT_MAX_ARRAY_SIZE = 1001  # Slurm's default MaxArraySize


def _with_memory(batch: tuple, graph, costs: dict) -> tuple:
    """An OpenMolcas batch whose profile sets no memory asks for what its largest state's MOLCAS_MEM needs (the
    integrals node: the largest of all states)."""
    stage, names, parents, time_limit, resources = batch
    memory = [mem for mem in (molcas_mem_of(graph[name], costs) for name in names) if mem]
    if resources.memory is not None or not memory:
        return batch
    from adatom_wf.molcas.cost import slurm_memory_mb

    needed = slurm_memory_mb(max(memory))
    return stage, names, parents, time_limit, resources.model_copy(update={"memory": f"{needed}M"})


def submit_slurm(study, root, graph, report, profile: Profile, jobs: dict, client, profile_name) -> None:
    """Write the batch scripts of ``report.planned`` and (unless a dry run) submit them; fills ``report.batches``."""
    planned = {p.name: p for p in report.planned}
    limit = profile.max_array_size or (client.max_array_size() if client else None) or DEFAULT_MAX_ARRAY_SIZE
    found = [_with_memory(batch, graph, report.state_plans) for batch in batches(graph, report.planned, profile,
                                                                                      limit)]
    submission = jobs.get("submissions", 0) + 1
    scripts_dir = layout.workflow_dir(root) / "scripts"
    log_dir = layout.log_dir(root)
    log_dir.mkdir(parents=True, exist_ok=True)
    before = {"nodes": dict(jobs["nodes"]), **{k: v for k, v in jobs.items() if k != "nodes"}}
    node_job: dict[str, str] = {}
    batch_of: dict[str, int] = {}
    submitted = []
    start = time.perf_counter()
    try:
        for index, (stage, names, parents, time_limit, resources) in enumerate(found):
            job = BatchJob(study=study.name, stage=stage, nodes=tuple(names),
                           scripts=tuple(str(layout.script_path(root, n)) for n in names),
                           resources=resources, time=time_limit, log_dir=str(log_dir))
            path = scripts_dir / f"s{submission:03d}-{index:03d}-{stage}.sbatch"
            atomic_write(path, batch_script(job, profile).encode())
            dependency = after_ok(parents, node_job, batch_of, found)
            entry = {"stage": stage, "nodes": names, "script": str(path), "dependency": dependency, "time": time_limit}
            report.batches.append(entry)
            if report.dry_run:
                entry["job_id"] = f"<batch {index}>"
                for n, name in enumerate(names):
                    node_job[name] = f"<batch {index}>" + (f"_{n}" if job.is_array else "")
                    batch_of[name] = index
                continue
            job_id = client.submit(str(path), dependency)
            submitted.append(job_id)
            entry["job_id"] = job_id
            for n, name in enumerate(names):
                node_job[name] = f"{job_id}_{n}" if job.is_array else job_id
                batch_of[name] = index
                p = planned[name]
                jobs["nodes"][name] = {
                    "executor": "slurm", "job_id": node_job[name], "array_job_id": job_id if job.is_array else None,
                    "array_task": n if job.is_array else None, "attempt": p.attempt, "stage": stage,
                    "time": time_limit, "memory": resources.memory, "memory_raised": p.memory is not None,
                    "script": str(layout.script_path(root, name)), "batch_script": str(path),
                    "log": job.log_file(job_id, n), "dependency": dependency, "submitted_at": ledger.now(),
                    "restart": p.restart,
                }
            jobs.update({"executor": "slurm", "profile": profile_name, "submissions": submission})
            ledger.write_jobs(root, jobs)
    except SchedulerError as error:
        if submitted:
            client.cancel(submitted)
            ledger.write_jobs(root, before)
        undone = f"; cancelled the {len(submitted)} job(s) already submitted" if submitted else ""
        raise SchedulerError(f"{error} (study {study.name}: nothing submitted{undone})") from None
    report.submit_seconds = time.perf_counter() - start
    report.scheduler_calls = dict(client.calls) if client else {}
