"""``adatom-wf report STUDY``: Table 1, Table 2, spin-state gaps and E vs <Jz> figures under runs/<study>/report/."""

import click

from adatom_wf.commands.options import echo_json, json_option, runs_dir_option


@click.command()
@click.argument("target", metavar="STUDY | STORE.h5")
@click.option("--out", "out_dir", type=click.Path(file_okay=False),
              help="Folder for the tables and figures (default: report/ beside the store).")
@runs_dir_option
@json_option
def command(target, out_dir, runs_dir, as_json):
    """Write the paper's tables (Markdown and CSV) and figures (PNG) from a study's results store.

    \b
    adatom-wf report workflows/tb_graphene.yaml     # reads runs/tb_graphene/results.h5 -> runs/tb_graphene/report/
    adatom-wf report out.h5 --out figures/          # any store written by 'adatom-wf parse'
    """
    from pathlib import Path

    from adatom_wf.report import write_report
    from adatom_wf.layout import store_path
    from adatom_wf.store import read_store

    if target.endswith(".h5"):
        store = Path(target)
    else:
        from adatom_wf.layout import study_dir
        from adatom_wf.spec import load_study

        store = store_path(study_dir(Path(runs_dir), load_study(target)))
    records = read_store(store)["runs"]
    written = write_report(records, Path(out_dir) if out_dir else store.parent / "report")
    if as_json:
        echo_json({"store": str(store), "files": [str(p) for p in written]})
        return
    for path in written:
        click.echo(str(path))
