"""``adatom-wf status STUDY``: every node of the study's graph: state, job id, reason; ``--watch`` follows a run
started elsewhere (another shell, ``nohup``, Slurm) until no node is pending or running."""

import click

from adatom_wf.commands.options import echo_json, json_option, runs_dir_option, study_argument


def follow(spec, runs_dir, interval: float, client=None, stream=None):
    """Refresh the statuses every ``interval`` seconds (live table on a terminal, else a line per change) until no
    node is pending or running; returns the last statuses."""
    import time
    from pathlib import Path

    from adatom_wf import layout
    from adatom_wf.workflow import ledger
    from adatom_wf.workflow.plan import estimated_seconds
    from adatom_wf.workflow.progress import Activities, Display, status_rows
    from adatom_wf.workflow.runner import graph_at, study_status
    from adatom_wf.workflow.status import ACTIVE

    root = layout.study_dir(Path(runs_dir).resolve(), spec)
    graph = graph_at(spec, root)
    estimates = estimated_seconds(spec, graph, [node.name for node in graph])
    activities, first_seen = Activities(), {}  # type: Activities, dict[str, float]
    latest: dict[str, list] = {"rows": []}
    display = Display(lambda: latest["rows"], f"{spec.name}: status (every {interval:g} s)", stream=stream)
    with display:
        while True:
            statuses = study_status(spec, runs_dir, client)
            latest["rows"] = status_rows(statuses, root, graph, ledger.read_jobs(root), activities, first_seen,
                                         estimates)
            display.tick()
            if not any(s.state in ACTIVE for s in statuses):
                return statuses
            time.sleep(interval)


@click.command()
@study_argument
@runs_dir_option
@click.option("--watch", is_flag=True,
              help="Follow the run (local, started elsewhere, or on Slurm) until no node is pending or running: a "
                   "refreshing table on a terminal, else a time-stamped line per change.")
@click.option("--interval", type=click.FloatRange(0.2, 3600), default=2.0, show_default=True, metavar="SECONDS",
              help="With --watch: seconds between two looks (each asks Slurm once for every job).")
@json_option
def command(study, runs_dir, watch, interval, as_json):
    """Show the state of every node of STUDY: COMPLETED, PENDING, RUNNING, FAILED, TIMEOUT, OUT_OF_MEMORY,
    NODE_FAIL, CANCELLED, PREEMPTED, DEPENDENCY_NEVER_SATISFIED, SKIPPED, LOST or NOT_SUBMITTED, with the
    Slurm job id (or "local") and the reason. Works for studies run locally and on Slurm. With --watch, the
    OpenMolcas module, VASP step or GPAW step each running node is in, how long it has run and how long it is
    expected to (the cost model's estimate for OpenMolcas nodes, else the last run's time; --json: the final states).
    """
    from adatom_wf.commands.present import status_lines
    from adatom_wf.spec import load_study
    from adatom_wf.workflow.runner import study_status

    spec = load_study(study)
    if watch:
        statuses = follow(spec, runs_dir, interval)
        if not as_json:
            return
    else:
        statuses = study_status(spec, runs_dir)
    if as_json:
        echo_json({"study": spec.name, "nodes": [s.as_dict() for s in statuses]})
        return
    for line in status_lines(statuses):
        click.echo(line)
