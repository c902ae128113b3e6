"""Magnetisation M(B, T) and χT(T) of a spectrum with a Zeeman term, powder-averaged or along axes, and the
Brillouin function of a free spin.

Method for M(B, T): exact diagonalisation of H = E − B n·μ over every state at every field and direction, M the
Boltzmann average of −⟨∂H/∂B⟩ = ⟨n·μ⟩ over the eigenstates. The states are a multiplet (a pseudospin's 2S + 1, or
the ground multiplet a store holds: 13 for Tb3+, 14 for Tb2+), so each direction costs a batch of small ``eigh``.
The powder average by default integrates Gauss–Legendre in cos θ × equal steps in φ about the main axis
(:func:`axial_grid`), refined until two grids agree (:func:`adaptive_powder_magnetisation_mub`).
χT(T) at zero field uses the exact linear-response (Van Vleck) formula over all states.
"""

from dataclasses import dataclass

import numpy as np
from scipy import constants

from adatom_wf.analysis.spectrum import DEGENERACY_TOLERANCE_CM1, MagneticStates, default_main_axis, group_levels
from adatom_wf.analysis.units import (
    CURIE_CM3_K_PER_MOL,
    K_B_CM1_PER_K,
    MU_B_CM1_PER_T,
    MU_B_J_PER_T,
    finite_array,
    positive_array,
)
from adatom_wf.errors import AnalysisError

# Field × direction × state² complex numbers per batch of the diagonalisation (~64 MB).
BATCH_NUMBERS = 4_000_000
# N_A μB in cm³ T mol⁻¹: χ_mol (cm³ mol⁻¹, Gaussian) = this × M (μB per ion) / B (T).
MOLAR_MOMENT_CM3_T_PER_MOL = constants.N_A * MU_B_J_PER_T * 1e3 / 1e4


def brillouin(spin_j, x) -> np.ndarray:
    """B_J(x) = (2J+1)/(2J) coth((2J+1)x/(2J)) − 1/(2J) coth(x/(2J)); series near x = 0."""
    j = float(positive_array("J", spin_j, "(spin quantum number)"))
    x = finite_array("x", x, "(dimensionless)")
    a, b = (2 * j + 1) / (2 * j), 1 / (2 * j)
    small = np.abs(x) < 1e-3
    safe = np.where(small, 1.0, x)
    exact = a / np.tanh(a * safe) - b / np.tanh(b * safe)
    series = (a**2 - b**2) * x / 3 - (a**4 - b**4) * x**3 / 45
    return np.where(small, series, exact)


def free_spin_magnetisation_mub(spin_j, g, field_t, temperature_k) -> np.ndarray:
    """M = g J B_J(g μB J B / k_B T) in μB for a free spin J, shape (fields, temperatures)."""
    fields = finite_array("field", field_t, "T").ravel()
    temperatures = positive_array("temperature", temperature_k, "K").ravel()
    j = float(positive_array("J", spin_j, "(spin quantum number)"))
    g = float(finite_array("g", g, "(dimensionless)"))
    x = g * MU_B_CM1_PER_T * j * fields[:, None] / (K_B_CM1_PER_K * temperatures[None, :])
    return g * j * brillouin(j, x)


def powder_grid(n_points: int = 110, kind: str = "lebedev") -> tuple[np.ndarray, np.ndarray]:
    """Directions (n, 3) and weights summing to 1 on the unit sphere.

    ``lebedev``: the Lebedev rule with exactly ``n_points`` points (6, 14, 26, 38, 50, 74, 86, 110, 146, …;
    scipy >= 1.15); ``fibonacci``: any number of near-uniform points with equal weights.
    """
    if int(n_points) != n_points or n_points < 1:
        raise AnalysisError(f"the powder grid needs a positive whole number of points, got {n_points!r}")
    n_points = int(n_points)
    if kind == "fibonacci":
        index = np.arange(n_points) + 0.5
        cos_theta = 1 - 2 * index / n_points
        phi = np.pi * (1 + 5**0.5) * index
        sin_theta = np.sqrt(1 - cos_theta**2)
        directions = np.column_stack([sin_theta * np.cos(phi), sin_theta * np.sin(phi), cos_theta])
        return directions, np.full(n_points, 1.0 / n_points)
    if kind != "lebedev":
        raise AnalysisError(f"powder grid kind must be 'lebedev' or 'fibonacci', got {kind!r}")
    from scipy.integrate import lebedev_rule

    sizes = []
    for order in range(3, 132, 2):
        try:
            points, weights = lebedev_rule(order)
        except (ValueError, NotImplementedError):
            continue
        if points.shape[1] == n_points:
            return points.T.copy(), weights / weights.sum()
        sizes.append(points.shape[1])
        if points.shape[1] > n_points:
            break
    raise AnalysisError(f"no Lebedev grid has {n_points} points; use one of {sizes} or a Fibonacci grid")


def unit_directions(directions) -> np.ndarray:
    """(n, 3) unit vectors from one vector or a list of vectors."""
    array = np.atleast_2d(finite_array("direction", directions, "(vector)"))
    norms = np.linalg.norm(array, axis=1)
    if array.shape[1] != 3 or np.any(norms == 0):
        raise AnalysisError(f"directions must be non-zero vectors x,y,z, got {directions!r}")
    return array / norms[:, None]


def _zeeman_levels(states: MagneticStates, fields: np.ndarray, unit: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Energies (D, B, n) in cm⁻¹ and moments along the field (D, B, n) in μB: H = E − B n·μ diagonalised at every
    field and direction, the moment ⟨n·μ⟩ = −⟨∂H/∂B⟩ of each eigenstate."""
    level = states.energies_cm1 - states.energies_cm1[0]
    size = level.size
    energies = np.empty((unit.shape[0], fields.size, size))
    moments = np.empty_like(energies)
    batch = max(1, BATCH_NUMBERS // (fields.size * size * size))
    b = fields[None, :, None, None] * MU_B_CM1_PER_T
    for start in range(0, unit.shape[0], batch):
        chunk = slice(start, start + batch)
        along = np.einsum("da,aij->dij", unit[chunk], states.magnetic_moment_mub)[:, None]  # (d, 1, n, n), μB
        values, vectors = np.linalg.eigh(np.diag(level) - b * along)
        energies[chunk] = values
        moments[chunk] = np.einsum("...ia,...ia->...a", vectors.conj(), along @ vectors).real
    return energies, moments


def _thermal_moment(energies, moments, temperatures) -> np.ndarray:
    """Boltzmann average (D, B, T) of the moments over the levels (D, B, n)."""
    energies = energies - energies.min(axis=-1, keepdims=True)
    result = np.empty(energies.shape[:2] + (temperatures.size,))
    for index, temperature in enumerate(temperatures):
        weight = np.exp(-energies / (K_B_CM1_PER_K * temperature))  # underflows to 0 beyond the window
        result[..., index] = np.einsum("dbi,dbi->db", weight, moments) / weight.sum(axis=-1)
    return result


def magnetisation_mub(states: MagneticStates, field_t, temperature_k, directions) -> np.ndarray:
    """Projection of the thermal moment on the field, in μB, for a field along each direction: shape (directions,
    fields, temperatures), by exact diagonalisation of the Zeeman Hamiltonian."""
    fields = finite_array("field", field_t, "T").ravel()
    temperatures = positive_array("temperature", temperature_k, "K").ravel()
    return _thermal_moment(*_zeeman_levels(states, fields, unit_directions(directions)), temperatures)


def powder_magnetisation_mub(states: MagneticStates, field_t, temperature_k, n_points: int = 110,
                             kind: str = "lebedev") -> np.ndarray:
    """Powder average of :func:`magnetisation_mub` on a fixed grid (:func:`powder_grid`), shape (fields,
    temperatures), in μB."""
    directions, weights = powder_grid(n_points, kind)
    return np.einsum("d,dbt->bt", weights, magnetisation_mub(states, field_t, temperature_k, directions))


def axial_grid(n_theta: int, axis, hemisphere: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Directions and weights (sum 1) of a product rule about ``axis``: ``n_theta`` Gauss–Legendre points in
    cos θ ∈ [0, 1] (and [−1, 0] unless ``hemisphere``) times ``n_theta`` equal steps in φ.

    Why not Lebedev: an Ising doublet's M(θ) ∝ |cos θ| tanh(…|cos θ|) has a kink on the plane normal to its axis,
    where a Lebedev rule converges slowly (Tb3+ at 7 T, 2 K: 0.36 % off with 110 points, 0.03 % with 434); here the
    kink is an end of the interval, so the rule converges exponentially, and the φ steps are exact for the few
    harmonics a crystal field leaves (Tb3+: 12 × 12 points agree with 96 × 96 to 3e-6 μB).
    M(−n) = M(n) for zero-field states (time reversal), so the upper hemisphere suffices.
    """
    nodes, weights = np.polynomial.legendre.leggauss(int(n_theta))
    cos_theta, weights = (nodes + 1) / 2, weights / 2
    if not hemisphere:
        cos_theta, weights = np.concatenate([-cos_theta[::-1], cos_theta]), np.concatenate([weights[::-1], weights]) / 2
    phi = 2 * np.pi * (np.arange(int(n_theta)) + 0.5) / int(n_theta)
    sin_theta = np.sqrt(1 - cos_theta**2)
    local = np.stack([np.outer(sin_theta, np.cos(phi)).ravel(), np.outer(sin_theta, np.sin(phi)).ravel(),
                      np.repeat(cos_theta, phi.size)], axis=1)
    z = unit_directions(axis)[0]
    x = np.cross([0.0, 1.0, 0.0] if abs(z[1]) < 0.9 else [1.0, 0.0, 0.0], z)
    x /= np.linalg.norm(x)
    return local @ np.array([x, np.cross(z, x), z]), np.repeat(weights, phi.size) / phi.size


# Gauss–Legendre orders in cos θ climbed by the adaptive powder average (φ takes as many steps), and its default
# tolerance: successive grids must agree to 1e-5 of the largest |M| (Tb3+ at 7 T: 4.6e-5 μB, reached at 16 × 16).
ADAPTIVE_AXIAL_ORDERS = (8, 12, 16, 24, 32, 48, 64, 96, 128)
POWDER_TOLERANCE_RELATIVE = 1e-5


@dataclass(frozen=True)
class PowderConvergence:
    """How an adaptive powder average ended: the grid used, the change from the previous grid (μB, the error
    estimate), the tolerance it was held to (μB), and every (points, max change) on the way."""

    n_points: int
    kind: str
    tolerance_mub: float
    estimated_error_mub: float
    converged: bool
    history: list
    axis: tuple = (0.0, 0.0, 1.0)

    def to_dict(self) -> dict:
        return {"points": self.n_points, "kind": self.kind, "axis": [float(a) + 0.0 for a in self.axis],
                "tolerance_mub": self.tolerance_mub, "estimated_error_mub": self.estimated_error_mub,
                "converged": self.converged,
                "history": [{"points": n, "max_change_mub": d} for n, d in self.history]}


def adaptive_powder_magnetisation_mub(states: MagneticStates, field_t, temperature_k, *,
                                      tolerance_relative: float = POWDER_TOLERANCE_RELATIVE,
                                      orders=ADAPTIVE_AXIAL_ORDERS):
    """Powder M (fields, temperatures) on :func:`axial_grid` rules about the ground level's main axis, of growing
    order until two successive ones agree within ``tolerance_relative`` × max |M| everywhere; returns (M of the finer
    grid, :class:`PowderConvergence`). The change bounds the finer grid's error (the rules converge exponentially);
    ``converged`` is False when the largest order is reached first."""
    if not np.isfinite(tolerance_relative) or tolerance_relative <= 0:
        raise AnalysisError(f"the powder tolerance must be a finite number > 0, got {tolerance_relative}")
    fields = finite_array("field", field_t, "T").ravel()
    temperatures = positive_array("temperature", temperature_k, "K").ravel()
    axis = default_main_axis(states, group_levels(states, DEGENERACY_TOLERANCE_CM1)[0])
    previous, change, tolerance = None, np.inf, np.inf
    history: list[tuple[int, float | None]] = []
    for order in orders:
        directions, weights = axial_grid(order, axis, hemisphere=states.time_reversal)
        current = np.einsum("d,dbt->bt", weights, magnetisation_mub(states, fields, temperatures, directions))
        tolerance = tolerance_relative * max(float(np.abs(current).max()), 1e-12)
        if previous is not None:
            change = float(np.abs(current - previous).max())
            history.append((weights.size, change))
            if change <= tolerance:
                return current, PowderConvergence(weights.size, "gauss-legendre", tolerance, change, True, history,
                                                  tuple(axis))
        else:
            history.append((weights.size, None))
        previous = current
    return previous, PowderConvergence(history[-1][0], "gauss-legendre", tolerance, change, False, history,
                                       tuple(axis))


def chi_t_cm3_k_mol(states: MagneticStates, temperature_k, direction=None) -> np.ndarray:
    """Zero-field χT (cm³ K mol⁻¹) along ``direction`` or powder-averaged (None), exact linear response.

    χ_aa = N_A μB² Σ_ij |μ_a,ij|² (e^{−βE_i} − e^{−βE_j}) / (E_j − E_i) / Z, whose degenerate limit is
    the Curie term β e^{−βE_i}; a free spin gives χT = 0.12505 g² S(S+1).
    """
    temperatures = positive_array("temperature", temperature_k, "K").ravel()
    energies = states.energies_cm1 - states.energies_cm1[0]
    if direction is None:
        squared = (np.abs(states.magnetic_moment_mub) ** 2).sum(axis=0) / 3
    else:
        squared = np.abs(np.einsum("a,aij->ij", unit_directions(direction)[0], states.magnetic_moment_mub)) ** 2
    beta = 1.0 / (K_B_CM1_PER_K * temperatures)[:, None, None]
    lower = np.minimum(energies[:, None], energies[None, :])[None]
    gap = np.abs(energies[:, None] - energies[None, :])[None] * beta
    ratio = np.where(gap > 1e-12, -np.expm1(-gap) / np.where(gap > 1e-12, gap, 1.0), 1.0)
    response = np.exp(-beta * lower) * beta * ratio  # 1/cm⁻¹
    partition = np.exp(-beta[:, :, 0] * energies[None, :]).sum(axis=1)
    chi = CURIE_CM3_K_PER_MOL * K_B_CM1_PER_K * np.einsum("ij,tij->t", squared, response) / partition
    return chi * temperatures


def chi_t_from_magnetisation_cm3_k_mol(magnetisation_mub_values, field_t: float, temperature_k) -> np.ndarray:
    """χT = N_A μB M / B × T (cm³ K mol⁻¹) from M (μB) computed at a finite field ``field_t`` (T)."""
    field = float(positive_array("field", field_t, "T"))
    temperatures = positive_array("temperature", temperature_k, "K").ravel()
    return MOLAR_MOMENT_CM3_T_PER_MOL * np.asarray(magnetisation_mub_values) / field * temperatures
