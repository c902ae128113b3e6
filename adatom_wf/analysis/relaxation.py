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
    return crossing_temperature_k(lambda t: float(relaxation_time_s(model, t)), observation_time_s,
                                  f"check U_eff and tau0 (tau0 {model.tau0_s:g} s, U_eff {model.u_eff_cm1:g} cm^-1)")


def crossing_temperature_k(tau_of, observation_time_s: float, hint: str = "",
                           search_k: tuple = BLOCKING_SEARCH_K) -> float | None:
    """The temperature where a falling τ(T) (``tau_of(T)`` in s, inf when frozen) equals the observation time;
    None when τ is below it already at the lowest temperature searched."""
    observation = float(positive_array("observation time", observation_time_s, "s"))
    low, high = search_k

    def gap(log_temperature):
        with np.errstate(divide="ignore"):
            return float(np.log(tau_of(float(np.exp(log_temperature))))) - np.log(observation)

    if gap(np.log(low)) <= 0:
        return None
    if gap(np.log(high)) > 0:
        raise AnalysisError(f"tau is still above {observation:g} s at {high:g} K" + (f"; {hint}" if hint else ""))
    lower = np.log(low)
    while not np.isfinite(gap(lower)):  # τ = inf (every rate underflows): brentq needs finite ends
        lower += 0.1
    if gap(lower) <= 0:  # the root lies within the last step from a frozen τ
        return float(np.exp(lower))
    return float(np.exp(brentq(gap, lower, np.log(high), xtol=1e-12)))


# Bounds of the fitted parameters, wide enough for any molecular or single-atom magnet: τ0 (s), U_eff (cm⁻¹), C
# (s⁻¹ K⁻ⁿ), τ_QTM (s). Without them a Raman-dominated data set drives the Orbach pair to U = 1e4 cm⁻¹, τ0 = 1e-183 s.
FIT_BOUNDS = {"log10_tau0_s": (-16.0, -2.0), "u_eff_cm1": (0.0, 5000.0), "log10_raman_c": (-40.0, 10.0),
              "log10_tau_qtm_s": (-10.0, 12.0)}
# A process whose rate never reaches this share of the total at any data temperature is not determined by the data.
DETERMINED_SHARE = 0.05
# A parameter whose 1σ exceeds a factor of 2 (0.3 in log10; for U_eff half its value) is reported as not determined.
DETERMINED_LOG10_SIGMA = 0.3


@dataclass(frozen=True)
class RelaxationFit:
    model: RelaxationModel
    uncertainties: dict  # one standard deviation of each fitted parameter, in its own unit
    rms_log10_residual: float
    undetermined: dict | None = None  # {parameter: why the data do not determine it}
    log10_uncertainties: dict | None = None  # 1σ of log10 τ0, log10 C, log10 τ_QTM (and of U_eff in cm⁻¹)
    starts: int = 1


def fit_relaxation(temperature_k, tau_s, *, kramers: bool, raman_n: float | None = None, fit_raman: bool = True,
                   fit_qtm: bool = True) -> RelaxationFit:
    """Least-squares fit of log10 τ with the same model (no field term): U_eff, τ0, and optionally C and τ_QTM.

    τ0, C and τ_QTM are fitted as log10 values, every parameter within :data:`FIT_BOUNDS`, from a grid of starts
    (U_eff from 0.5 to 30 k_B T_max, several C and τ_QTM); the best is kept. n is fixed (9 Kramers, 7 otherwise).
    ``undetermined`` names each parameter the data do not pin down: on a bound, 1σ above a factor 2, or a process
    that never carries :data:`DETERMINED_SHARE` of the rate at the data temperatures.
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
    names = ["log10_tau0_s", "u_eff_cm1"] + ["log10_raman_c"] * fit_raman + ["log10_tau_qtm_s"] * fit_qtm
    lower = np.array([FIT_BOUNDS[name][0] for name in names])
    upper = np.array([FIT_BOUNDS[name][1] for name in names])
    log_times = np.log10(times)
    kt = K_B_CM1_PER_K * temperatures

    def log10_rates(p):
        rates = [-p[0] - p[1] / (kt * np.log(10))]
        rest = list(p[2:])
        if fit_raman:
            rates.append(rest.pop(0) + exponent * np.log10(temperatures))
        if fit_qtm:
            rates.append(np.full_like(temperatures, -rest.pop(0)))
        return np.array(rates)

    def residual(p):
        terms = log10_rates(p)
        top = terms.max(axis=0)
        return -(top + np.log10(np.power(10.0, terms - top).sum(axis=0))) - log_times

    warm, cold = int(np.argmax(temperatures)), int(np.argmin(temperatures))
    starts = []
    for u_start in np.array([0.5, 2.0, 5.0, 10.0, 20.0, 30.0]) * kt[warm]:
        tau0_start = log_times[warm] - u_start / (kt[warm] * np.log(10)) - 1.0
        for c_start in ([None] if not fit_raman else
                        [-log_times[i] - exponent * np.log10(temperatures[i])
                         for i in (warm, cold, int(np.argsort(temperatures)[temperatures.size // 2]))]):
            for qtm_start in ([None] if not fit_qtm else [log_times.max(), log_times.max() + 2]):
                start = [tau0_start, u_start] + [c_start] * fit_raman + [qtm_start] * fit_qtm
                starts.append(np.clip(start, lower + 1e-9, upper - 1e-9))
    best = None
    for initial in starts:
        result = least_squares(residual, initial, bounds=(lower, upper), method="trf", x_scale="jac",
                               xtol=1e-14, ftol=1e-14, gtol=1e-14, max_nfev=2000)
        if best is None or result.cost < best.cost:
            best = result
    assert best is not None  # one start at least
    p = best.x
    dof = max(temperatures.size - len(p), 1)
    variance = 2 * best.cost / dof
    try:
        sigma = np.sqrt(np.clip(np.diag(np.linalg.pinv(best.jac.T @ best.jac) * variance), 0, None))
    except np.linalg.LinAlgError:
        sigma = np.full(len(p), np.inf)
    rest = list(p[2:])
    model = RelaxationModel(u_eff_cm1=float(p[1]), tau0_s=float(10 ** p[0]), raman_n=exponent,
                            raman_c=float(10 ** rest.pop(0)) if fit_raman else 0.0,
                            tau_qtm_s=float(10 ** rest.pop(0)) if fit_qtm else None)
    public = {"log10_tau0_s": ("tau0_s", model.tau0_s), "u_eff_cm1": ("u_eff_cm1", model.u_eff_cm1),
              "log10_raman_c": ("raman_c", model.raman_c), "log10_tau_qtm_s": ("tau_qtm_s", model.tau_qtm_s)}
    # σ(x) = x ln 10 σ(log10 x) for the log-fitted parameters
    uncertainties = {public[name][0]: float(sigma[i] if name == "u_eff_cm1"
                                            else public[name][1] * np.log(10) * sigma[i])
                     for i, name in enumerate(names)}
    log10_uncertainties = {public[name][0]: float(sigma[i]) for i, name in enumerate(names)}

    terms = np.power(10.0, log10_rates(p))
    shares = (terms / terms.sum(axis=0)).max(axis=1)
    process_of = {"log10_tau0_s": 0, "u_eff_cm1": 0}
    if fit_raman:
        process_of["log10_raman_c"] = 1
    if fit_qtm:
        process_of["log10_tau_qtm_s"] = 1 + fit_raman
    process_names = ["Orbach", "Raman", "QTM"] if fit_raman else ["Orbach", "QTM"]
    undetermined = {}
    for i, name in enumerate(names):
        label = public[name][0]
        span = upper[i] - lower[i]
        if shares[process_of[name]] < DETERMINED_SHARE:
            undetermined[label] = (f"the {process_names[process_of[name]]} rate stays below "
                                   f"{DETERMINED_SHARE:.0%} of the total at every data temperature "
                                   f"(at most {shares[process_of[name]]:.2%})")
        elif min(p[i] - lower[i], upper[i] - p[i]) <= 1e-6 * span:
            undetermined[label] = f"at the bound of {name} ({lower[i]:g}, {upper[i]:g})"
        elif (sigma[i] > 0.5 * max(p[i], 1e-300)) if name == "u_eff_cm1" else sigma[i] > DETERMINED_LOG10_SIGMA:
            undetermined[label] = f"1-sigma {sigma[i]:.3g} ({'cm^-1' if name == 'u_eff_cm1' else 'in log10'})"
    return RelaxationFit(model, uncertainties, float(np.sqrt(np.mean(best.fun**2))), undetermined,
                         log10_uncertainties, len(starts))
