"""``report --format html`` on a store parsed from the real Tb3+ run, opened in headless Chromium: no console error,
nothing fetched, every figure drawn with a size, Table 2 with the paper's values beside the computed ones."""

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "molcas"))
from browser import open_page, table2_columns  # noqa: E402
from tb3p_run import command_in, tb3p_store  # noqa: E402


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    where = tmp_path_factory.mktemp("html")
    tb3p_store(where)
    result = command_in(where)("report", "out.h5", "--out", "report", "--format", "html")
    assert result.returncode == 0, result.stderr
    path = where / "report" / "report.html"
    return path, open_page(path, screenshot=where / "report.png")


def test_html_alone_writes_the_page_and_no_figure_files(page):
    path, _ = page
    assert sorted(p.name for p in path.parent.iterdir()) == [
        "levels.csv", "report.html", "report.md", "spin_gaps.csv", "spin_gaps.md", "table2.csv", "table2.md"]


def test_the_page_opens_offline_without_errors_and_draws_every_figure(page):
    path, shown = page
    assert shown["errors"] == [] and shown["requests"] == []
    text = path.read_text()
    assert not re.search(r"<(script|link|img|iframe)\b", text) and "src=" not in text  # nothing to fetch
    figures = {figure["id"]: figure for figure in shown["figures"]}
    assert set(figures) == {"figure-spin_gaps", "figure-levels_by_jz", "figure-levels_Tb3p", "figure-barrier_Tb3p"}
    assert all(figure["width"] > 200 and figure["height"] > 200 for figure in figures.values())
    assert figures["figure-barrier_Tb3p"]["caption"] == "Barrier of Tb3+"
    assert shown["overflowing"] == []
    duplicated = {name for name in shown["ids"] if shown["ids"].count(name) > 1}
    assert duplicated == set()  # each figure's clip paths and glyphs are its own


def test_table2_shows_the_papers_values_beside_the_computed_ones(page):
    _, shown = page
    (table,) = shown["tables"]["table2"]
    assert table[0] == ["", "Tb3+"] and table[1] == ["this run", "paper"]
    assert [row[0] for row in table[2:]] == ["status", "pseudospin S", "g1", "g2", "g3", "B₂⁰ (cm⁻¹)", "B₄⁰ (cm⁻¹)",
                                             "B₆⁰ (cm⁻¹)", "B₆⁶ (cm⁻¹)", "configuration (electrons)"]
    tb3 = table2_columns(table)["Tb3+"]
    assert tb3["status"] == "ok" and tb3["pseudospin S"] == "6"
    assert [tb3[q] for q in ("g1", "g2", "g3", "B₂⁰ (cm⁻¹)", "B₄⁰ (cm⁻¹)", "B₆⁰ (cm⁻¹)", "B₆⁶ (cm⁻¹)")] == [
        ["1.5085", "1.508"], ["1.5085", "1.508"], ["1.4764", "1.480"], ["-6.074643", "-5.375455"],
        ["0.003522\n×16.3", "0.000216"], ["0.000020", "0.000021"], ["-0.000010", "0.000041"]]
    assert shown["marked"] == ["0.003522\n×16.3"]  # B_4^0 is 16 times the paper's; the rest within the marks


def test_the_state_section_tells_the_ground_multiplet_and_the_rasscf_runs(page):
    _, shown = page
    facts, rasscf, gaps = shown["tables"]["states"]
    # a run from elsewhere (no status.json, no occupations in this trimmed log): what is unknown says so
    assert facts == [["ground multiplet", "pseudospin S = 6"], ["configuration", "—"], ["starting orbitals", "—"],
                     ["convergence", "—"]]
    assert rasscf == [["2S+1", "S", "roots", "iterations", "converged"], ["7", "3", "7", "18", "yes"]]
    assert gaps == [["2S+1", "S", "lowest root (Eh)", "gap (eV)"], ["7", "3", "-11928.02870909", "0.0000"]]


def test_sites_failed_runs_and_marks_show_as_the_markdown_says(tmp_path):
    """Records of every kind (test_report's: a failed site, a failed state) with Table 1 far from the paper's."""
    from test_report import E_HOLLOW, records, vasp

    from adatom_wf.report import write_report

    given = [r for r in records() if r["kind"] == "molcas"] + [
        vasp("hollow", E_HOLLOW, 2.056), vasp("top", E_HOLLOW + 0.1134, 2.30),
        vasp("fcc", status="failed", failure="vasprun.xml ends inside <scstep>")]
    write_report(given, tmp_path / "report")
    shown = open_page(tmp_path / "report" / "report.html")
    assert shown["errors"] == [] and shown["requests"] == []
    (table1,) = shown["tables"]["table1"]
    assert table1[1][:5] == ["hollow", "vasp", "ok", "0.0", "2.056\n-0.224 Å"]
    assert table1[2][3] == "113.4\n+28 meV" and table1[3][-1] == "(1)"
    text = (tmp_path / "report" / "report.html").read_text()
    assert "fcc: vasprun.xml ends inside &lt;scstep&gt;" in text  # escaped, as in Markdown
    sections = shown["tables"]["states"]
    tb1 = next(facts for facts in sections if ["failure", "RASSCF for multiplicity 9 did not converge (200 iterations)"]
               in facts)
    assert ["ground multiplet", "—"] in tb1


@pytest.mark.parametrize("start, words", [
    ("Tb3p.guessorb.h5", "SEWARD's guess, active orbitals picked by character (Tb3p.guessorb.h5)"),
    ("projected from ANO-RCC-MB (orbitals/Tb2+/Tb2p.m8.RasOrb)",
     "projected from ANO-RCC-MB (orbitals/Tb2+/Tb2p.m8.RasOrb), expanded with EXPBAS and checked by character"),
    ("restart Tb2p.m8.stopped1.RasOrb",
     "restart Tb2p.m8.stopped1.RasOrb: the orbitals an earlier, stopped attempt left"),
])
def test_each_start_the_store_records_reads_in_words(tmp_path, start, words):
    from test_report import molcas

    from adatom_wf.report import write_report

    record = {**molcas("Tb3+", g=(1.5, 1.5, 1.5), pseudospin="6"), "orbital_start": start, "convergence": "converged"}
    write_report([record], tmp_path, formats=("html",))
    from markupsafe import escape

    assert f"<th scope=\"row\">starting orbitals</th><td>{escape(words)}</td>" in (tmp_path / "report.html").read_text()
