"""``adatom-wf run [STUDY]``: walk a study's graph, locally (the default) or on Slurm.

The graph is always what runs (adatom_wf.workflow.runner), with its state under runs/<study>/workflow/, so
``status`` and ``resume`` see every run. ``--state`` and ``--structure`` select nodes (plus whatever they need
that is not completed), ``--force`` redoes completed selected nodes, ``--nprocs``/``--mem-mb``/``--workdir``
reach every OpenMolcas node script.
"""

import click

from adatom_wf.commands.options import echo_json, graph_options, runs_dir_option

DEFAULT_STUDY = "demo_tb_benzene"


@click.command()
@click.argument("study", metavar="[STUDY]", default=DEFAULT_STUDY)
@runs_dir_option
@click.option("--state", "states", multiple=True, metavar="LABEL",
              help="Run this oxidation state's OpenMolcas node, e.g. Tb3+, and what it needs (repeatable; "
                   "without --state and --structure: the whole graph).")
@click.option("--structure", type=click.Path(dir_okay=False), metavar="FILE",
              help="Carve the cluster from this supercell (e.g. a relaxed CONTCAR): feeds the carve node, which "
                   "then needs no relax node.")
@click.option("--force", is_flag=True,
              help="Run completed selected nodes again (their outputs move to attempt-<n>/).")
@graph_options(executor_default="local")
def command(study, runs_dir, states, structure, force, executor, profile, profiles_file, potcar_dir, max_parallel,
            dry_run, max_hours, nprocs, mem_mb, workdir, as_json):
    """Run the graph of STUDY (default: demo_tb_benzene): relax → carve → integrals (GATEWAY + SEWARD once) →
    OpenMolcas per oxidation state (beyond the minimal basis each started from its ANO-RCC-MB pre-run, projected)
    → parse → report.

    Locally every node runs here to the end (several at once, the largest OpenMolcas state first); with
    --executor slurm the graph is submitted as job arrays with afterok dependencies and the command returns at
    once. Completed nodes are never redone (unless --force); follow with `adatom-wf status`, redo what failed
    with `adatom-wf resume`. Exit code 1 when a node failed.
    """
    from adatom_wf.preflight import load_checked_study
    from adatom_wf.workflow.runner import run_study

    spec = load_checked_study(study)  # refused as validate refuses it
    report = run_study(spec, runs_dir, executor=executor, profile=profile, profiles_file=profiles_file,
                       dry_run=dry_run, max_parallel=max_parallel, potcar_dir=potcar_dir, states=states,
                       structure=structure, force=force, max_hours=max_hours,
                       molcas={"nprocs": nprocs, "mem_mb": mem_mb, "workdir": workdir})
    show(report, spec.name, as_json)


def show(report, study_name: str, as_json: bool) -> None:
    """Print the report (text or JSON); a node that did not finish is a CalculationFailed (exit code 1)."""
    from adatom_wf.commands.present import report_lines
    from adatom_wf.errors import CalculationFailed

    if as_json:
        echo_json(report.as_json())
    else:
        for line in report_lines(report):
            click.echo(line)
    failed = sorted(name for name, outcome in report.outcome.items() if outcome != "ok")
    if failed:
        raise CalculationFailed(f"{len(failed)} node(s) did not finish: {', '.join(failed)}; "
                                f"see `adatom-wf status {study_name}` and `adatom-wf resume {study_name}`")
