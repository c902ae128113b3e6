"""Stern–Gerlach deflection of atoms and clusters (second paper): profiles for a blocked (atom-like) and a
relaxing (superparamagnetic) moment, and the moment from a measured mean deflection.

A particle of mass m with moment projection μ_z on the field crosses a magnet of length L1 with gradient
∂B/∂z at speed v and drifts L2 to the detector; its deflection is d = μ_z (∂B/∂z) L1 (L1/2 + L2) / (m v²).
Blocked (τ longer than the flight L1/v): each particle keeps a space-quantised projection, giving peaks
at ±g J μB (``ising``) or at g m μB, m = −J … J (``mj``), populated equally as they leave the field-free
source. Relaxing (τ shorter): every particle carries the thermal mean g J μB B_J(g μB J B / k_B T), one
single-sided peak (Brillouin, not Langevin, because the moments are small).
"""

from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq

from adatom_wf.analysis.magnetism import brillouin
from adatom_wf.analysis.units import (
    AMU_KG,
    K_B_CM1_PER_K,
    K_B_J_PER_K,
    MU_B_CM1_PER_T,
    MU_B_J_PER_T,
    finite_array,
    non_negative_array,
    positive_array,
)
from adatom_wf.errors import AnalysisError


@dataclass(frozen=True)
class SternGerlachMagnet:
    """Field (T) and gradient magnitude (T/m) in the magnet, magnet and drift lengths (m)."""

    field_t: float
    gradient_t_per_m: float
    magnet_length_m: float
    drift_length_m: float

    def __post_init__(self):
        non_negative_array("magnet field", self.field_t, "T")
        positive_array("field gradient", self.gradient_t_per_m, "T/m")
        positive_array("magnet length", self.magnet_length_m, "m")
        non_negative_array("drift length", self.drift_length_m, "m")

    def deflection_per_mub_m(self, mass_amu: float, velocity_m_s) -> np.ndarray:
        """Deflection (m) of a particle with μ_z = 1 μB at each velocity."""
        mass_kg = float(positive_array("mass", mass_amu, "amu")) * AMU_KG
        velocity = positive_array("velocity", velocity_m_s, "m/s")
        lever = self.magnet_length_m * (self.magnet_length_m / 2 + self.drift_length_m)
        return MU_B_J_PER_T * self.gradient_t_per_m * lever / (mass_kg * velocity**2)

    def flight_time_s(self, velocity_m_s) -> np.ndarray:
        """Time spent inside the magnet (s), the time a blocked moment must survive."""
        return self.magnet_length_m / positive_array("velocity", velocity_m_s, "m/s")


@dataclass(frozen=True)
class VelocityDistribution:
    """Beam velocities (m/s) with normalised flux weights (a quadrature of the distribution)."""

    velocities_m_s: np.ndarray
    weights: np.ndarray

    @property
    def mean_m_s(self) -> float:
        return float(self.weights @ self.velocities_m_s)

    @property
    def mean_inverse_square(self) -> float:
        """⟨1/v²⟩ in s²/m², which the mean deflection is proportional to."""
        return float(self.weights @ self.velocities_m_s**-2.0)


def gaussian_velocities(mean_m_s: float, spread_m_s: float = 0.0, points: int = 201) -> VelocityDistribution:
    """A (seeded, supersonic) beam: Gaussian of standard deviation ``spread_m_s`` about ``mean_m_s``, cut at ±4σ."""
    mean = float(positive_array("velocity", mean_m_s, "m/s"))
    spread = float(non_negative_array("velocity spread", spread_m_s, "m/s"))
    if spread == 0:
        return VelocityDistribution(np.array([mean]), np.array([1.0]))
    if 4 * spread >= mean:
        raise AnalysisError(
            f"velocity spread {spread:g} m/s is too wide for a mean of {mean:g} m/s; keep it below a quarter "
            "of the mean"
        )
    velocities = np.linspace(mean - 4 * spread, mean + 4 * spread, points)
    weights = np.exp(-0.5 * ((velocities - mean) / spread) ** 2)
    return VelocityDistribution(velocities, weights / weights.sum())


def effusive_velocities(source_temperature_k: float, mass_amu: float, points: int = 400) -> VelocityDistribution:
    """An effusive beam from a source at ``source_temperature_k``: flux ∝ v³ exp(−m v² / 2 k_B T)."""
    temperature = float(positive_array("source temperature", source_temperature_k, "K"))
    mass_kg = float(positive_array("mass", mass_amu, "amu")) * AMU_KG
    most_probable = np.sqrt(2 * K_B_J_PER_K * temperature / mass_kg)
    step = 5 * most_probable / points
    velocities = (np.arange(points) + 0.5) * step
    weights = velocities**3 * np.exp(-(velocities / most_probable) ** 2)
    return VelocityDistribution(velocities, weights / weights.sum())


def atom_like_projections_mub(spin_j: float, g: float, components: str = "ising") -> tuple[np.ndarray, np.ndarray]:
    """Blocked projections (μB) and their populations: ±g J (``ising``) or g m for m = −J … J (``mj``)."""
    j = float(positive_array("J", spin_j, "(spin quantum number)"))
    g = float(finite_array("g", g, "(dimensionless)"))
    if (2 * j) % 1:
        raise AnalysisError(f"J must be a multiple of 1/2, got {spin_j}")
    if components == "ising":
        projections = np.array([-g * j, g * j])
    elif components == "mj":
        projections = g * np.arange(-j, j + 0.5, 1.0)
    else:
        raise AnalysisError(f"atom-like components must be 'ising' (±gJ) or 'mj' (g m, m = -J..J), got {components!r}")
    return projections, np.full(projections.size, 1.0 / projections.size)


def superparamagnetic_projection_mub(spin_j: float, g: float, field_t: float, temperature_k: float) -> float:
    """Thermal mean projection g J B_J(g μB J B / k_B T) in μB of a relaxing moment."""
    j = float(positive_array("J", spin_j, "(spin quantum number)"))
    temperature = float(positive_array("beam temperature", temperature_k, "K"))
    field = float(non_negative_array("magnet field", field_t, "T"))
    x = g * MU_B_CM1_PER_T * j * field / (K_B_CM1_PER_K * temperature)
    return float(g * j * brillouin(j, x))


def deflection_profile(magnet: SternGerlachMagnet, mass_amu: float, velocities: VelocityDistribution,
                       projections_mub, populations, positions_m, beam_width_m: float) -> np.ndarray:
    """Detector intensity at ``positions_m`` (normalised to unit area): each projection's deflection over the
    velocity distribution, broadened by the undeflected beam profile (Gaussian, standard deviation in m)."""
    width = float(positive_array("beam width", beam_width_m, "m"))
    positions = finite_array("positions", positions_m, "m").ravel()
    shifts = np.outer(finite_array("projections", projections_mub, "muB").ravel(),
                      magnet.deflection_per_mub_m(mass_amu, velocities.velocities_m_s))  # (component, velocity)
    weights = np.outer(np.asarray(populations, dtype=float), velocities.weights)
    offsets = (positions[:, None, None] - shifts[None]) / width
    intensity = (weights[None] * np.exp(-0.5 * offsets**2)).sum(axis=(1, 2)) / (width * np.sqrt(2 * np.pi))
    return intensity


def mean_deflection_m(magnet: SternGerlachMagnet, mass_amu: float, velocities: VelocityDistribution,
                      projection_mub: float) -> float:
    """Mean deflection (m) of particles with projection ``projection_mub`` over the velocity distribution."""
    at_unit_speed = float(magnet.deflection_per_mub_m(mass_amu, 1.0))
    return float(projection_mub) * at_unit_speed * velocities.mean_inverse_square


def projection_from_mean_deflection_mub(magnet: SternGerlachMagnet, mass_amu: float,
                                        velocities: VelocityDistribution, mean_deflection: float) -> float:
    """The mean projection ⟨μ_z⟩ (μB) that produces a measured mean deflection (m): the inverse of
    :func:`mean_deflection_m`."""
    finite_array("mean deflection", mean_deflection, "m")
    return float(mean_deflection / mean_deflection_m(magnet, mass_amu, velocities, 1.0))


def moment_from_mean_deflection_mub(magnet: SternGerlachMagnet, mass_amu: float, velocities: VelocityDistribution,
                                    mean_deflection: float, spin_j: float, beam_temperature_k: float) -> float:
    """The moment g J μB (μB) of a superparamagnetic particle from its mean deflection (m): solves
    ⟨μ_z⟩ = μ B_J(μ μB B / k_B T) for μ (monotonic in μ)."""
    projection = projection_from_mean_deflection_mub(magnet, mass_amu, velocities, mean_deflection)
    if magnet.field_t <= 0:
        raise AnalysisError("the moment follows from a mean deflection only in a field > 0 T")
    if projection <= 0:
        raise AnalysisError(
            f"mean deflection {mean_deflection:g} m gives <mu_z> = {projection:.3g} muB; a superparamagnetic particle "
            "deflects towards the strong field (positive mean)"
        )
    j = float(positive_array("J", spin_j, "(spin quantum number)"))

    def excess(moment):
        return superparamagnetic_projection_mub(j, moment / j, magnet.field_t, beam_temperature_k) - projection

    upper = 2 * projection
    while excess(upper) <= 0:
        upper *= 2
        if upper > 1e6:
            raise AnalysisError(
                f"no moment below 1e6 muB gives <mu_z> = {projection:.3g} muB at this field and temperature"
            )
    return float(brentq(excess, projection, upper, xtol=1e-12))


def deflection_regime(relaxation_time_s: float, flight_time_s: float) -> str:
    """``atom-like`` when the moment outlives the flight through the magnet, else ``superparamagnetic``."""
    tau = float(positive_array("relaxation time", relaxation_time_s, "s"))
    return "atom-like" if tau > float(positive_array("flight time", flight_time_s, "s")) else "superparamagnetic"
