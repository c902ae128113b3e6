"""``parse``, ``show``, ``report`` and ``spectrum STORE --state`` as a user runs them, on real outputs:
the trimmed real Tb3+ OpenMolcas run (tests/molcas/fixtures/run_tb3p) and recorded real VASP outputs."""

import json
import shutil
import sys
from pathlib import Path

import h5py
import pytest

sys.path.insert(0, str(Path(__file__).parent / "molcas"))
from tb3p_run import unpack_tb3p  # noqa: E402

VASP_FIXTURES = Path(__file__).parent / "fixtures" / "vasp"
SHOW_KEYS = {"kind", "path", "status", "failure"}
MOLCAS_KEYS = {"molcas_version", "rasscf", "so_energies_cm1", "multiplets", "doublets"}
VASP_KEYS = {"energy_ev", "energy_sigma0_ev", "ionic_steps", "natoms", "converged", "adatom_height_angstrom"}


def vasp_run(where: Path, name: str = "hollow") -> Path:
    folder = where / name
    folder.mkdir(parents=True)
    shutil.copy(VASP_FIXTURES / "c_diamond_vasp630" / "vasprun.xml", folder)
    return folder


def test_parse_run_directories_then_show_json(tmp_path, cli):
    molcas = unpack_tb3p(tmp_path / "runs")
    vasp = vasp_run(tmp_path / "runs")
    result = cli("parse", molcas, vasp, "--store", "out.h5")
    assert result.returncode == 0, result.stderr
    shown = cli("show", "out.h5", "--json")
    assert shown.returncode == 0, shown.stderr
    runs = {run["kind"]: run for run in json.loads(shown.stdout)["runs"]}
    assert SHOW_KEYS | MOLCAS_KEYS <= set(runs["molcas"]) and SHOW_KEYS | VASP_KEYS <= set(runs["vasp"])
    tb3 = runs["molcas"]
    assert tb3["status"] == "ok" and tb3["failure"] is None and tb3["molcas_version"] == "v22.10"
    assert tb3["rasscf"][0]["multiplicity"] == 7 and tb3["so_energies_cm1"][0] == 0.0
    assert {"size", "g_main", "cf_parameters"} <= set(tb3["multiplets"][0])
    assert {"k", "q", "b_cm1"} == set(tb3["multiplets"][0]["cf_parameters"][0])
    assert {"energy_cm1", "tunnel_splitting_cm1", "g_main"} <= set(tb3["doublets"][0])
    assert runs["vasp"]["status"] == "ok" and runs["vasp"]["natoms"] == 2
    text = cli("show", "out.h5")
    assert text.returncode == 0 and "molcas/Tb3+" in text.stdout and "g = 1.508/1.508/1.476" in text.stdout


def test_a_failed_run_is_stored_as_failed_and_parse_exits_1(tmp_path, cli):
    molcas = unpack_tb3p(tmp_path / "runs")
    log = molcas / "Tb3p.casscf.log"
    log.write_text(log.read_text()[:200000])  # killed inside RASSCF's output
    result = cli("parse", molcas, "--store", "out.h5")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stdout.startswith("failed molcas") and "never finished" in result.stdout
    assert result.stderr.strip().splitlines() == [f"adatom-wf: error: 1 of 1 run(s) parsed as failed ({molcas}); "
                                                  "stored with their reasons in out.h5"]
    as_json = cli("parse", molcas, "--store", "out.h5", "--json")
    assert as_json.returncode == 1 and json.loads(as_json.stdout)["runs"][0]["status"] == "failed"
    run = json.loads(cli("show", "out.h5", "--json").stdout)["runs"][0]
    assert run["status"] == "failed" and run["multiplets"] == [] and run["so_energies_cm1"] == []


def test_parse_a_study_and_report_it(tmp_path, cli):
    unpack_tb3p(tmp_path / "runs" / "demo_tb_benzene" / "molcas")
    result = cli("parse", "demo_tb_benzene", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["store"] == "runs/demo_tb_benzene/results.h5"
    assert [run["status"] for run in data["runs"]] == ["ok"]
    assert any(path.endswith("molcas/Tb0") for path in data["not_run"])
    with h5py.File(tmp_path / data["store"]) as h5:
        assert h5.attrs["study"] == "demo_tb_benzene" and len(h5.attrs["study_sha256"]) == 64
    report = cli("report", "demo_tb_benzene")
    assert report.returncode == 0, report.stderr
    out = tmp_path / "runs" / "demo_tb_benzene" / "report"
    assert (out / "table2.md").is_file() and (out / "levels_by_jz.png").is_file()
    assert "1.508" in (out / "table2.md").read_text()


def test_spectrum_of_a_stored_state_matches_the_stored_record(tmp_path, cli):
    unpack_tb3p(tmp_path / "runs")
    assert cli("parse", tmp_path / "runs" / "Tb3+", "--store", "out.h5").returncode == 0
    result = cli("spectrum", "out.h5", "--state", "Tb3+", "--json")
    assert result.returncode == 0, result.stderr
    spectrum = json.loads(result.stdout)
    stored = json.loads(cli("show", "out.h5", "--json").stdout)["runs"][0]
    assert spectrum["levels_cm1"] == pytest.approx(stored["spectrum"]["levels_cm1"], abs=1e-9)
    assert spectrum["doublets"][0]["g_main"] == pytest.approx(stored["doublets"][0]["g_main"], abs=1e-9)
    missing = cli("spectrum", "out.h5", "--state", "Tb2+")
    assert missing.returncode == 2 and "has no OpenMolcas run 'Tb2+' (stored: Tb3+)" in missing.stderr


@pytest.mark.parametrize("args, message", [
    (("parse", "nowhere", "--store", "x.h5"), "nowhere is not a directory"),
    (("parse", "."), "give --store FILE.h5"),
    (("parse", "demo_tb_benzene"), "has no run with output"),
    (("show", "missing.h5"), "missing.h5 does not exist"),
    (("report", "demo_tb_benzene"), "results.h5 does not exist"),
    (("spectrum", "--state", "Tb3+"), "--state needs a store"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, cli, args, message):
    result = cli(*args)
    assert result.returncode == 2 and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert not (tmp_path / "x.h5").exists()


def test_a_directory_that_is_no_run_is_refused_and_nothing_written(tmp_path, cli):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "a.txt").write_text("hello")
    result = cli("parse", "notes", "--store", "out.h5")
    assert result.returncode == 2 and "is neither a VASP run" in result.stderr
    assert not (tmp_path / "out.h5").exists()
