"""ac susceptibility from τ(T): the generalised Debye (Cole–Cole) model

    χ(ω) = χ_S + (χ_T − χ_S) / (1 + (iωτ)^(1−α)),   χ = χ′ − iχ″,   ω = 2πf

with χ_T the isothermal (zero-field, static) susceptibility, χ_S the adiabatic one and α ∈ [0, 1) the width of the
distribution of relaxation times (α = 0: a single Debye relaxation, χ″(ω) peaking at ωτ = 1 with height
(χ_T − χ_S)/2; the Cole–Cole plot χ″ vs χ′ is then a semicircle, flattened for α > 0 to a peak height
(χ_T − χ_S)/2 · cos(πα/2)/(1 + sin(πα/2))). χ in cm³ mol⁻¹ (Gaussian units, as magnetochemists quote it).
"""

import numpy as np

from adatom_wf.analysis.units import finite_array, positive_array
from adatom_wf.errors import AnalysisError

PEAK_SEARCH_TOLERANCE = 1e-6  # relative, in T


def check_debye_parameters(alpha: float, chi_s_fraction: float) -> None:
    if not 0 <= float(finite_array("alpha", alpha, "(dimensionless)")) < 1:
        raise AnalysisError(f"alpha (the Cole-Cole distribution width) must be in [0, 1), got {alpha}")
    if not 0 <= float(finite_array("chi_S fraction", chi_s_fraction, "(dimensionless)")) < 1:
        raise AnalysisError(f"the adiabatic fraction chi_S/chi_T must be in [0, 1), got {chi_s_fraction}")


def generalised_debye(frequency_hz, tau_s, chi_t, chi_s=0.0, alpha: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """(χ′, χ″) at each frequency (Hz) for one τ (s), χ_T and χ_S (any unit; the result has the same)."""
    frequencies = positive_array("frequency", frequency_hz, "Hz")
    tau = float(positive_array("tau", tau_s, "s"))
    if not 0 <= alpha < 1:
        raise AnalysisError(f"alpha must be in [0, 1), got {alpha}")
    x = (2j * np.pi * frequencies * tau) ** (1 - alpha)
    chi = chi_s + (chi_t - chi_s) / (1 + x)
    return chi.real, -chi.imag


def ac_susceptibility(frequency_hz, temperature_k, tau_s, chi_t_cm3_mol, *, alpha: float = 0.0,
                      chi_s_fraction: float = 0.0) -> dict:
    """χ′ and χ″ (cm³ mol⁻¹) as [temperature][frequency] for τ(T) and χ_T(T) given at each temperature; a τ of
    None or inf (nothing relaxes) gives χ′ = χ_S and χ″ = 0."""
    check_debye_parameters(alpha, chi_s_fraction)
    frequencies = positive_array("frequency", frequency_hz, "Hz").ravel()
    temperatures = positive_array("temperature", temperature_k, "K").ravel()
    chi_t = finite_array("chi_T", chi_t_cm3_mol, "cm^3 mol^-1").ravel()
    if not len(tau_s) == temperatures.size == chi_t.size:
        raise AnalysisError(f"need one tau and one chi_T per temperature: {temperatures.size} temperatures, "
                            f"{len(tau_s)} taus, {chi_t.size} chi_T")
    real, imaginary = [], []
    for tau, static in zip(tau_s, chi_t):
        if tau is None or not np.isfinite(tau):
            real.append([chi_s_fraction * static] * frequencies.size)
            imaginary.append([0.0] * frequencies.size)
            continue
        a, b = generalised_debye(frequencies, tau, static, chi_s_fraction * static, alpha)
        real.append(a.tolist())
        imaginary.append(b.tolist())
    return {"chi_real_cm3_mol": real, "chi_imag_cm3_mol": imaginary}


def peak_temperature_k(frequency_hz: float, tau_of, chi_t_of, temperature_range_k, *, alpha: float = 0.0,
                       chi_s_fraction: float = 0.0, points: int = 60) -> dict | None:
    """The temperature where χ″(T) at ``frequency_hz`` peaks, within ``temperature_range_k`` = (low, high):
    a log-spaced scan of ``points`` temperatures, then golden-section refinement between the scan's neighbours.
    ``tau_of(T)`` and ``chi_t_of(T)`` give τ (s; None or inf: frozen) and χ_T (cm³ mol⁻¹). Also returns where
    ωτ = 1 (for α = 0 and a temperature-independent χ_T the two coincide). None when χ″ peaks at an end of the
    range (the peak lies outside it)."""
    frequency = float(positive_array("frequency", frequency_hz, "Hz"))
    low, high = (float(t) for t in positive_array("temperature range", temperature_range_k, "K"))
    if not high > low:
        raise AnalysisError(f"the temperature range must be increasing, got {low:g}..{high:g} K")
    check_debye_parameters(alpha, chi_s_fraction)

    def chi_imag(log_t):
        temperature = float(np.exp(log_t))
        tau = tau_of(temperature)
        if tau is None or not np.isfinite(tau) or tau <= 0:
            return 0.0
        static = chi_t_of(temperature)
        return float(generalised_debye([frequency], tau, static, chi_s_fraction * static, alpha)[1][0])

    grid = np.linspace(np.log(low), np.log(high), points)
    values = np.array([chi_imag(g) for g in grid])
    k = int(np.argmax(values))
    if k in (0, points - 1) or values[k] <= 0:
        return None
    a, b = grid[k - 1], grid[k + 1]
    ratio = (np.sqrt(5) - 1) / 2
    while b - a > PEAK_SEARCH_TOLERANCE:
        c, d = b - ratio * (b - a), a + ratio * (b - a)
        if chi_imag(c) >= chi_imag(d):
            b = d
        else:
            a = c
    peak = float(np.exp((a + b) / 2))

    def log_omega_tau(log_t):
        tau = tau_of(float(np.exp(log_t)))
        return np.inf if tau is None or not np.isfinite(tau) else np.log(2 * np.pi * frequency * tau)

    scan = np.array([log_omega_tau(g) for g in grid])
    crossing = None
    for i in range(points - 1):
        if scan[i] >= 0 > scan[i + 1]:
            a, b = grid[i], grid[i + 1]
            while b - a > PEAK_SEARCH_TOLERANCE:
                middle = (a + b) / 2
                a, b = (middle, b) if log_omega_tau(middle) >= 0 else (a, middle)
            crossing = float(np.exp((a + b) / 2))
            break
    return {"frequency_hz": frequency, "temperature_k": peak, "chi_imag_cm3_mol": chi_imag(np.log(peak)),
            "omega_tau_one_temperature_k": crossing}
