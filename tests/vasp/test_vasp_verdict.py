"""Judging VASP output on real recorded files (tests/fixtures/vasp, see PROVENANCE.md)."""

import shutil
from pathlib import Path

from adatom_wf.vasp.verdict import judge_vasp, outcar_finished, vasprun_ending

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "vasp"
VASPRUN = FIXTURES / "c_diamond_vasp630" / "vasprun.xml"
OUTCAR = FIXTURES / "ni18_vasp533" / "OUTCAR"


def finished_run(folder: Path) -> Path:
    shutil.copyfile(VASPRUN, folder / "vasprun.xml")
    (folder / "CONTCAR").write_text("C2\n1.0\n0 1.785 1.785\n1.785 0 1.785\n1.785 1.785 0\nC\n2\nDirect\n0 0 0\n"
                                    "0.25 0.25 0.25\n")
    (folder / "POTCAR").write_text("stand-in\n")
    return folder


def test_a_finished_converged_run_is_ok(tmp_path):
    verdict = judge_vasp(finished_run(tmp_path), 0)
    assert verdict.ok, verdict.reason
    assert verdict.details["vasp_version"] == "6.3.0" and verdict.details["ionic_steps"] == 1
    assert verdict.details["energy_sigma0_eV"] == -20.24720095


def test_a_killed_run_ends_inside_an_scstep(tmp_path):
    text = VASPRUN.read_text(encoding="latin-1")
    cut = text.rfind("<scstep>") + len("<scstep>")
    finished_run(tmp_path)
    (tmp_path / "vasprun.xml").write_text(text[:cut] + "\n   <time name=\"dav\">", encoding="latin-1")
    assert vasprun_ending(tmp_path / "vasprun.xml") == "inside an <scstep>"
    verdict = judge_vasp(tmp_path, 0)
    assert not verdict.ok and verdict.reason == "vasprun.xml ends inside an <scstep>: VASP was stopped mid-run"


def test_exit_code_missing_files_and_missing_potcar_are_named(tmp_path):
    verdict = judge_vasp(tmp_path, 137)
    assert verdict.reason.startswith("VASP exited with code 137; ") and "has no POTCAR" in verdict.reason
    assert verdict.reason.endswith("VASP wrote no vasprun.xml")
    finished_run(tmp_path)
    (tmp_path / "CONTCAR").unlink()
    assert judge_vasp(tmp_path, 0).reason == "VASP wrote no CONTCAR"


def test_electronic_non_convergence_is_a_failure(tmp_path):
    # The recorded run took 9 electronic steps; the same file with NELM lowered to 5 (edited here, at test
    # time) is what VASP writes when it stops at NELM without reaching EDIFF.
    finished_run(tmp_path)
    text = VASPRUN.read_text(encoding="latin-1")
    edited = text.replace('<i type="int" name="NELM">    60</i>', '<i type="int" name="NELM">     5</i>')
    assert edited != text
    (tmp_path / "vasprun.xml").write_text(edited, encoding="latin-1")
    verdict = judge_vasp(tmp_path, 0)
    assert (not verdict.ok
            and "electronic self-consistency not reached in the last ionic step (NELM = 5)" in verdict.reason)


def test_outcar_timing_footer(tmp_path):
    assert outcar_finished(OUTCAR)
    text = OUTCAR.read_text(encoding="latin-1")
    (tmp_path / "OUTCAR").write_text(text[: text.find("General timing")], encoding="latin-1")
    assert not outcar_finished(tmp_path / "OUTCAR")
    finished_run(tmp_path)
    assert judge_vasp(tmp_path, 0).reason == "OUTCAR has no timing footer: VASP did not finish"
