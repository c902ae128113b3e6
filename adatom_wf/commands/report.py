"""``adatom-wf report STUDY``: Table 1, Table 2, spin-state gaps, E vs <Jz> and the barrier figure of every
oxidation state under runs/<study>/report/, figures as PNG, PDF and/or SVG (--format)."""

import click

from adatom_wf.commands.options import echo_json, json_option, runs_dir_option


@click.command()
@click.argument("target", metavar="STUDY | STORE.h5")
@click.option("--out", "out_dir", type=click.Path(file_okay=False),
              help="Folder for the tables and figures (default: report/ beside the store).")
@click.option("--format", "format_text", default="png", show_default=True, metavar="png,pdf,svg",
              help="Figure formats, comma-separated: png, pdf, svg (each figure in each).")
@runs_dir_option
@json_option
def command(target, out_dir, format_text, runs_dir, as_json):
    """Write the paper's tables (Markdown and CSV) and figures (PNG, PDF or SVG) from a study's results store: Table 1,
    Table 2 (with each ground multiplet's configuration, flagged where it is not the study's expected_configuration),
    spin-state gaps, levels vs <Jz>, and the barrier figure (transition moments, relaxation path) of every
    oxidation state.

    \b
    adatom-wf report workflows/tb_graphene.yaml     # reads runs/tb_graphene/results.h5 -> runs/tb_graphene/report/
    adatom-wf report out.h5 --out figures/ --format png,pdf,svg   # any store written by 'adatom-wf parse'
    """
    from pathlib import Path

    from adatom_wf.errors import SpecError
    from adatom_wf.layout import store_path
    from adatom_wf.report import FIGURE_FORMATS, barrier_analyses, write_report
    from adatom_wf.store import read_store

    formats = [kind.strip().lower() for kind in format_text.split(",") if kind.strip()]
    bad = [kind for kind in formats if kind not in FIGURE_FORMATS]
    if bad or not formats:
        raise SpecError(f"--format {format_text!r}: use png, pdf and/or svg, comma-separated (e.g. png,pdf)")
    if target.endswith(".h5"):
        store = Path(target)
    else:
        from adatom_wf.layout import study_dir
        from adatom_wf.spec import load_study

        store = store_path(study_dir(Path(runs_dir), load_study(target)))
    records = read_store(store)["runs"]
    written = write_report(records, Path(out_dir) if out_dir else store.parent / "report", formats=formats,
                           barriers=barrier_analyses(store, records))
    if as_json:
        echo_json({"store": str(store), "files": [str(p) for p in written]})
        return
    for path in written:
        click.echo(str(path))
