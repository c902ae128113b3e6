"""Fits of measured ac susceptibility, one series (temperature, field) at a time, as ccfit2 does them.

Models (χ = χ′ − iχ″, ω = 2πf; the same as :mod:`adatom_wf.analysis.ac`):

* ``debye``: χ_S + (χ_T − χ_S)/(1 + iωτ);
* ``generalised-debye``: χ_S + (χ_T − χ_S)/(1 + (iωτ)^(1−α)), α ∈ [0, 1);
* ``double-generalised-debye``: χ_S + Δχ₁/(1 + (iωτ₁)^(1−α₁)) + Δχ₂/(1 + (iωτ₂)^(1−α₂)), τ₁ < τ₂.

Least squares on χ′ and χ″ together, unweighted (ccfit2's residuals), τ fitted as log10 τ from a start at the
χ″ maximum; one standard deviation of each parameter from the Jacobian's pseudo-inverse scaled by the reduced χ²
(ccfit2's ``svd_stdev``). σ(ln τ) is the width of the distribution of ln τ that α implies,
√((1/(1−α)² − 1) π²/3) (Reta & Chilton, PCCP 2019); ln τ ± its fit uncertainty bound ``fit_lower/upper_ln_tau``.
A fit whose 1/τ lies outside the measured 2πf window is kept but marked ``in_window = False`` (ccfit2 discards
it: no peak was measured).
"""

from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import least_squares

from adatom_wf.errors import AnalysisError

MODELS = ("generalised-debye", "debye", "double-generalised-debye")


@dataclass(frozen=True)
class AcFit:
    """One relaxation process of one series; ``*_err`` are 1σ (None where the data cannot tell)."""
    temperature_k: float
    field_oe: float
    model: str
    tau_s: float
    tau_s_err: float | None
    alpha: float
    alpha_err: float | None
    chi_s: float
    chi_s_err: float | None
    chi_t: float  # for a double model: χ_S plus this process's Δχ
    chi_t_err: float | None
    process: int = 1  # 1, or 2 for a double model's slower process
    in_window: bool = True
    parameters: dict = field(default_factory=dict)  # every fitted value of the series, by name

    @property
    def sigma_ln_tau(self) -> float:
        return float(np.sqrt((1.0 / (1.0 - self.alpha) ** 2 - 1.0) * np.pi ** 2 / 3.0))

    @property
    def fit_bounds_ln_tau(self) -> tuple[float, float]:
        """ln(τ − σ_τ), ln(τ + σ_τ) (NaN where τ − σ_τ ≤ 0, as ccfit2 writes it)."""
        err = self.tau_s_err or 0.0
        low = np.log(self.tau_s - err) if self.tau_s > err else float("nan")
        return float(low), float(np.log(self.tau_s + err))


def model_chi(model: str, p: dict, frequency_hz) -> tuple[np.ndarray, np.ndarray]:
    """(χ′, χ″) of ``model`` with parameters ``p`` (``tau``, ``alpha``, ``chi_s``, ``chi_t``; double: ``tau1``,
    ``alpha1``, ``dchi1``, ``tau2``, ``alpha2``, ``dchi2``, ``chi_s``)."""
    omega = 2 * np.pi * np.asarray(frequency_hz, float)
    if model == "double-generalised-debye":
        chi = (p["chi_s"] + p["dchi1"] / (1 + (1j * omega * p["tau1"]) ** (1 - p["alpha1"]))
               + p["dchi2"] / (1 + (1j * omega * p["tau2"]) ** (1 - p["alpha2"])))
    else:
        chi = p["chi_s"] + (p["chi_t"] - p["chi_s"]) / (1 + (1j * omega * p["tau"]) ** (1 - p.get("alpha", 0.0)))
    return chi.real, -chi.imag


def fit_series(series, model: str = "generalised-debye") -> list[AcFit]:
    """The fit of one :class:`adatom_wf.analysis.measured.AcSeries` (one AcFit, two for a double model)."""
    if model not in MODELS:
        raise AnalysisError(f"--model {model!r}: use one of {', '.join(MODELS)}")
    f, real, imag = series.frequency_hz, series.chi_real, series.chi_imag
    names, start, lower, upper = _start(model, f, real, imag)
    if len(f) * 2 <= len(names):
        raise AnalysisError(f"the series at {series.temperature_k:.2f} K has {len(f)} frequencies: too few for the "
                            f"{len(names)} parameters of {model}")

    def values(x):
        p = dict(zip(names, x))
        for key in [k for k in p if k.startswith("log10_")]:
            p[key[6:]] = 10.0 ** p.pop(key)
        return p

    def residual(x):
        model_real, model_imag = model_chi(model, values(x), f)
        return np.concatenate([model_real - real, model_imag - imag])

    result = least_squares(residual, start, bounds=(lower, upper), method="trf", x_scale="jac",
                           xtol=1e-12, ftol=1e-12, gtol=1e-12, max_nfev=5000)
    sigma = least_squares_stdev(result)
    p = values(result.x)
    err = {name: (None if s is None else (s * np.log(10) * p[name[6:]] if name.startswith("log10_") else s))
           for name, s in zip(names, sigma)}
    err = {(name[6:] if name.startswith("log10_") else name): s for name, s in err.items()}
    window = (2 * np.pi * f.min(), 2 * np.pi * f.max())
    common = dict(temperature_k=series.temperature_k, field_oe=series.field_oe, model=model, parameters=dict(p))
    if model != "double-generalised-debye":
        return [AcFit(tau_s=p["tau"], tau_s_err=err["tau"], alpha=p.get("alpha", 0.0), alpha_err=err.get("alpha"),
                      chi_s=p["chi_s"], chi_s_err=err["chi_s"], chi_t=p["chi_t"], chi_t_err=err["chi_t"],
                      in_window=bool(window[0] <= 1 / p["tau"] <= window[1]), **common)]
    order = sorted((1, 2), key=lambda k: p[f"tau{k}"])
    return [AcFit(tau_s=p[f"tau{k}"], tau_s_err=err[f"tau{k}"], alpha=p[f"alpha{k}"], alpha_err=err[f"alpha{k}"],
                  chi_s=p["chi_s"], chi_s_err=err["chi_s"], chi_t=p["chi_s"] + p[f"dchi{k}"],
                  chi_t_err=err[f"dchi{k}"], process=n,
                  in_window=bool(window[0] <= 1 / p[f"tau{k}"] <= window[1]), **common)
            for n, k in enumerate(order, start=1)]


def _start(model: str, f, real, imag):
    """Names (log10_ for τ), start, lower and upper bounds of the fitted parameters."""
    peak = int(np.argmax(imag))
    log_tau = -np.log10(2 * np.pi * f[peak])
    chi_t, chi_s = max(float(real.max()), 1e-12), max(float(real.min()) * 0.5, 0.0)
    if model == "double-generalised-debye":
        half = (chi_t - chi_s) / 2
        names = ["log10_tau1", "alpha1", "dchi1", "log10_tau2", "alpha2", "dchi2", "chi_s"]
        start = [log_tau - 1, 0.1, half, log_tau + 1, 0.1, half, chi_s]
        lower = [-12, 0, 0, -12, 0, 0, 0]
        upper = [6, 0.999, np.inf, 6, 0.999, np.inf, np.inf]
    else:
        names = ["log10_tau", "chi_s", "chi_t"] + (["alpha"] if model == "generalised-debye" else [])
        start = [log_tau, chi_s, chi_t] + ([0.1] if model == "generalised-debye" else [])
        lower = [-12, 0, 0] + ([0] if model == "generalised-debye" else [])
        upper = [6, np.inf, np.inf] + ([0.999] if model == "generalised-debye" else [])
    return names, np.clip(start, np.array(lower) + 1e-12, np.array(upper) - 1e-12), lower, upper


def least_squares_stdev(result) -> list:
    """1σ per parameter of a scipy least_squares result from the Jacobian (SVD, singular directions dropped: None)
    scaled by the reduced χ²."""
    _, s, vt = np.linalg.svd(result.jac, full_matrices=False)
    keep = s > np.finfo(float).eps * max(result.jac.shape) * s[0]
    covariance = (vt[keep].T / s[keep] ** 2) @ vt[keep]
    dof = max(result.fun.size - result.x.size, 1)
    covariance *= np.sum(result.fun ** 2) / dof
    sigma = np.sqrt(np.clip(np.diag(covariance), 0, None))
    return [float(value) if keep.all() or value > 0 else None for value in sigma]


TAU_HEADER = ("T (K)", "H (Oe)", "tau (s)", "tau-s-dev (s)", "chi_S (cm^3 mol^-1)", "chi_S-s-dev (cm^3 mol^-1)",
              "chi_T (cm^3 mol^-1)", "chi_T-s-dev (cm^3 mol^-1)", "alpha ()", "alpha-s-dev ()", "<ln(tau)> (ln(s))",
              "sigma_ln(tau) (ln(s))", "fit_upper_ln(tau) (ln(s))", "fit_lower_ln(tau) (ln(s))")


def tau_table(fits) -> str:
    """ccfit2's τ file (:data:`TAU_HEADER`, ", " separated) of the fits whose τ lies in the measured window, by
    field then temperature; a missing uncertainty is written as nan, as ccfit2 does."""
    lines = [", ".join(TAU_HEADER)]
    for fit in sorted((f for f in fits if f.in_window), key=lambda f: (f.field_oe, f.temperature_k, f.process)):
        upper = fit.fit_bounds_ln_tau[1]
        lower = fit.fit_bounds_ln_tau[0]
        values = (fit.temperature_k, fit.field_oe, fit.tau_s, fit.tau_s_err, fit.chi_s, fit.chi_s_err, fit.chi_t,
                  fit.chi_t_err, fit.alpha, fit.alpha_err, float(np.log(fit.tau_s)), fit.sigma_ln_tau, upper, lower)
        lines.append(", ".join("nan" if v is None or not np.isfinite(v) else f"{v:.10e}" for v in values))
    return "\n".join(lines) + "\n"
