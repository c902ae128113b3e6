"""Magnetic relaxation time τ(T), blocking temperatures and fits of τ(T) data (second paper, Eqs. 1–3):

    τ(T)⁻¹ = τ0⁻¹ exp(−U_eff / k_B T) + C Tⁿ + B_R H² T⁷ + τ_QTM⁻¹ + A Hᵐ T

Orbach over the barrier U_eff (cm⁻¹), Raman with n = 9 for Kramers and n = 7 for non-Kramers systems, the extra
in-field Raman term ∝ H² T⁷ of a Kramers system (second paper), temperature-independent quantum tunnelling, and
the direct process in a field H (T) with m = 4 for Kramers (Van Vleck cancellation) and m = 2 for non-Kramers ions.
"""

from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq, least_squares

from adatom_wf.analysis.units import K_B_CM1_PER_K, finite_array, non_negative_array, positive_array
from adatom_wf.errors import AnalysisError

HYSTERESIS_TIME_S = 100.0  # a magnetic hysteresis sweep
STERN_GERLACH_FLIGHT_TIME_S = 1e-4  # the flight through a Stern–Gerlach magnet (second paper)
BLOCKING_SEARCH_K = (1e-3, 1e4)


def raman_exponent(kramers: bool) -> int:
    """n of the Raman term C Tⁿ: 9 for Kramers (half-integer spin), 7 for non-Kramers systems."""
    return 9 if kramers else 7


def direct_field_exponent(kramers: bool) -> int:
    """m of the direct term A Hᵐ T: 4 for Kramers (time reversal cancels the H² part), 2 for non-Kramers systems."""
    return 4 if kramers else 2


@dataclass(frozen=True)
class RelaxationModel:
    """Parameters of τ(T): U_eff in cm⁻¹, τ0 and τ_QTM in s (None: no QTM), C in s⁻¹ K⁻ⁿ, A in s⁻¹ T⁻ᵐ K⁻¹
    with m = ``direct_m`` (:func:`direct_field_exponent`: 4 Kramers, 2 non-Kramers; default 2), and the in-field
    Raman coefficient B_R (``raman_field_b``) in s⁻¹ T⁻² K⁻⁷."""

    u_eff_cm1: float
    tau0_s: float
    raman_c: float = 0.0
    raman_n: float = 9.0
    tau_qtm_s: float | None = None
    direct_a: float = 0.0
    field_t: float = 0.0
    direct_m: float = 2.0
    raman_field_b: float = 0.0

    def __post_init__(self):
        non_negative_array("U_eff", self.u_eff_cm1, "cm^-1")
        positive_array("tau0", self.tau0_s, "s")
        non_negative_array("Raman C", self.raman_c, "s^-1 K^-n")
        positive_array("Raman exponent n", self.raman_n, "(dimensionless)")
        if self.tau_qtm_s is not None:
            positive_array("tau_QTM", self.tau_qtm_s, "s")
        non_negative_array("direct-process A", self.direct_a, "s^-1 T^-m K^-1")
        finite_array("field", self.field_t, "T")
        positive_array("direct-process field exponent m", self.direct_m, "(dimensionless)")
        non_negative_array("in-field Raman B", self.raman_field_b, "s^-1 T^-2 K^-7")


def relaxation_rates_per_s(model: RelaxationModel, temperature_k) -> dict:
    """The rates (s⁻¹) at each temperature: ``orbach``, ``raman``, ``qtm``, ``direct`` (A Hᵐ T) and
    ``raman_field`` (B_R H² T⁷)."""
    temperatures = positive_array("temperature", temperature_k, "K")
    return {
        "orbach": np.exp(-model.u_eff_cm1 / (K_B_CM1_PER_K * temperatures)) / model.tau0_s,
        "raman": model.raman_c * temperatures**model.raman_n,
        "qtm": np.full_like(temperatures, 0.0 if model.tau_qtm_s is None else 1.0 / model.tau_qtm_s),
        "direct": model.direct_a * abs(model.field_t) ** model.direct_m * temperatures,
        "raman_field": model.raman_field_b * model.field_t**2 * temperatures**7,
    }


def relaxation_time_s(model: RelaxationModel, temperature_k) -> np.ndarray:
    """τ(T) in s (infinite when every rate vanishes)."""
    total = sum(relaxation_rates_per_s(model, temperature_k).values())
    with np.errstate(divide="ignore"):
        return 1.0 / total


def blocking_temperature_k(model: RelaxationModel, observation_time_s: float = HYSTERESIS_TIME_S) -> float | None:
    """Temperature where τ(T) equals the observation time (100 s: hysteresis; 1e-4 s: a Stern–Gerlach flight).

    None when the moment relaxes faster than that at every temperature (e.g. through QTM); τ falls
    monotonically with T, so the root is unique.
    """
    observation = float(positive_array("observation time", observation_time_s, "s"))
    low, high = BLOCKING_SEARCH_K

    def gap(log_temperature):
        return np.log(relaxation_time_s(model, np.exp(log_temperature))) - np.log(observation)

    if gap(np.log(low)) <= 0:
        return None
    if gap(np.log(high)) > 0:
        raise AnalysisError(
            f"tau is still above {observation:g} s at {high:g} K; check U_eff and tau0 (tau0 {model.tau0_s:g} s, "
            f"U_eff {model.u_eff_cm1:g} cm^-1)"
        )
    return float(np.exp(brentq(gap, np.log(low), np.log(high), xtol=1e-12)))


@dataclass(frozen=True)
class RelaxationFit:
    model: RelaxationModel
    uncertainties: dict  # one standard deviation of each fitted parameter, in its own unit
    rms_log10_residual: float


def fit_relaxation(temperature_k, tau_s, *, kramers: bool, raman_n: float | None = None, fit_raman: bool = True,
                   fit_qtm: bool = True) -> RelaxationFit:
    """Least-squares fit of log τ with the same model (no field term): U_eff, τ0, and optionally C and τ_QTM.

    The start is an Arrhenius line through the two warmest points; n is fixed (9 Kramers, 7 otherwise).
    """
    temperatures = positive_array("temperature", temperature_k, "K").ravel()
    times = positive_array("tau", tau_s, "s").ravel()
    n_parameters = 2 + fit_raman + fit_qtm
    if temperatures.size != times.size or temperatures.size <= n_parameters:
        raise AnalysisError(
            f"fitting {n_parameters} parameters needs more than {n_parameters} (T, tau) pairs of equal length, "
            f"got {temperatures.size} temperatures and {times.size} times"
        )
    exponent = float(raman_exponent(kramers) if raman_n is None else raman_n)
    order = np.argsort(temperatures)
    warm = order[-2:]
    slope = np.diff(np.log(times[warm])) / np.diff(1.0 / temperatures[warm])
    u_start = float(max(slope[0] * K_B_CM1_PER_K, 1.0))
    tau0_start = float(times[warm[-1]] * np.exp(-u_start / (K_B_CM1_PER_K * temperatures[warm[-1]])))
    start = [np.log10(tau0_start), u_start]
    if fit_raman:
        start.append(np.log10(1e-3 / times[order[0]] / temperatures[order[0]] ** exponent))
    if fit_qtm:
        start.append(np.log10(times.max() * 10))

    def unpack(p):
        rest = list(p[2:])
        return RelaxationModel(
            u_eff_cm1=max(p[1], 0.0), tau0_s=10 ** p[0], raman_n=exponent,
            raman_c=10 ** rest.pop(0) if fit_raman else 0.0,
            tau_qtm_s=10 ** rest.pop(0) if fit_qtm else None,
        )

    def residual(p):
        return np.log10(relaxation_time_s(unpack(p), temperatures)) - np.log10(times)

    result = least_squares(residual, start, method="lm")
    dof = max(temperatures.size - len(start), 1)
    variance = 2 * result.cost / dof
    try:
        covariance = np.linalg.inv(result.jac.T @ result.jac) * variance
        sigma = np.sqrt(np.clip(np.diag(covariance), 0, None))
    except np.linalg.LinAlgError:
        sigma = np.full(len(start), np.inf)
    model = unpack(result.x)
    fitted = {"tau0_s": model.tau0_s, "u_eff_cm1": model.u_eff_cm1}
    if fit_raman:
        fitted["raman_c"] = model.raman_c
    if fit_qtm:
        fitted["tau_qtm_s"] = model.tau_qtm_s
    # every parameter but U_eff is fitted as log10 x, so σ(x) = x ln 10 σ(log10 x)
    uncertainties = {name: float(sigma[i] if name == "u_eff_cm1" else value * np.log(10) * sigma[i])
                     for i, (name, value) in enumerate(fitted.items())}
    return RelaxationFit(model, uncertainties, float(np.sqrt(np.mean(result.fun**2))))
