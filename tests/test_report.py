"""The report: Table 1, Table 2, spin-state gaps and levels from hand-made run records (no OpenMolcas, no VASP).

The records have the shapes ``adatom-wf show --json`` prints (docs/results.md), with small, realistic numbers.
"""

import csv
import io
import os
import re

import pytest

from adatom_wf import report
from adatom_wf.errors import StoreError

HARTREE_EV = 27.211386245988  # CODATA 2018, as quoted in the brief; scipy's CODATA 2022 differs by 3e-13 relative
E_HOLLOW, E_TOP, E_BRIDGE = -1183.40217, -1183.31731, -1183.31123  # eV, σ→0


def vasp(site, energy_sigma0_ev=None, height=None, status="ok", failure=None, natoms=129, converged=True):
    ok = status == "ok"
    return {"kind": "vasp", "path": f"/runs/tb/dft/{site}", "site": site, "status": status, "failure": failure,
            "energy_ev": energy_sigma0_ev + 0.0012 if ok else None,
            "energy_sigma0_ev": energy_sigma0_ev if ok else None,
            "ionic_steps": 31 if ok else 0, "natoms": natoms, "converged": converged if ok else False,
            "adatom": "Tb", "adatom_height_angstrom": height if ok else None}


def molcas(label, rasscf=(), g=None, cf=None, pseudospin=None, levels=None, jz=None, status="ok", failure=None,
           path=None):
    ok = status == "ok"
    multiplets = []
    if ok and g is not None:
        multiplets = [{"index": 1, "size": len(levels or []) or 13, "pseudospin": pseudospin, "g_main": list(g),
                       "g_axes": [[1, 0, 0], [0, 1, 0], [0, 0, 1]], "energies_cm1": list(levels or []),
                       "cf_parameters": [{"k": k, "q": q, "b_cm1": b} for (k, q), b in (cf or {}).items()]}]
    return {"kind": "molcas", "path": path or f"/runs/tb/molcas/{label}", "label": label, "status": status,
            "failure": failure, "molcas_version": "v22.10",
            "rasscf": [{"multiplicity": m, "root_energies_hartree": list(e), "converged": True, "iterations": 18}
                       for m, e in rasscf] if ok else [],
            "so_energies_cm1": list(levels or []) if ok else [], "multiplets": multiplets, "crystal_field_j": None,
            "doublets": [],
            "spectrum": {"levels_cm1": list(levels), "jz": list(jz), "main_axis": [0.0, 0.0, 1.0]}
            if ok and levels else None}


TB3_LEVELS = [0.0, 0.0001, 163.9, 163.9, 301.2, 301.2, 402.5, 404.3, 468.0, 468.0, 530.1, 530.1, 569.0]
TB3_JZ = [6.0, -6.0, 5.0, -5.0, 4.0, -4.0, 3.0, -3.0, 2.0, -2.0, 1.0, -1.0, 0.0]
TB2_LEVELS = [0.0, 0.0, 210.2, 210.2, 350.7, 350.7]
TB2_JZ = [6.5, -6.5, 5.5, -5.5, 4.5, -4.5]


def records():
    """Four sites (one failed) and four oxidation states (Tb1+ failed), deliberately out of order."""
    return [
        molcas("Tb0", rasscf=[(10, [-11690.610, -11690.600]), (8, [-11690.590]), (6, [-11690.5800]),
                              (4, [-11690.570])],
               g=(1.872, 1.872, 1.668), cf={(2, 0): 7.641457}, pseudospin="13/2"),
        vasp("bridge", E_BRIDGE, 2.3812),
        molcas("Tb3+", rasscf=[(7, [-11690.21, -11690.2095, -11690.205])], g=(1.508, 1.508, 1.476),
               cf={(2, 0): -6.07, (4, 0): 0.000216, (6, 0): 0.000021, (6, 6): 0.000041, (4, 3): 0.5},
               pseudospin="6", levels=TB3_LEVELS, jz=TB3_JZ),
        vasp("top", E_TOP, 2.3201),
        molcas("Tb1+", status="failed", failure="RASSCF for multiplicity 9 did not converge (200 iterations)"),
        vasp("hollow", E_HOLLOW, 2.2790),
        molcas("Tb2+", rasscf=[(6, [-11690.45, -11690.44]), (8, [-11690.477, -11690.47])], g=(1.503, 1.503, 1.435),
               cf={(2, 0): -3.94077, (4, 0): -0.005776}, pseudospin="13/2", levels=TB2_LEVELS, jz=TB2_JZ),
        vasp("fcc", status="failed", failure="vasprun.xml ends inside <scstep>"),
    ]


def test_table1_energies_relative_to_hollow_in_mev_and_site_order():
    rows = report.table1(records())
    assert [row["site"] for row in rows] == ["hollow", "top", "bridge", "fcc"]
    by_site = {row["site"]: row for row in rows}
    assert by_site["hollow"]["e_ads_rel_mev"] == 0.0
    assert by_site["top"]["e_ads_rel_mev"] == pytest.approx((E_TOP - E_HOLLOW) * 1000)  # 84.86 meV
    assert by_site["bridge"]["e_ads_rel_mev"] == pytest.approx((E_BRIDGE - E_HOLLOW) * 1000)  # 90.94 meV
    assert by_site["top"]["height_angstrom"] == 2.3201
    assert by_site["fcc"] == {"site": "fcc", "program": "vasp", "status": "failed", "e_ads_rel_mev": None,
                              "height_angstrom": None, "paper_e_ads_rel_mev": None, "paper_height_angstrom": None,
                              "note": "vasprun.xml ends inside <scstep>", "differences": {}}
    assert [(by_site[s]["paper_e_ads_rel_mev"], by_site[s]["paper_height_angstrom"])
            for s in ("hollow", "top", "bridge")] \
        == [(0.0, 2.28), (85.0, 2.32), (91.0, 2.38)]  # the paper's Table 1 beside a Tb run
    assert list(rows[0])[:len(report.TABLE1_COLUMNS)] == list(report.TABLE1_COLUMNS)


def test_table1_takes_gpaw_relaxations_like_vasp_ones_and_names_the_program():
    gpaw = [{**vasp(site, energy, height), "kind": "gpaw", "natoms": 33}
            for site, energy, height in (("top", -279.10, 2.25), ("hollow", -279.30, 2.20))]
    rows = report.table1(gpaw + [{**vasp("hollow", -279.0, 2.1), "adatom": "Dy", "path": "/zz/hollow"}])
    assert [(r["site"], r["program"]) for r in rows] == [("hollow", "gpaw"), ("hollow", "vasp"), ("top", "gpaw")]
    assert rows[2]["e_ads_rel_mev"] == pytest.approx(200.0) and rows[2]["paper_e_ads_rel_mev"] == 85.0
    assert rows[1]["paper_height_angstrom"] is None  # a Dy run has no paper value beside it


def test_table1_without_a_good_hollow_or_with_another_cell_gives_no_difference():
    failed_hollow = [vasp("hollow", status="failed", failure="killed"), vasp("top", E_TOP, 2.32)]
    rows = report.table1(failed_hollow)
    assert [row["e_ads_rel_mev"] for row in rows] == [None, None]
    assert rows[1]["note"] == "no successful hollow run to compare with"
    other_cell = report.table1([vasp("hollow", E_HOLLOW, 2.28), vasp("top", E_TOP, 2.32, natoms=73)])
    assert other_cell[1]["e_ads_rel_mev"] is None and "73 atoms" in other_cell[1]["note"]
    assert report.table1([molcas("Tb3+"), {**vasp("hollow", E_HOLLOW, 2.28), "site": None}]) == []
    unconverged = report.table1([vasp("hollow", E_HOLLOW, 2.28), vasp("top", E_TOP, 2.32, converged=False)])
    assert (unconverged[1]["e_ads_rel_mev"] is not None
            and unconverged[1]["note"] == "ionic relaxation not converged (31 steps)")


def test_table2_ordered_by_charge_with_g_in_printed_order_and_missing_parameters_none():
    rows = report.table2(records())
    assert [row["state"] for row in rows] == ["Tb3+", "Tb2+", "Tb1+", "Tb0"]
    tb3, tb2, tb1, tb0 = rows
    assert (tb3["g1"], tb3["g2"], tb3["g3"]) == (1.508, 1.508, 1.476)
    assert (tb3["B20"], tb3["B40"], tb3["B60"], tb3["B66"]) == (-6.07, 0.000216, 0.000021, 0.000041)
    assert tb3["pseudospin"] == "6" and tb2["pseudospin"] == "13/2"
    assert tb2["B60"] is None and tb2["B66"] is None
    assert tb1["status"] == "failed" and tb1["g1"] is None and tb1["B20"] is None and "did not converge" in tb1["note"]
    assert tb0["g3"] == 1.668 and tb0["B20"] == 7.641457


def test_state_order_unknown_labels_last_and_label_from_the_path():
    unlabelled = {**molcas("x"), "label": None, "path": "/runs/tb/molcas/Tb2+"}
    rows = report.table2([molcas("zeta"), molcas("Tb0"), molcas("alpha"), molcas("Tb-"), unlabelled, molcas("Tb3+")])
    assert [row["state"] for row in rows] == ["Tb3+", "Tb2+", "Tb0", "Tb-", "alpha", "zeta"]


def test_spin_gaps_in_ev_per_state_and_multiplicity():
    rows = report.spin_gaps(records())
    assert [(row["state"], row["multiplicity"]) for row in rows] == [
        ("Tb3+", 7), ("Tb2+", 8), ("Tb2+", 6), ("Tb1+", None), ("Tb0", 10), ("Tb0", 8), ("Tb0", 6), ("Tb0", 4)]
    by_key = {(row["state"], row["multiplicity"]): row for row in rows}
    assert by_key["Tb3+", 7]["gap_ev"] == 0.0 and by_key["Tb3+", 7]["lowest_root_hartree"] == -11690.21
    assert by_key["Tb2+", 8]["gap_ev"] == 0.0 and by_key["Tb2+", 8]["spin"] == "7/2"
    assert by_key["Tb2+", 6]["gap_ev"] == pytest.approx(0.027 * HARTREE_EV, rel=1e-9)  # 0.73 eV, paper: 0.74
    assert by_key["Tb0", 4]["gap_ev"] == pytest.approx(0.040 * HARTREE_EV, rel=1e-9)
    assert by_key["Tb0", 4]["spin"] == "3/2"
    assert by_key["Tb1+", None]["status"] == "failed" and by_key["Tb1+", None]["gap_ev"] is None


def test_level_rows_carry_energies_and_jz_per_state():
    rows = report.level_rows(records())
    tb3 = [row for row in rows if row["state"] == "Tb3+"]
    assert [row["energy_cm1"] for row in tb3] == TB3_LEVELS and [row["jz"] for row in tb3] == TB3_JZ
    assert [row["level"] for row in tb3] == list(range(13))
    assert [row["state"] for row in rows if row["level"] is None] == ["Tb1+", "Tb0"]  # failed; no spectrum
    panels = report.level_panels(rows)
    assert [panel["state"] for panel in panels] == ["Tb3+", "Tb2+"] and panels[1]["jz"] == TB2_JZ


def test_markdown_and_csv_content():
    rows = report.table1(records())
    markdown = report.to_markdown(rows, report.TABLE1_COLUMNS)
    lines = markdown.splitlines()
    assert lines[0] == ("| site | program | status | E − E(hollow) (meV) | height (Å) | paper (meV) | paper (Å) "
                        "| note |")
    assert lines[2] == "| hollow | vasp | ok | 0.0 | 2.279 | 0 | 2.28 |  |"
    assert lines[3] == f"| top | vasp | ok | {(E_TOP - E_HOLLOW) * 1000:.1f} | 2.320 | 85 | 2.32 |  |" \
        == "| top | vasp | ok | 84.9 | 2.320 | 85 | 2.32 |  |"
    assert lines[5] == "| fcc | vasp | failed | — | — | — | — | (1) |"
    assert lines[-1] == "- (1) fcc: vasprun.xml ends inside &lt;scstep&gt;"
    text = report.to_csv(rows, report.TABLE1_COLUMNS)
    assert text.splitlines()[0] == ("site,program,status,e_ads_rel_mev,height_angstrom,paper_e_ads_rel_mev,"
                                    "paper_height_angstrom")
    assert text.splitlines()[-1] == "fcc,vasp,failed,,,,"
    assert "scstep" not in text
    parsed = list(csv.DictReader(io.StringIO(text)))
    assert float(parsed[2]["e_ads_rel_mev"]) == pytest.approx((E_BRIDGE - E_HOLLOW) * 1000, abs=0.05)


def test_formatting_is_fixed_and_signless_at_zero():
    assert report.format_value("B20", -6.07) == "-6.070000"
    assert report.format_value("gap_ev", -1e-12) == "0.0000"
    assert report.format_value("energy_cm1", 0) == "0.000"
    assert report.format_value("multiplicity", 8) == "8" and report.format_value("g1", None) is None
    markdown = report.to_markdown([{"state": "a|b", "note": "two\nlines | pipe"}], ["state"])
    assert "| a\\|b | (1) |" in markdown and "- (1) a\\|b: two lines \\| pipe" in markdown


def test_paper_table2_round_trips_through_markdown():
    paper = {  # REFERENCE.md, Table 2: g1, g2, g3, B20, B40, B60, B66
        "Tb3+": (1.508, 1.508, 1.480, -5.375455, 0.000216, 0.000021, 0.000041),
        "Tb2+": (1.503, 1.503, 1.435, -3.940770, -0.005776, 0.000001, 0.000027),
        "Tb1+": (2.511, 2.511, 2.022, 6.071690, 0.022960, -0.000007, 0.000139),
        "Tb0": (1.872, 1.872, 1.668, 7.641457, 0.004203, 0.000005, 0.000003),
    }
    cf_keys = ((2, 0), (4, 0), (6, 0), (6, 6))
    given = [molcas(label, g=values[:3], cf=dict(zip(cf_keys, values[3:])), pseudospin="6")
             for label, values in reversed(paper.items())]
    markdown = report.to_markdown(report.table2(given), report.TABLE2_COLUMNS)
    body = [line.strip("|").split("|") for line in markdown.splitlines()[2:]]
    read = {cells[0].strip(): tuple(float(cell) for cell in cells[3:10]) for cells in body}
    assert list(read) == ["Tb3+", "Tb2+", "Tb1+", "Tb0"]
    assert read == paper  # 4 decimals for g and 6 for B_k^q keep every printed digit of the paper
    assert "| Tb1+ | ok | 6 | 2.5110 | 2.5110 | 2.0220 | 6.071690 | 0.022960 | -0.000007 | 0.000139 |" in markdown


def test_table2_stands_beside_the_papers_values_and_marks_what_differs():
    computed = [molcas("Tb2+", g=(1.61, 1.61, 0.84), cf={(2, 0): 3.22, (4, 0): -0.0050, (6, 0): -0.000003},
                       pseudospin="13/2"),
                molcas("Tb3+", g=(1.508, 1.530, 1.476), cf={(2, 0): -6.25, (4, 0): 0.000500}, pseudospin="6"),
                molcas("Dy3+", g=(1.0, 1.0, 19.0), cf={(2, 0): -2.0}, pseudospin="15/2")]
    dy3, tb3, tb2 = report.table2(computed)  # by charge, then label
    assert (tb2["paper_g3"], tb2["paper_B20"], tb2["paper_B66"]) == (1.435, -3.940770, 0.000027)
    assert tb2["differences"] == {"g1": "+0.107", "g2": "+0.107", "g3": "-0.595", "B20": "opposite sign"}
    # g2 off by 0.022 and B_2^0 by ×1.16 agree within the marks; B_4^0 ×2.3 does not; B_6^q are never marked
    assert tb3["differences"] == {"B40": "×2.3"}
    assert dy3["paper_g1"] is None and dy3["differences"] == {}  # another adatom: no paper column
    header = report.to_csv([tb3], report.TABLE2_COLUMNS).splitlines()[0]
    assert header == ("state,status,pseudospin,g1,g2,g3,B20,B40,B60,B66,configuration,paper_g1,paper_g2,paper_g3,"
                      "paper_B20,paper_B40,paper_B60,paper_B66")
    assert report._paper_lines([tb3, tb2, dy3], report.TABLE2_MARKS)[2:4] == [
        "- Tb3+: B_4^0 0.000500 vs paper 0.000216 (×2.3)",
        "- Tb2+: g1 1.6100 vs paper 1.503 (+0.107); g2 1.6100 vs paper 1.503 (+0.107); g3 0.8400 vs paper 1.435 "
        "(-0.595); B_2^0 3.220000 vs paper -3.940770 (opposite sign)"]
    assert report._paper_lines([dy3], report.TABLE2_MARKS) == []


def test_table1_marks_heights_and_energies_far_from_the_papers():
    gpaw_like = [vasp("hollow", E_HOLLOW, 2.056), vasp("top", E_HOLLOW + 0.1134, 2.30), vasp("bridge", E_BRIDGE, 2.026)]
    rows = report.table1(gpaw_like)
    assert [row["differences"] for row in rows] == [
        {"height_angstrom": "-0.224 Å"}, {"e_ads_rel_mev": "+28 meV"}, {"height_angstrom": "-0.354 Å"}]
    lines = report._paper_lines(rows, report.TABLE1_MARKS)
    assert lines[2:5] == ["- hollow: height 2.056 vs paper 2.28 (-0.224 Å)",
                          "- top: E − E(hollow) 113.4 vs paper 85 (+28 meV)",
                          "- bridge: height 2.026 vs paper 2.38 (-0.354 Å)"]
    assert report._paper_lines(report.table1(records()), report.TABLE1_MARKS)[2] == "- every value within those marks."


def test_write_report_writes_every_file_deterministically(tmp_path):
    written = report.write_report(records(), tmp_path / "report")
    names = [path.name for path in written]
    assert set(names) == set(report.REPORT_FILES) and names[-1] == "report.md"
    first = {path.name: path.read_bytes() for path in written}
    assert first["levels_by_jz.png"][:8] == b"\x89PNG\r\n\x1a\n" and b"Software" not in first["spin_gaps.png"]
    assert first["table1.md"].decode() == report.to_markdown(report.table1(records()), report.TABLE1_COLUMNS)
    index = first["report.md"].decode()
    assert "![Spin-state gaps](spin_gaps.png)" in index and "![Levels vs ⟨Jz⟩](levels_by_jz.png)" in index
    assert "(table2.csv)" in index and "| Tb3+ | ok | 6 | 1.5080 | 1.5080 | 1.4760 | -6.070000 |" in index
    assert "Not plotted (failed or without a spectrum): Tb1+, Tb0." in index
    assert str(tmp_path) not in index and "/runs/" not in index
    assert str(tmp_path) not in first["report.html"].decode() and "/runs/" not in first["report.html"].decode()
    again = report.write_report(list(reversed(records())), tmp_path / "report")
    assert {path.name: path.read_bytes() for path in again} == first
    assert not [name for name in os.listdir(tmp_path / "report") if name.endswith(".tmp")]


def test_write_report_skips_missing_kinds_and_removes_stale_files(tmp_path):
    out = tmp_path / "report"
    report.write_report(records(), out)
    written = report.write_report([r for r in records() if r["kind"] == "molcas"], out)
    assert "table1.md" not in [path.name for path in written]
    assert not (out / "table1.md").exists() and not (out / "table1.csv").exists()
    assert "Skipped: no VASP or GPAW runs in the store." in (out / "report.md").read_text()
    written = report.write_report([r for r in records() if r["kind"] == "vasp"], out)
    assert sorted(path.name for path in written) == ["report.html", "report.md", "table1.csv", "table1.md"]
    assert sorted(os.listdir(out)) == ["report.html", "report.md", "table1.csv", "table1.md"]
    assert "Skipped: no OpenMolcas runs in the store." in (out / "report.md").read_text()


def test_write_report_with_only_failed_states_skips_the_figures(tmp_path):
    written = report.write_report([molcas("Tb3+", status="failed", failure="SEWARD: out of memory")], tmp_path)
    assert not [path for path in written if path.suffix == ".png"]
    index = (tmp_path / "report.md").read_text()
    assert "Figure skipped: no OpenMolcas run has RASSCF root energies." in index
    assert "Figure skipped: no OpenMolcas run has a spectrum." in index
    assert "- (1) Tb3+: SEWARD: out of memory" in index


def test_nothing_to_report_is_one_clear_error(tmp_path):
    with pytest.raises(StoreError, match=r"^nothing to report: the store holds no runs") as error:
        report.write_report([], tmp_path / "report")
    assert "\n" not in str(error.value) and not (tmp_path / "report").exists()


def test_plots_are_byte_identical_on_a_second_write(tmp_path):
    from adatom_wf.analysis.plots import plot_levels_by_jz, plot_spin_gaps

    panels = report.level_panels(report.level_rows(records()))
    gaps = report.spin_gaps(records())
    def draw():
        return [plot_levels_by_jz(panels, tmp_path / "a.png").read_bytes(),
                plot_spin_gaps(gaps, tmp_path / "b.png").read_bytes()]

    first, second = draw(), draw()
    assert first == second and all(len(data) > 5000 for data in first)
    assert not re.search(rb"tEXt.{0,8}Software", first[0])
