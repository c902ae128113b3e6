"""``adatom-wf parse``: every run of a study into ``runs/<study>/results.h5``, or given run directories into --store."""

import click

from adatom_wf.commands.options import echo_json, json_option, runs_dir_option


def _is_study(argument: str) -> bool:
    from pathlib import Path

    from adatom_wf.spec import bundled_studies

    path = Path(argument)
    if path.is_file():
        return path.suffix in (".yaml", ".yml")
    return not path.exists() and argument.removesuffix(".yaml") in bundled_studies()


@click.command()
@click.argument("targets", nargs=-1, required=True, metavar="STUDY | RUN_DIR...")
@click.option("--store", "store_file", type=click.Path(dir_okay=False),
              help="HDF5 store to write (default for a study: runs/<study>/results.h5; required for run directories).")
@runs_dir_option
@json_option
def command(targets, store_file, runs_dir, as_json):
    """Parse finished (or failed) runs into one HDF5 store.

    \b
    adatom-wf parse workflows/tb_graphene.yaml          # every run of the study -> runs/tb_graphene/results.h5
    adatom-wf parse path/to/run_dir ... --store out.h5  # VASP, GPAW or OpenMolcas run dirs, detected by content

    A failed or incomplete run is stored as failed with its reason, and parse then exits 1 (after writing the
    store and printing every run); runs already in the store and not named here are kept. The store is replaced
    atomically, so an interrupted parse leaves the previous store intact.
    """
    from pathlib import Path

    from adatom_wf import __version__
    from adatom_wf.errors import ParseError
    from adatom_wf.layout import store_path
    from adatom_wf.parse import parse_directories, parse_study
    from adatom_wf.store import write_runs

    study = None
    if len(targets) == 1 and _is_study(targets[0]):
        from adatom_wf.layout import study_dir
        from adatom_wf.spec import load_study

        study = load_study(targets[0])
        root = study_dir(Path(runs_dir), study)
        outcome = parse_study(study, root)
        store = Path(store_file) if store_file else store_path(root)
        if not outcome.results:
            raise ParseError(f"study {study.name} has no run with output under {root} yet "
                             "(run 'adatom-wf run' first); nothing was written")
    else:
        if not store_file:
            raise ParseError("give --store FILE.h5 when parsing run directories (or give one study file)")
        outcome = parse_directories(targets)
        store = Path(store_file)
    warnings = write_runs(store, outcome.results, study=study, producer=f"adatom-wf {__version__}")
    summary = [{"kind": r.record["kind"], "path": r.record["path"], "status": r.record["status"],
                "failure": r.record["failure"]} for r in outcome.results]
    if as_json:
        echo_json({"store": str(store), "runs": summary, "not_run": [str(p) for p in outcome.not_run],
                   "warnings": warnings})
        _fail_if_failed(summary, store)
        return
    for run in summary:
        reason = f": {run['failure']}" if run["failure"] else ""
        click.echo(f"{run['status']:6} {run['kind']:6} {run['path']}{reason}")
    for path in outcome.not_run:
        click.echo(f"{'-':6} {'':6} {path}: no output yet")
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"store: {store}")
    _fail_if_failed(summary, store)


def _fail_if_failed(summary: list[dict], store) -> None:
    """Exit 1 (a calculation that failed, recorded with its reason) when any run parsed as failed."""
    from adatom_wf.errors import CalculationFailed

    failed = [run["path"] for run in summary if run["status"] != "ok"]
    if failed:
        raise CalculationFailed(f"{len(failed)} of {len(summary)} run(s) parsed as failed ({', '.join(failed[:3])}"
                                f"{', …' if len(failed) > 3 else ''}); stored with their reasons in {store}")
