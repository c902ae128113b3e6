"""Measured ac susceptibility in (real Quantum Design files, tests/fixtures/magnetometry/PROVENANCE.md), fitted per
series as ccfit2 fits them, and tau.csv in ccfit2's layout."""

import json
import math
from pathlib import Path

import numpy as np
import pytest

from adatom_wf.analysis.ac_fit import TAU_HEADER, fit_series, tau_table
from adatom_wf.analysis.measured import read_ac_data, read_tau_data
from adatom_wf.errors import AnalysisError

FIXTURES = Path(__file__).parent.parent / "fixtures" / "magnetometry"
MPMS3 = FIXTURES / "ErCOTI_THF2_ACvsF_MPMS3.dat"
MPMS_XL = FIXTURES / "pb6051_ac_MPMS-XL.dat"
# ccfit2 5.12.4 on the same file (GeneralisedDebyeModel, Experiment.from_file(temp_thresh=0.05); measured with
# bench/bench_ac_vs_ccfit2.py): T (K) -> (tau, 1σ, alpha)
CCFIT2 = {5.0: (2.3311e-03, 2.75e-05, 0.141), 9.0: (1.4298e-03, 1.03e-05, 0.085), 11.1: (2.0113e-04, 2.75e-06, 0.043)}


def test_an_mpms3_file_gives_one_series_per_temperature_in_molar_units():
    data = read_ac_data(MPMS3)
    assert (data.mass_mg, data.molar_mass_g_mol, data.unit, data.skipped_rows) == (26.3, 542.53, "emu/Oe", 0)
    temperatures = [round(s.temperature_k, 1) for s in data.series]
    # 0.1 K steps from 10.5 K stay apart (ccfit2's default 0.1 K threshold would merge them)
    assert temperatures == [5.0, 5.5, 6.0, 6.5, 7.0, 7.5, 8.0, 8.5, 9.0, 9.5, 10.0, 10.5, 10.6, 10.7, 10.8, 10.9, 11.0,
                            11.1]
    first = data.series[0]
    assert len(first.frequency_hz) == 30 and np.all(np.diff(first.frequency_hz) > 0)
    # the first data row of the file: AC X'' 1.99391174645994E-5 emu/Oe at 999 Hz, 11.10 K
    last = data.series[-1]
    assert last.chi_imag[-1] == pytest.approx(1.99391174645994e-5 * 542.53 / 0.0263, rel=1e-12)


def test_an_mpms_xl_file_needs_the_mass_and_divides_moments_by_the_drive():
    with pytest.raises(AnalysisError, match="give --mass-mg"):
        read_ac_data(MPMS_XL)
    data = read_ac_data(MPMS_XL, mass_mg=21.3, molar_mass_g_mol=500.0)
    (series,) = data.series
    assert (data.unit == "emu" and len(series.frequency_hz) == 13
            and series.temperature_k == pytest.approx(4.0, abs=1e-3))
    # first row: m' 1.181545e-4 emu at a 6 Oe drive, 0.1 Hz
    assert series.chi_real[0] == pytest.approx(1.181545e-4 / 6.0 * 500.0 / 0.0213, rel=1e-9)


def test_generalised_debye_fits_agree_with_ccfit2_on_the_same_file():
    data = read_ac_data(MPMS3)
    fits = {round(s.temperature_k, 1): fit_series(s)[0] for s in data.series}
    for temperature, (tau, sigma, alpha) in CCFIT2.items():
        fit = fits[temperature]
        assert abs(fit.tau_s - tau) < 0.05 * sigma + 1e-4 * tau  # ccfit2's 5 printed digits
        assert fit.tau_s_err == pytest.approx(sigma, rel=0.02) and fit.alpha == pytest.approx(alpha, abs=6e-4)
        assert fit.in_window
    assert fits[5.0].sigma_ln_tau == pytest.approx(math.sqrt((1 / (1 - fits[5.0].alpha) ** 2 - 1) * math.pi ** 2 / 3))


def test_tau_csv_is_ccfit2s_layout_and_reads_back(tmp_path):
    data = read_ac_data(MPMS3)
    text = tau_table([fit for s in data.series for fit in fit_series(s)])
    lines = text.splitlines()
    assert lines[0] == ", ".join(TAU_HEADER) and lines[0].startswith("T (K), H (Oe), tau (s), tau-s-dev (s), chi_S")
    assert len(lines) == 19
    path = tmp_path / "tau.csv"
    path.write_text(text)
    tau = read_tau_data(path)
    assert (tau.temperature_k[0] == pytest.approx(5.0, abs=1e-3)
            and np.exp(tau.ln_tau[0]) == pytest.approx(2.3311e-3, rel=1e-4))
    assert tau.sigma_ln_tau is not None and tau.fit_upper_ln_tau is not None


@pytest.mark.parametrize("content, message", [
    ("[Data]\nTime,Temperature (K)\n1,2\n", "has no frequency column"),
    ("Temperature (K),AC Frequency (Hz),chi_real_cm3_mol,chi_imag_cm3_mol\n2,10,abc,0.1\n",
     "data row 1: chi_real_cm3_mol is 'abc', not a number"),
    ("", "holds no header line and no rows"),
])
def test_a_bad_file_is_one_line(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    with pytest.raises(AnalysisError, match=message):
        read_ac_data(path)


def test_ac_data_end_to_end_from_the_command_line(tmp_path, cli):
    result = cli("ac", "--data", MPMS3, "--out", tmp_path / "fit", "--json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert len(out["fits"]) == 18 and set(out["fits"][0]) >= {
        "temperature_k", "field_oe", "tau_s", "tau_s_err", "alpha", "alpha_err", "chi_s", "chi_t", "sigma_ln_tau"}
    assert sorted(p.name for p in (tmp_path / "fit").iterdir()) == ["chi_imag.png", "cole_cole.png", "tau.csv"]
    bad = cli("ac", "--data", MPMS_XL)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
    assert "--mass-mg" in bad.stderr
    mixed = cli("ac", "--data", MPMS3, "--pseudospin", "6")
    assert mixed.returncode == 2 and "belongs to the prediction" in mixed.stderr


# ccfit2 5.12.4, MultiLogTauTModel(Orbach + QTM) on the same 18 tau values weighted by sigma(ln tau) (started from
# u_eff 100 K, A -8, Q -2.6; its default guesses stay at u_eff 1500 K): bench/bench_ac_vs_ccfit2.py
CCFIT2_ORBACH_QTM = {"u_eff": (136.5096, 0.8942), "A": (-8.99543, 0.03620), "Q": (-2.643654, 0.002549)}


def test_ac_then_relaxation_from_the_command_line_agrees_with_ccfit2(tmp_path, cli):
    assert cli("ac", "--data", MPMS3, "--out", tmp_path / "fit").returncode == 0
    result = cli("relaxation", "--data", tmp_path / "fit" / "tau.csv", "--processes", "orbach,qtm", "--json",
                 "--plot", tmp_path / "tau.png")
    assert result.returncode == 0, result.stderr
    fit = json.loads(result.stdout)["fit"]
    for name, (value, sigma) in CCFIT2_ORBACH_QTM.items():
        assert abs(fit[name] - value) < 0.01 * sigma and fit[f"{name}_err"] == pytest.approx(sigma, rel=1e-3)
    assert fit["u_eff_k"] == fit["u_eff"] and fit["u_eff_cm1"] == pytest.approx(136.5096 * 0.6950348, rel=1e-5)
    assert fit["tau0_s"] == pytest.approx(10 ** fit["A"]) and fit["tau_qtm_s"] == pytest.approx(10 ** fit["Q"])
    assert (tmp_path / "tau.png").stat().st_size > 10_000
    free = json.loads(cli("relaxation", "--data", tmp_path / "fit" / "tau.csv", "--json").stdout)["fit"]
    assert free["processes"] == ["orbach", "raman", "qtm"] and free["n_err"] is not None  # Raman exponent free


def test_plain_rows_and_bad_tau_files(tmp_path, cli):
    rows = tmp_path / "tau.txt"
    rows.write_text("# T_K tau_s\n" + "".join(f"{t} {1e-9 * math.exp(140 / t) + 0:.6e}\n" for t in range(8, 20)))
    fit = json.loads(cli("relaxation", "--data", rows, "--processes", "orbach", "--json").stdout)["fit"]
    assert fit["u_eff_k"] == pytest.approx(140, rel=1e-6) and fit["tau0_s"] == pytest.approx(1e-9, rel=1e-5)
    rows.write_text("5 0.1\n6 x\n")
    bad = cli("relaxation", "--data", rows)
    assert bad.returncode == 2 and "data row 2: 'x' is not a number" in bad.stderr and "Traceback" not in bad.stderr
    rows.write_text("5 0.1\n6 0.01\n7 0.001\n")
    few = cli("relaxation", "--data", rows, "--processes", "orbach,raman")
    assert few.returncode == 2 and "needs more than 4 (T, tau) points" in few.stderr
    assert "use some of orbach" in cli("relaxation", "--data", rows, "--processes", "orbach,spin").stderr


def test_the_measurement_beside_the_ab_initio_prediction(tmp_path, cli):
    """The overlay: measured Er(COT)I(THF)2 tau(T) and its fit beside the master equation of a real Tb3+ run."""
    import sys

    sys.path.insert(0, str(Path(__file__).parent.parent / "molcas"))
    from tb3p_run import tb3p_store

    tb3p_store(tmp_path)
    assert cli("ac", "--data", MPMS3, "--out", "fit").returncode == 0
    result = cli("relaxation", "--data", "fit/tau.csv", "out.h5", "--state", "Tb3+", "--master-equation",
                 "--processes", "orbach,qtm", "--plot", "overlay.png", "--json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["fit"]["u_eff_k"] == pytest.approx(136.51, abs=0.01)
    computed = out["prediction"]
    assert computed["source"] == {"store": "out.h5", "state": "Tb3+"} and computed["u_eff_cm1"] > 300
    assert computed["climbs_to"]["jz_abs"] == pytest.approx(3, abs=0.05) and len(computed["tau_s"]) == 60
    assert (tmp_path / "overlay.png").stat().st_size > 10_000
    text = cli("relaxation", "--data", "fit/tau.csv", "out.h5", "--state", "Tb3+", "--master-equation",
               "--processes", "orbach,qtm").stdout
    assert "measured: U_eff = 136.5" in text and "computed: U_eff = " in text
    refused = cli("relaxation", "--data", "fit/tau.csv", "out.h5", "--state", "Tb3+")
    assert refused.returncode == 2 and "need --master-equation" in refused.stderr


MVSH = FIXTURES / "ErhdcCOT2_MvsH_MPMS3.dat"


def test_measured_magnetisation_in_mub_per_formula_unit():
    from adatom_wf.analysis.measured import N_A_MU_B_EMU_PER_MOL, read_magnetisation_data

    data = read_magnetisation_data(MVSH)
    assert (data.mass_mg, data.molar_mass_g_mol) == (7.2, 839.24)
    assert [round(s.temperature_k, 1) for s in data.series] == [2.0, 4.0, 6.0]
    first = data.series[0]
    assert len(first.field_t) == 281 and first.field_t[0] == pytest.approx(7.0000375)  # 70000.375 Oe, the first row
    # the first row's DC Moment Free Ctr 0.238160139178214 emu of 7.2 mg, 839.24 g/mol
    assert first.magnetisation_mub[0] == pytest.approx(0.238160139178214 * 839.24 / 0.0072 / N_A_MU_B_EMU_PER_MOL)
    assert 4.9 < first.magnetisation_mub[0] < 5.0 and first.field_t.min() < -6.9  # a whole loop, -7 to 7 T


def test_magnetisation_beside_a_measurement_from_the_command_line(tmp_path, cli):
    result = cli("magnetisation", "--pseudospin", "15/2", "--cf", "2,0=-1", "--g", "1.2,1.2,1.2", "--data", MVSH,
                 "--powder-points", "146", "--json", "--plot", tmp_path / "m.png")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert ([round(t, 1) for t in out["temperatures_k"]] == [2.0, 4.0, 6.0]
            and out["fields_t"][-1] == pytest.approx(7.0, abs=1e-3))
    (cold, _, warm) = out["comparison"]
    assert (cold["measured_mub"] == pytest.approx(4.976, abs=0.001)
            and cold["computed_mub"] == pytest.approx(5.04, abs=0.01))
    assert warm["measured_mub"] < cold["measured_mub"] and len(out["data"]["series"][0]["field_t"]) == 281
    assert (tmp_path / "m.png").stat().st_size > 10_000
    text = cli("magnetisation", "--pseudospin", "15/2", "--cf", "2,0=-1", "--g", "1.2,1.2,1.2", "--data", MVSH,
               "--powder-points", "146").stdout
    assert "at 2.00 K and 7.00 T: measured 4.97" in text
    bad = cli("magnetisation", "--free-spin-j", "15/2", "--g", "1.2", "--data", MPMS3)
    assert bad.returncode == 2 and "has no row with temperature, field and moment all given" in bad.stderr
    assert "Traceback" not in bad.stderr  # an ac file: its Moment (emu) column is empty


def test_predictions_export_in_the_layouts_data_reads_back(tmp_path, cli):
    """--csv of each prediction is what --data reads: the fit of an exported prediction gives its parameters back."""
    assert cli("relaxation", "--u-eff-cm1", "100", "--tau0-s", "1e-9", "--temperature-k", "5:15:11", "--csv",
               "r.csv").returncode == 0
    fit = json.loads(cli("relaxation", "--data", "r.csv", "--processes", "orbach", "--json").stdout)["fit"]
    assert fit["u_eff_cm1"] == pytest.approx(100, rel=1e-9) and fit["tau0_s"] == pytest.approx(1e-9, rel=1e-9)
    assert cli("magnetisation", "--free-spin-j", "15/2", "--g", "1.2", "--temperature-k", "2,4", "--field-t", "0:7:8",
               "--csv", "m.csv").returncode == 0
    out = json.loads(cli("magnetisation", "--free-spin-j", "15/2", "--g", "1.2", "--data", "m.csv", "--json").stdout)
    assert [row["measured_mub"] for row in out["comparison"]] == pytest.approx(
        [row["computed_mub"] for row in out["comparison"]], rel=1e-9)
    assert cli("ac", "--pseudospin", "6", "--cf", "2,0=-5.375455", "--g", "1.508,1.508,1.480", "--temperature-k",
               "50,60", "--frequency-hz", "1:1e4:20", "--csv", "a.csv", "--json").returncode == 0
    predicted = {round(t): tau for t, tau in zip(*(json.loads(cli(
        "ac", "--pseudospin", "6", "--cf", "2,0=-5.375455", "--g", "1.508,1.508,1.480", "--temperature-k", "50,60",
        "--frequency-hz", "1:1e4:20", "--json").stdout)[key] for key in ("temperatures_k", "tau_s")))}
    fits = json.loads(cli("ac", "--data", "a.csv", "--model", "debye", "--out", "fit", "--json").stdout)["fits"]
    assert {round(f["temperature_k"]): f["tau_s"] for f in fits} == pytest.approx(predicted, rel=1e-6)


def test_ppms_acms_column_names_are_found(tmp_path):
    """A PPMS-ACMS-style table (M' and M'' in emu, Amplitude (Oe), Frequency (Hz)) built from a Debye relaxation
    (τ 1 ms, χ_T 1, χ_S 0.1 cm³/mol at 10 Oe drive, 100 mg, 1000 g/mol) is read and fitted back."""
    from adatom_wf.analysis.ac import generalised_debye

    frequencies = np.geomspace(1, 1e4, 25)
    real, imag = generalised_debye(frequencies, 1e-3, 1.0, 0.1)
    scale = 10.0 * 0.1 / 1000.0  # cm³/mol -> emu at a 10 Oe drive for 0.1 g of a 1000 g/mol sample
    rows = "".join(f"4.0,0.0,{f:.12e},{r * scale:.12e},{i * scale:.12e},10.0\n"
                   for f, r, i in zip(frequencies, real, imag))
    path = tmp_path / "ppms.csv"
    path.write_text("[Header]\nTITLE,ACMS\n[Data]\nTemperature (K),Magnetic Field (Oe),Frequency (Hz),M' (emu),"
                    "M'' (emu),Amplitude (Oe)\n" + rows)
    data = read_ac_data(path, mass_mg=100.0, molar_mass_g_mol=1000.0)
    (fit,) = fit_series(data.series[0], "debye")
    assert data.unit == "emu" and (fit.tau_s, fit.chi_t, fit.chi_s) == pytest.approx((1e-3, 1.0, 0.1), rel=1e-6)


def test_a_file_cut_mid_row_loses_that_row_only(tmp_path):
    """A truncated file (copy cut inside a row): the short last row is skipped and counted, never read as a number
    that lost its exponent."""
    text = MPMS3.read_text()
    cut = tmp_path / "cut.dat"
    cut.write_text(text[:text.index("\n", 40000) - 300])  # inside the row ending after byte 40000
    data = read_ac_data(cut)
    whole = read_ac_data(MPMS3)
    assert data.skipped_rows == 1
    assert sum(len(s.frequency_hz) for s in data.series) == text[:text.index("\n", 40000)].split("[Data]")[1].count(
        "\n") - 2
    assert all(np.all(s.chi_imag < 1.0) for s in data.series) and len(whole.series) == 18
