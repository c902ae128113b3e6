"""``adatom-wf report STUDY``: Table 1, Table 2, spin-state gaps, E vs <Jz> and the barrier figure of every
oxidation state under runs/<study>/report/, figures as PNG, PDF and/or SVG, and the whole as one page,
report.html (--format)."""

import click

from adatom_wf.commands.options import echo_json, json_option, runs_dir_option


@click.command()
@click.argument("target", metavar="STUDY | STORE.h5")
@click.option("--out", "out_dir", type=click.Path(file_okay=False),
              help="Folder for the tables and figures (default: report/ beside the store).")
@click.option("--format", "format_text", default="png,html", show_default=True, metavar="png,pdf,svg,html",
              help="Comma-separated: the figure formats png, pdf, svg (each figure in each), and html: report.html, "
                   "one self-contained page with the figures inline.")
@runs_dir_option
@json_option
def command(target, out_dir, format_text, runs_dir, as_json):
    """Write the paper's tables (Markdown and CSV) and figures (PNG, PDF or SVG) from a study's results store: Table 1,
    Table 2 (with each ground multiplet's configuration, flagged where it is not the study's expected_configuration,
    and the paper's values beside a Tb state's), spin-state gaps, levels vs <Jz>, and the barrier figure (transition
    moments, relaxation path) of every oxidation state. report.html holds it all in one page that opens offline.

    \b
    adatom-wf report workflows/tb_graphene.yaml     # reads runs/tb_graphene/results.h5 -> runs/tb_graphene/report/
    adatom-wf report demo_tb_benzene --format html  # only report.html (figures inline)
    adatom-wf report out.h5 --out figures/ --format png,pdf,svg   # any store written by 'adatom-wf parse'
    """
    from pathlib import Path

    from adatom_wf.errors import SpecError
    from adatom_wf.layout import store_path
    from adatom_wf.report import REPORT_FORMATS, barrier_analyses, report_meta, write_report
    from adatom_wf.store import read_store

    formats = [kind.strip().lower() for kind in format_text.split(",") if kind.strip()]
    bad = [kind for kind in formats if kind not in REPORT_FORMATS]
    if bad or not formats:
        raise SpecError(f"--format {format_text!r}: use png, pdf, svg and/or html, comma-separated (e.g. png,html)")
    if target.endswith(".h5"):
        store = Path(target)
    else:
        from adatom_wf.layout import study_dir
        from adatom_wf.spec import load_study

        store = store_path(study_dir(Path(runs_dir), load_study(target)))
    stored = read_store(store)
    records = stored["runs"]
    written = write_report(records, Path(out_dir) if out_dir else store.parent / "report", formats=formats,
                           barriers=barrier_analyses(store, records), meta=report_meta(store, stored))
    if as_json:
        echo_json({"store": str(store), "files": [str(p) for p in written]})
        return
    for path in written:
        click.echo(str(path))
