"""τ(T) = [τ0⁻¹ e^(−U/kT) + C Tⁿ + τ_QTM⁻¹ + A H² T]⁻¹, blocking temperatures and fits."""

import numpy as np
import pytest

from adatom_wf.analysis.relaxation import (
    HYSTERESIS_TIME_S,
    STERN_GERLACH_FLIGHT_TIME_S,
    RelaxationModel,
    blocking_temperature_k,
    direct_field_exponent,
    fit_relaxation,
    raman_exponent,
    relaxation_rates_per_s,
    relaxation_time_s,
)
from adatom_wf.analysis.units import K_B_CM1_PER_K
from adatom_wf.errors import AnalysisError


def test_raman_exponent_is_9_for_kramers_and_7_otherwise():
    assert raman_exponent(True) == 9 and raman_exponent(False) == 7


def test_each_term_of_the_rate():
    model = RelaxationModel(u_eff_cm1=436.0, tau0_s=1e-11, raman_c=1e-6, raman_n=7, tau_qtm_s=1e3, direct_a=0.5,
                            field_t=2.0)
    rates = relaxation_rates_per_s(model, [10.0, 40.0])
    assert rates["orbach"] == pytest.approx(1e11 * np.exp(-436.0 / (K_B_CM1_PER_K * np.array([10.0, 40.0]))))
    assert rates["raman"] == pytest.approx(1e-6 * np.array([10.0, 40.0]) ** 7)
    assert rates["qtm"] == pytest.approx([1e-3, 1e-3]) and rates["direct"] == pytest.approx([20.0, 80.0])
    assert relaxation_time_s(model, [10.0])[0] == pytest.approx(1 / sum(r[0] for r in rates.values()))


def test_blocking_temperature_solves_tau_equals_observation_time():
    model = RelaxationModel(u_eff_cm1=436.0, tau0_s=1e-11, raman_c=1e-6, raman_n=7)
    for observation in (HYSTERESIS_TIME_S, STERN_GERLACH_FLIGHT_TIME_S):
        blocking = blocking_temperature_k(model, observation)
        assert relaxation_time_s(model, [blocking])[0] == pytest.approx(observation, rel=1e-8)
    assert blocking_temperature_k(model, 100.0) < blocking_temperature_k(model, 1e-4)


def test_fast_tunnelling_means_never_blocked():
    model = RelaxationModel(u_eff_cm1=436.0, tau0_s=1e-11, tau_qtm_s=1e-3)
    assert blocking_temperature_k(model, HYSTERESIS_TIME_S) is None
    assert blocking_temperature_k(model, STERN_GERLACH_FLIGHT_TIME_S) is not None


def test_a_moment_that_never_relaxes_is_refused():
    with pytest.raises(AnalysisError, match="still above"):
        blocking_temperature_k(RelaxationModel(u_eff_cm1=1e7, tau0_s=1.0), 1.0)


def test_fit_recovers_orbach_raman_and_qtm_parameters():
    truth = RelaxationModel(u_eff_cm1=300.0, tau0_s=1e-10, raman_c=1e-4, raman_n=9, tau_qtm_s=1.0)
    temperatures = np.linspace(3, 60, 25)
    noise = np.exp(np.random.default_rng(5).normal(0, 0.01, temperatures.size))
    fit = fit_relaxation(temperatures, relaxation_time_s(truth, temperatures) * noise, kramers=True)
    assert fit.model.raman_n == 9
    assert fit.model.u_eff_cm1 == pytest.approx(300.0, abs=3 * fit.uncertainties["u_eff_cm1"] + 1.0)
    assert fit.model.raman_c == pytest.approx(1e-4, rel=0.1) and fit.model.tau_qtm_s == pytest.approx(1.0, rel=0.1)
    assert fit.rms_log10_residual < 0.01


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"u_eff_cm1": -1.0, "tau0_s": 1e-11}, "U_eff must be >= 0"),
    ({"u_eff_cm1": 100.0, "tau0_s": 0.0}, "tau0 must be > 0"),
    ({"u_eff_cm1": 100.0, "tau0_s": 1e-11, "tau_qtm_s": -1.0}, "tau_QTM must be > 0"),
    ({"u_eff_cm1": float("nan"), "tau0_s": 1e-11}, "U_eff must be finite"),
])
def test_bad_parameters_are_named(kwargs, words):
    with pytest.raises(AnalysisError, match=words):
        RelaxationModel(**kwargs)


def test_bad_temperatures_and_too_few_points():
    model = RelaxationModel(u_eff_cm1=100.0, tau0_s=1e-11)
    with pytest.raises(AnalysisError, match="temperature must be > 0"):
        relaxation_time_s(model, [0.0, 2.0])
    with pytest.raises(AnalysisError, match="more than 4"):
        fit_relaxation([2.0, 3.0, 4.0], [1.0, 0.5, 0.1], kramers=False)


def test_direct_process_is_h4_for_kramers_and_h2_otherwise_and_the_in_field_raman_term():
    assert direct_field_exponent(True) == 4 and direct_field_exponent(False) == 2
    kramers = RelaxationModel(u_eff_cm1=436.0, tau0_s=1e-11, direct_a=0.5, field_t=2.0,
                              direct_m=direct_field_exponent(True), raman_field_b=1e-7)
    rates = relaxation_rates_per_s(kramers, [10.0, 40.0])
    assert rates["direct"] == pytest.approx(0.5 * 2.0**4 * np.array([10.0, 40.0]))
    assert rates["raman_field"] == pytest.approx(1e-7 * 4.0 * np.array([10.0, 40.0]) ** 7)
    assert relaxation_time_s(kramers, [10.0])[0] == pytest.approx(1 / sum(r[0] for r in rates.values()))
    with pytest.raises(AnalysisError, match="in-field Raman B must be >= 0"):
        RelaxationModel(u_eff_cm1=1.0, tau0_s=1.0, raman_field_b=-1.0)


ISSUE_16_TRUTH = RelaxationModel(u_eff_cm1=300.0, tau0_s=1e-10, raman_c=1e-9, raman_n=9, tau_qtm_s=0.5)
ISSUE_16_T = np.linspace(2, 40, 25)


def test_fit_recovers_the_parameters_of_noise_free_data_within_1_percent():
    """Issue 16: this set used to end in 'tau0 must be > 0 s, got 0 s'."""
    fit = fit_relaxation(ISSUE_16_T, relaxation_time_s(ISSUE_16_TRUTH, ISSUE_16_T), kramers=True)
    for name in ("u_eff_cm1", "tau0_s", "raman_c", "tau_qtm_s"):
        assert getattr(fit.model, name) == pytest.approx(getattr(ISSUE_16_TRUTH, name), rel=0.01), name
    assert fit.undetermined == {} and fit.starts > 1


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_fit_of_5_percent_noise_lands_within_its_reported_uncertainty(seed):
    noise = np.exp(np.random.default_rng(seed).normal(0, 0.05, ISSUE_16_T.size))
    fit = fit_relaxation(ISSUE_16_T, relaxation_time_s(ISSUE_16_TRUTH, ISSUE_16_T) * noise, kramers=True)
    assert abs(fit.model.u_eff_cm1 - 300.0) <= 2 * fit.uncertainties["u_eff_cm1"]
    for name in ("tau0_s", "raman_c", "tau_qtm_s"):
        error = abs(np.log10(getattr(fit.model, name) / getattr(ISSUE_16_TRUTH, name)))
        assert error <= 2 * fit.log10_uncertainties[name], name
    assert fit.undetermined == {}


def test_a_raman_dominated_fit_stays_in_bounds_and_says_what_is_not_determined():
    """Issue 16: such a set returned U = 11133 cm⁻¹, τ0 = 8e-183 s without a word."""
    truth = RelaxationModel(u_eff_cm1=600.0, tau0_s=1e-11, raman_c=1e-6, raman_n=9)
    fit = fit_relaxation(ISSUE_16_T, relaxation_time_s(truth, ISSUE_16_T), kramers=True)
    assert fit.model.raman_c == pytest.approx(1e-6, rel=0.01)
    assert fit.model.tau0_s >= 1e-16 and fit.model.u_eff_cm1 <= 5000
    assert {"u_eff_cm1", "tau0_s", "tau_qtm_s"} <= set(fit.undetermined)
    assert "Orbach" in fit.undetermined["u_eff_cm1"]
