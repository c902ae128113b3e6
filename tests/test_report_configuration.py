"""Table 2's configuration column and the flag where a ground multiplet is not the study's expected configuration."""

from test_report import molcas

from adatom_wf import report


def with_configuration(label, occupations, expected):
    record = molcas(label, g=(1.5, 1.5, 1.4), cf={(2, 0): 4.6}, pseudospin="13/2")
    record["multiplets"][0]["occupations"] = [{"character": c, "electrons": n} for c, n in occupations]
    record["expected_configuration"] = expected
    return record


DEMO_TB2 = (("4f", 7.999228), ("6s/5d0", 0.147787), ("5dxy+5dx2-y2", 0.852985))  # the demo's ground multiplet


def test_configuration_text_and_the_mismatch_with_the_expected_one():
    rows = report.table2([with_configuration("Tb2+", DEMO_TB2, {"4f": 8, "6s/5d0": 1})])
    (row,) = rows
    assert row["configuration"] == "4f^8.00 (6s/5d0)^0.15 (5dxy+5dx2-y2)^0.85"
    assert row["mismatch"] == ["6s/5d0 0.15 (expected 1)", "5dxy+5dx2-y2 0.85 (expected 0)"]  # unnamed groups: 0
    assert row["note"] == ("ground multiplet is not the study's expected configuration: 6s/5d0 0.15 (expected 1), "
                           "5dxy+5dx2-y2 0.85 (expected 0)")
    markdown = report.to_markdown(rows, report.TABLE2_COLUMNS)
    assert ("| 4f^8.00 (6s/5d0)^0.15 (5dxy+5dx2-y2)^0.85 | 1.503 | 1.503 | 1.435 | -3.940770 | -0.005776 | 0.000001 "
            "| 0.000027 | (1) |") in markdown


def test_within_half_an_electron_is_the_expected_configuration_and_no_expectation_no_flag():
    close = (("4f", 8.0), ("6s/5d0", 0.6), ("5dxy+5dx2-y2", 0.4))
    assert report.table2([with_configuration("Tb2+", close, {"4f": 8, "6s/5d0": 1})])[0]["mismatch"] == []
    assert report.table2([with_configuration("Tb2+", DEMO_TB2, None)])[0]["note"] is None
    assert report.table2([molcas("Tb3+", g=(1.5, 1.5, 1.5), pseudospin="6")])[0]["configuration"] is None


def test_the_report_says_which_ground_multiplets_differ(tmp_path):
    records = [with_configuration("Tb2+", DEMO_TB2, {"4f": 8, "6s/5d0": 1}),
               with_configuration("Tb1+", (("4f", 8.0), ("6s/5d0", 0.97), ("5dxy+5dx2-y2", 1.03)),
                                  {"4f": 8, "6s/5d0": 1, "5dxy+5dx2-y2": 1})]
    report.write_report(records, tmp_path)
    text = (tmp_path / "report.md").read_text()
    assert ("- **Tb2+: the ground multiplet is 4f^8.00 (6s/5d0)^0.15 (5dxy+5dx2-y2)^0.85, not the configuration the "
            "study expects** (6s/5d0 0.15 (expected 1), 5dxy+5dx2-y2 0.85 (expected 0)).") in text
    assert "- Tb1+: ground multiplet 4f^8.00 (6s/5d0)^0.97 (5dxy+5dx2-y2)^1.03." in text
