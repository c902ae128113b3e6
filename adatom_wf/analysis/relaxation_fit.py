"""τ(T) from measurement fitted as a sum of relaxation processes, in ccfit2's log-rate form (same names, units and
weights, so the numbers are the ones experimentalists quote):

    rate = 1/τ = Σ processes,   orbach: 10^−A exp(−U_eff/T)   (U_eff in K, A = log10 τ0 / s)
                                raman:  10^R T^n               (R log10 s⁻¹ K⁻ⁿ, n free)
                                qtm:    10^−Q                  (Q = log10 τ_QTM / s)
                                direct: 10^D T                 (D log10 s⁻¹ K⁻¹)

Least squares on log10 rate, each residual divided by its σ(log10 rate) when given (ccfit2's weight:
:meth:`adatom_wf.analysis.measured.TauData.log10_rate_sigma`). 1σ of every parameter from the Jacobian scaled by
the reduced χ².
"""

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import least_squares

from adatom_wf.analysis.ac_fit import least_squares_stdev
from adatom_wf.analysis.units import K_B_CM1_PER_K
from adatom_wf.errors import AnalysisError

PROCESSES = {"orbach": ("u_eff", "A"), "raman": ("R", "n"), "qtm": ("Q",), "direct": ("D",)}
BOUNDS = {"u_eff": (0.0, np.inf), "A": (-np.inf, np.inf), "R": (-np.inf, np.inf), "n": (0.0, np.inf),
          "Q": (-np.inf, np.inf), "D": (-np.inf, np.inf)}


@dataclass(frozen=True)
class ProcessFit:
    processes: tuple
    values: dict  # parameter -> value (u_eff in K; A, R, Q, D in log10 units; n)
    errors: dict  # parameter -> 1σ (None: the data do not determine it)
    rms_log10_residual: float
    points: int

    def as_json(self) -> dict:
        """The ``fit`` object of ``relaxation --data --json``: U_eff in K and cm⁻¹, τ0, then every parameter with
        its ``_err``."""
        result: dict[str, Any] = {}
        if "u_eff" in self.values:
            k, err = self.values["u_eff"], self.errors["u_eff"]
            result.update(u_eff_k=k, u_eff_k_err=err, u_eff_cm1=k * K_B_CM1_PER_K,
                          u_eff_cm1_err=None if err is None else err * K_B_CM1_PER_K,
                          tau0_s=10.0 ** self.values["A"],  # rate 10^-A exp(-U/T) = exp(-U/T)/τ0
                          tau0_s_err=None if self.errors["A"] is None else
                          10.0 ** self.values["A"] * np.log(10) * self.errors["A"])
        if "Q" in self.values:
            result.update(tau_qtm_s=10.0 ** self.values["Q"])  # rate 10^-Q = 1/τ_QTM
        for name, value in self.values.items():
            result[name] = value
            result[f"{name}_err"] = self.errors[name]
        result.update(processes=list(self.processes), rms_log10_residual=self.rms_log10_residual, points=self.points)
        return result


def rate_per_s(values: dict, temperature_k) -> np.ndarray:
    """Σ of the processes whose parameters ``values`` holds (the forms above), in s⁻¹ at each temperature."""
    t = np.asarray(temperature_k, float)
    total = np.zeros_like(t)
    if "u_eff" in values:
        total += 10.0 ** -values["A"] * np.exp(-values["u_eff"] / t)
    if "n" in values:
        total += 10.0 ** values["R"] * t ** values["n"]
    if "Q" in values:
        total += 10.0 ** -values["Q"]
    if "D" in values:
        total += 10.0 ** values["D"] * t
    return total


def parse_processes(text: str) -> tuple:
    names = tuple(dict.fromkeys(part.strip().lower() for part in text.split(",") if part.strip()))
    unknown = [name for name in names if name not in PROCESSES]
    if unknown or not names:
        raise AnalysisError(f"--processes {text!r}: use some of {', '.join(PROCESSES)}, comma-separated "
                            "(e.g. orbach,raman,qtm)")
    return names


def fit_processes(temperature_k, tau_s, processes, *, sigma_log10_rate=None,
                  guesses: dict | None = None) -> ProcessFit:
    """Fit ``processes`` (names of :data:`PROCESSES`) to τ(T); ``guesses`` overrides starting values by name."""
    temperatures = np.asarray(temperature_k, float)
    rates = 1.0 / np.asarray(tau_s, float)
    names = [name for process in processes for name in PROCESSES[process]]
    if temperatures.size <= len(names):
        raise AnalysisError(f"fitting {', '.join(processes)} ({len(names)} parameters) needs more than "
                            f"{len(names)} (T, tau) points; the data have {temperatures.size}")
    unknown = sorted(set(guesses or {}) - set(names))
    if unknown:
        raise AnalysisError(f"--guess {unknown[0]}: not a parameter of {', '.join(processes)} "
                            f"({', '.join(names)})")
    log_rate = np.log10(rates)
    sigma = None if sigma_log10_rate is None else np.asarray(sigma_log10_rate, float)
    if sigma is not None and (np.any(~np.isfinite(sigma)) or np.any(sigma <= 0)):
        sigma = None  # a point without a width (α = 0, no fit bounds) would weigh infinitely: fit unweighted
    lower = np.array([BOUNDS[name][0] for name in names])
    upper = np.array([BOUNDS[name][1] for name in names])

    def model(p):
        return np.log10(np.maximum(rate_per_s(dict(zip(names, p)), temperatures), 1e-300))

    def residual(p):
        difference = model(p) - log_rate
        return difference / sigma if sigma is not None else difference

    best = None
    for start in _starts(names, temperatures, log_rate, guesses or {}):
        result = least_squares(residual, np.clip(start, lower + 1e-9, upper - 1e-9), bounds=(lower, upper),
                               method="trf", x_scale="jac", xtol=1e-14, ftol=1e-14, gtol=1e-14, max_nfev=5000)
        if best is None or result.cost < best.cost:
            best = result
    assert best is not None  # _starts gives one start at least
    errors = least_squares_stdev(best)
    return ProcessFit(processes=tuple(processes), values=dict(zip(names, map(float, best.x))),
                      errors=dict(zip(names, errors)),
                      rms_log10_residual=float(np.sqrt(np.mean((model(best.x) - log_rate) ** 2))),
                      points=int(temperatures.size))


def _starts(names, temperatures, log_rate, guesses) -> list:
    """A grid of starts: U_eff from the slope of the warmest points, Q from the slowest rate, n of 2, 5 and 9."""
    hot = np.argsort(temperatures)[-max(2, temperatures.size // 3):]
    slope = np.polyfit(1.0 / temperatures[hot], log_rate[hot] * np.log(10), 1)[0] if hot.size > 1 else -100.0
    u_start = max(-slope, 10.0)
    a_start = -(log_rate[hot].mean() + u_start / temperatures[hot].mean() / np.log(10))
    base = {"u_eff": u_start, "A": a_start, "Q": -log_rate.min(), "D": log_rate.min() - np.log10(temperatures.max())}
    starts = []
    for n in (2.0, 5.0, 9.0):
        r = log_rate.mean() - n * np.log10(temperatures.mean()) - 1
        for scale in (1.0, 0.5, 2.0) if "u_eff" in names else (1.0,):
            values = {**base, "n": n, "R": r, "u_eff": u_start * scale,
                      "A": -(log_rate[hot].mean() + u_start * scale / temperatures[hot].mean() / np.log(10))}
            values.update(guesses)
            starts.append([values[name] for name in names])
        if "n" not in names:
            break
    return starts
