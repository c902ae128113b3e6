"""``adatom-wf node STUDY NODE`` (internal): run one node of a study's graph and record its outcome.

Job scripts call this, under Slurm and in the local executor alike (workflow/scripts/<node>.sh). It writes
workflow/results/<node>.json atomically — state ok or failed, and why — and exits 0 only when ok, so that
Slurm's ``afterok`` dependencies and the local executor follow the node's own verdict.
"""

import click

from adatom_wf.commands.options import runs_dir_option, study_argument


@click.command(hidden=True)
@study_argument
@click.argument("node_name", metavar="NODE")
@runs_dir_option
@click.option("--attempt", type=int, default=1, show_default=True, help="Attempt number (set by the job script).")
@click.option("--program-exit-code", "--vasp-exit-code", "program_exit_code", type=int, default=None,
              help="Exit code of the VASP command or the GPAW relaxation (relax nodes).")
def command(study, node_name, runs_dir, attempt, program_exit_code):
    """Run NODE of STUDY in its directory under RUNS_DIR/<study>/ and write its result file."""
    import sys
    import traceback
    from pathlib import Path

    from adatom_wf.errors import AdatomWfError
    from adatom_wf.layout import study_dir
    from adatom_wf.spec import load_study
    from adatom_wf.workflow import ledger
    from adatom_wf.workflow.runner import graph_at

    spec = load_study(study)
    root = study_dir(Path(runs_dir).resolve(), spec)
    node = graph_at(spec, root)[node_name]
    previous = ledger.read_result(root, node.name)
    if previous is not None and previous.get("state") == ledger.OK:
        click.echo(f"{node.name}: already completed (attempt {previous.get('attempt')}); not redone")
        return
    from adatom_wf.verdict import Verdict
    from adatom_wf.workflow.actions import run_action

    try:
        outcome = run_action(spec, root, node, attempt, program_exit_code)
    except AdatomWfError as error:
        outcome = Verdict(False, str(error))
    except Exception as error:  # a bug must still leave a failed result, and the traceback in the job log
        traceback.print_exc()
        outcome = Verdict(False, f"internal error: {type(error).__name__}: {error}")
    state = ledger.OK if outcome.ok else ledger.FAILED
    ledger.write_result(root, node.name, state, outcome.reason, attempt, outcome.details)
    click.echo(f"{node.name}: {state}" + (f": {outcome.reason}" if outcome.reason else ""))
    if not outcome.ok:
        sys.exit(1)
