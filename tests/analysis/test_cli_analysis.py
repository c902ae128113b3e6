"""The analysis verbs: documented --json keys, figures, and one-line errors with exit code 2 on bad input."""

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
from table2_tb3 import run

TB3 = ["--pseudospin", "6", "--cf", "2,0=-5.375455", "--cf", "4,0=0.000216", "--cf", "6,0=0.000021",
       "--cf", "6,6=0.000041"]


def test_spectrum_json_carries_the_documented_keys(capsys):
    code, out, _ = run(capsys, "spectrum", *TB3, "--g", "1.508,1.508,1.480", "--json")
    assert code == 0
    data = json.loads(out)
    for key in ("levels_cm1", "doublets", "e_zfs_cm1", "e_mab_cm1", "u_eff_cm1", "kramers", "singlets",
                "relaxation_path", "kramers_check", "main_axis", "barrier_jz", "transition_moments_mub"):
        assert key in data, key
    assert set(data["doublets"][0]) >= {"energy_cm1", "jz_abs", "tunnel_splitting_cm1", "g_main"}
    assert data["kramers"] is False and len(data["levels_cm1"]) == 13 and data["levels_cm1"][0] == 0
    assert round(data["u_eff_cm1"]) == 437 and round(data["doublets"][0]["jz_abs"]) == 6


def test_spectrum_text_and_figure(capsys, tmp_path):
    code, out, _ = run(capsys, "spectrum", *TB3, "--g", "1.508,1.508,1.480", "--plot", tmp_path / "levels.png")
    assert code == 0 and "U_eff = 436.76 cm^-1" in out and "E_ZFS = 163.03 cm^-1" in out
    assert (tmp_path / "levels.png").read_bytes()[:4] == b"\x89PNG"


def test_relaxation_magnetisation_deflection_json_and_figures(capsys, tmp_path):
    code, out, _ = run(capsys, "relaxation", "--u-eff-cm1", "436", "--raman-c", "1e-6", "--temperature-k", "2:60:5",
                       "--json", "--plot", tmp_path / "tau.png")
    data = json.loads(out)
    assert code == 0 and len(data["tau_s"]) == 5 and data["model"]["raman_n"] == 7
    assert [b["observation_time_s"] for b in data["blocking_temperatures_k"]] == [100.0, 1e-4]
    code, out, _ = run(capsys, "magnetisation", "--free-spin-j", "1/2", "--g", "2", "--field-t", "0,7",
                       "--temperature-k", "2", "--chi-temperature-k", "2,300", "--powder-points", "110", "--json",
                       "--plot", tmp_path / "m.png")
    data = json.loads(out)
    assert code == 0 and data["magnetisation_mub"]["powder (110 lebedev points)"][1][0] == pytest.approx(0.99, abs=0.01)
    assert data["chi_t"]["chi_t_cm3_k_mol"]["powder (110 lebedev points)"][1] == pytest.approx(0.3751, rel=1e-3)
    code, out, _ = run(capsys, "deflection", "--mass-amu", "560.3", "--velocity-m-s", "500", "--spin-j", "1/2",
                       "--g", "2", "--beam-temperature-k", "25", "--relaxation-time-s", "1", "--json",
                       "--plot", tmp_path / "d.png")
    data = json.loads(out)
    assert code == 0 and data["regime"] == "atom-like" and data["flight_time_s"] == pytest.approx(1e-4)
    assert {"atom_like", "superparamagnetic", "profile"} <= set(data)
    for name in ("tau.png", "m.png", "d.png"):
        assert (tmp_path / name).stat().st_size > 1000


def test_relaxation_fits_a_file(capsys, tmp_path):
    rate = lambda t: 1e10 * math.exp(-300 / (0.695 * t)) + 1e-4 * t**9 + 1.0  # noqa: E731
    rows = "\n".join(f"{t}, {1 / rate(t)}" for t in range(3, 40, 2))
    (tmp_path / "tau.csv").write_text("# T_K, tau_s\n" + rows + "\n")
    code, out, _ = run(capsys, "relaxation", "--fit", tmp_path / "tau.csv", "--kramers", "--json")
    data = json.loads(out)
    assert code == 0 and data["model"]["u_eff_cm1"] == pytest.approx(300, rel=0.02) and "fit" in data


@pytest.mark.parametrize(("args", "words"), [
    (["spectrum", "--pseudospin", "6.3", "--cf", "2,0=-5"], "not a positive multiple of 1/2"),
    (["spectrum", "--pseudospin", "6", "--cf", "2,7=-5"], "O_2^7 does not exist"),
    (["spectrum", "--pseudospin", "6", "--cf", "3,0=1"], "must be even"),
    (["spectrum", "--pseudospin", "6", "--cf", "2,0=abc"], "'abc' is not a number"),
    (["spectrum", "--pseudospin", "6", "--cf", "2,0"], "is not 'k,q=value'"),
    (["spectrum", "--pseudospin", "6", "--cf", "2,0=nan"], "not a finite number"),
    (["spectrum", "--cf", "2,0=-5"], "--pseudospin is required"),
    (["spectrum", "--pseudospin", "6", "--g", "1,2"], "expected 1 or 3 or 9"),
    (["spectrum", "--pseudospin", "13/2", "--cf", "2,0=-3.94077"], "--g is required for --pseudospin 13/2"),
    (["magnetisation", "--pseudospin", "6", "--cf", "2,0=-5"], "--g is required for --pseudospin 6"),
    (["magnetisation", "--free-spin-j", "7/2"], "--g is required for --free-spin-j 7/2"),
    (["relaxation", "--u-eff-cm1", "436", "--temperature-k", "0:10:5"], "temperature must be > 0"),
    (["relaxation", "--u-eff-cm1", "-3"], "U_eff must be >= 0"),
    (["relaxation", "--u-eff-cm1", "436", "--tau0-s", "x"], "--tau0-s: 'x' is not a number"),
    (["relaxation", "--fit", "missing.csv"], "cannot read"),
    (["magnetisation", "--free-spin-j", "7/2", "--g", "2", "--temperature-k", "-2"], "temperature must be > 0"),
    (["magnetisation", "--free-spin-j", "7/2", "--g", "2", "--field-t", "inf"], "not a finite number"),
    (["magnetisation", "--free-spin-j", "7/2", "--g", "2", "--powder-points", "100"], "no Lebedev grid has 100 points"),
    (["deflection", "--mass-amu", "560", "--velocity-m-s", "500", "--spin-j", "1/2", "--g", "2",
      "--gradient-t-per-m", "-650"], "field gradient must be > 0"),
    (["deflection", "--mass-amu", "560", "--velocity-m-s", "500", "--spin-j", "1/2", "--g", "2",
      "--beam-temperature-k", "0"], "beam temperature must be > 0"),
    (["deflection", "--mass-amu", "560", "--spin-j", "1/2", "--g", "2"], "exactly one of --velocity-m-s"),
    (["deflection", "--mass-amu", "560", "--velocity-m-s", "500", "--spin-j", "0.3", "--g", "2"], "multiple of 1/2"),
])
def test_bad_input_gives_one_line_and_exit_2(capsys, tmp_path, monkeypatch, args, words):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, *args)
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and lines[0].startswith("adatom-wf: error: "), err
    assert words in lines[0]


def test_analysis_verbs_import_no_numpy_for_help():
    probe = (
        "import sys\nfrom adatom_wf.cli import main\n"
        "for verb in ('spectrum', 'relaxation', 'magnetisation', 'deflection', 'zeeman', 'ac'):\n"
        "    try:\n        main([verb, '--help'])\n    except SystemExit as exit:\n        assert exit.code == 0\n"
        "assert 'numpy' not in sys.modules and 'matplotlib' not in sys.modules\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_spectrum_moment_convention_option_is_labelled_in_json(capsys):
    code, out, _ = run(capsys, "spectrum", *TB3, "--g", "1.508,1.508,1.480", "--json")
    default = json.loads(out)
    code_norm, out, _ = run(capsys, "spectrum", *TB3, "--g", "1.508,1.508,1.480", "--json",
                            "--moment-convention", "norm")
    norm = json.loads(out)
    assert code == code_norm == 0
    assert default["moment_convention"] == "single_aniso" and norm["moment_convention"] == "norm"
    assert default["transition_moments_mub"][0][2] == pytest.approx(1.741, abs=5e-4)
    assert norm["transition_moments_mub"][0][2] == pytest.approx(3.694, abs=5e-4)


def test_tb2_ground_g_comes_from_the_given_g_not_from_2(capsys):
    """Tb2+ (Table 2): g_z of the ±13/2 ground doublet is 13 × 1.435 = 18.655, not 13 × 2 = 26."""
    tb2 = ["--pseudospin", "13/2", "--cf", "2,0=-3.940770", "--cf", "4,0=-0.005776", "--cf", "6,0=0.000001",
           "--cf", "6,6=0.000027"]
    code, out, _ = run(capsys, "spectrum", *tb2, "--g", "1.503,1.503,1.435", "--json")
    assert code == 0 and json.loads(out)["doublets"][0]["g_main"] == pytest.approx(18.655, abs=1e-3)
    code, _, err = run(capsys, "spectrum", *tb2)
    assert code == 2 and "--g is required" in err
    code, out, _ = run(capsys, "spectrum", "--pseudospin", "1/2", "--json")  # S = 1/2: g = 2 stands
    assert code == 0 and json.loads(out)["doublets"][0]["g_main"] == pytest.approx(2.0)


def test_relaxation_direct_exponent_follows_kramers_parity(capsys):
    base = ["relaxation", "--u-eff-cm1", "436", "--direct-a", "1", "--field-t", "2", "--temperature-k", "2",
            "--raman-field-b", "1e-3", "--json"]
    code, out, _ = run(capsys, *base, "--kramers")
    kramers = json.loads(out)
    assert code == 0 and kramers["model"]["direct_m"] == 4
    assert kramers["rates_per_s"]["direct"][0] == pytest.approx(16 * 2) and "raman_field" in kramers["rates_per_s"]
    assert kramers["rates_per_s"]["raman_field"][0] == pytest.approx(1e-3 * 4 * 2**7)
    code, out, _ = run(capsys, *base, "--non-kramers")
    assert code == 0 and json.loads(out)["rates_per_s"]["direct"][0] == pytest.approx(4 * 2)


def test_a_stored_kramers_model_with_an_even_electron_count_is_refused(capsys, tmp_path):
    """A real store of the real Tb3+ run (8 active electrons), its Kramers flag set as a foreign writer might."""
    import sys

    sys.path.insert(0, str(Path(__file__).parents[1] / "molcas"))
    from tb3p_run import unpack_tb3p

    from adatom_wf.parse import parse_directory
    from adatom_wf.store import write_runs

    result = parse_directory(unpack_tb3p(tmp_path / "run"), label="Tb3+")
    result.record["spectrum"]["kramers"] = True
    store = tmp_path / "results.h5"
    write_runs(store, [result])
    code, _, err = run(capsys, "spectrum", str(store), "--state", "Tb3+")
    assert code == 2 and "Kramers parity needs an odd electron count" in err


def test_magnetisation_powder_grid_is_converged_by_default_and_reported(capsys):
    """Tb3+ at 7 T, 2 K: 4.61094 μB exact (issue 29; tests/analysis/test_magnetism.py), 4.5944 with 110 Lebedev
    points (0.36 % low: the kink of |cos θ| at the equator)."""
    code, out, _ = run(capsys, "magnetisation", *TB3, "--g", "1.508,1.508,1.480", "--field-t", "7",
                       "--temperature-k", "2", "--chi-temperature-k", "300", "--json")
    data = json.loads(out)
    powder = data["powder"]
    assert code == 0 and powder["converged"] and powder["tolerance_relative"] == 1e-5
    assert powder["label"] == f"powder ({powder['points']} gauss-legendre points)" and powder["axis"] == [0, 0, 1]
    value = data["magnetisation_mub"][powder["label"]][0][0]
    assert abs(value - 4.61094) <= powder["estimated_error_mub"] + 1e-5  # the reference's last digit
    code, out, _ = run(capsys, "magnetisation", *TB3, "--g", "1.508,1.508,1.480", "--field-t", "7",
                       "--temperature-k", "2", "--chi-temperature-k", "300", "--powder-points", "110", "--json")
    data = json.loads(out)
    assert "powder" not in data and data["magnetisation_mub"]["powder (110 lebedev points)"][0][0] == pytest.approx(
        4.5944, abs=1e-4)
