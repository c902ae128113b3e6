"""Measured ac susceptibility in (real Quantum Design files, tests/fixtures/ac/PROVENANCE.md), fitted per series as
ccfit2 fits them, and tau.csv in ccfit2's layout."""

import json
import math
from pathlib import Path

import numpy as np
import pytest

from adatom_wf.analysis.ac_fit import TAU_HEADER, fit_series, tau_table
from adatom_wf.analysis.measured import read_ac_data, read_tau_data
from adatom_wf.errors import AnalysisError

FIXTURES = Path(__file__).parent.parent / "fixtures" / "ac"
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
    assert data.unit == "emu" and len(series.frequency_hz) == 13 and series.temperature_k == pytest.approx(4.0, abs=1e-3)
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
    assert tau.temperature_k[0] == pytest.approx(5.0, abs=1e-3) and np.exp(tau.ln_tau[0]) == pytest.approx(2.3311e-3, rel=1e-4)
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
