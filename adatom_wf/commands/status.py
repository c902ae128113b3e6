"""``adatom-wf status STUDY``: every node of the study's graph: state, job id, reason."""

import click

from adatom_wf.commands.options import echo_json, json_option, runs_dir_option, study_argument


@click.command()
@study_argument
@runs_dir_option
@json_option
def command(study, runs_dir, as_json):
    """Show the state of every node of STUDY: COMPLETED, PENDING, RUNNING, FAILED, TIMEOUT, OUT_OF_MEMORY,
    NODE_FAIL, CANCELLED, PREEMPTED, DEPENDENCY_NEVER_SATISFIED, SKIPPED, LOST or NOT_SUBMITTED, with the
    Slurm job id (or "local") and the reason. Works for studies run locally and on Slurm.
    """
    from adatom_wf.commands.present import status_lines
    from adatom_wf.spec import load_study
    from adatom_wf.workflow.runner import study_status

    spec = load_study(study)
    statuses = study_status(spec, runs_dir)
    if as_json:
        echo_json({"study": spec.name, "nodes": [s.as_dict() for s in statuses]})
        return
    for line in status_lines(statuses):
        click.echo(line)
