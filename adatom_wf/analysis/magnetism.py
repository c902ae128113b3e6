"""Magnetisation M(B, T) and χT(T) of a spectrum with a Zeeman term, powder-averaged or along axes, and the
Brillouin function of a free spin.

Method for M(B, T) (quasi-degenerate perturbation theory): states that the field mixes strongly (coupling at
the largest field above 10 % of their gap, or degenerate) form clusters, each diagonalised exactly at every
field — closed form for the usual singlets and doublets, batched ``eigh`` otherwise; every other state enters
through second order, H_eff(B) = E − B m − B² V with V_ij = ½ Σ_q m_iq m_qj [1/(E_q − E_i) + 1/(E_q − E_j)].
M is −⟨∂H_eff/∂B⟩ (Hellmann–Feynman) over the Boltzmann populations. ``coupling_ratio=0`` makes one
cluster of all states: exact diagonalisation.
χT(T) at zero field uses the exact linear-response (Van Vleck) formula over all states.
"""

from dataclasses import dataclass

import numpy as np
from scipy import constants
from scipy.sparse.csgraph import connected_components

from adatom_wf.analysis.spectrum import DEGENERACY_TOLERANCE_CM1, MagneticStates
from adatom_wf.analysis.units import (
    CURIE_CM3_K_PER_MOL,
    K_B_CM1_PER_K,
    MU_B_CM1_PER_T,
    MU_B_J_PER_T,
    finite_array,
    positive_array,
)
from adatom_wf.errors import AnalysisError

# Boltzmann factors below exp(−30) ≈ 1e-13 are left out of the thermal averages.
THERMAL_WINDOW_KT = 30.0
# States i, j are diagonalised together when the Zeeman coupling B_max |⟨i|μ|j⟩| exceeds 10 % of their gap;
# across clusters second-order perturbation theory then errs by ~(10 %)² of the coupling at B_max at most
# (≤ 3e-3 μB on the Tb models of Table 2 at 7 T, tested against exact diagonalisation).
CLUSTER_COUPLING_RATIO = 0.1
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


def zeeman_clusters(states: MagneticStates, max_field_t: float, coupling_ratio: float = CLUSTER_COUPLING_RATIO) -> list:
    """Groups of state indices that the Zeeman term mixes strongly and that are diagonalised together:
    the connected components of "B_max |⟨i|μ|j⟩| > ``coupling_ratio`` |E_i − E_j| or i, j degenerate".
    ``coupling_ratio=0`` puts every state in one cluster (exact diagonalisation)."""
    energies = states.energies_cm1
    if coupling_ratio == 0:
        return [np.arange(energies.size)]
    coupling = max_field_t * MU_B_CM1_PER_T * np.sqrt((np.abs(states.magnetic_moment_mub) ** 2).sum(axis=0))
    gap = np.abs(energies[:, None] - energies[None, :])
    strong = (coupling > coupling_ratio * gap) | (gap <= DEGENERACY_TOLERANCE_CM1)
    count, labels = connected_components(strong, directed=False)
    return [np.flatnonzero(labels == label) for label in range(count)]


def _cluster_blocks(states: MagneticStates, clusters: list, size: int):
    """Stacked energies (K, s), moments (3, K, s, s) and Van Vleck tensors (3, 3, K, s, s) of the clusters of one size.

    V_ab,ij = ½ Σ_q m_a,iq m_b,qj [1/(E_q − E_i) + 1/(E_q − E_j)] over the states q outside the cluster
    (cm⁻¹ T⁻²); H_eff(B) = E − B m_u − B² V_uu is then correct to second order in the field.
    """
    energies = states.energies_cm1 - states.energies_cm1[0]
    moment = states.magnetic_moment_mub * MU_B_CM1_PER_T
    chosen = [members for members in clusters if members.size == size]
    level = np.array([energies[members] for members in chosen])
    blocks = np.array([moment[:, members][:, :, members] for members in chosen]).transpose(1, 0, 2, 3)
    van_vleck = np.zeros((3, 3, len(chosen), size, size), dtype=complex)
    for index, members in enumerate(chosen):
        outside = np.setdiff1d(np.arange(energies.size), members)
        coupling = moment[:, members][:, :, outside]  # (3, s, q)
        weight = 1.0 / (energies[outside][None, :] - energies[members][:, None])  # (s, q)
        weighted = coupling * weight[None]
        van_vleck[:, :, index] = 0.5 * (np.einsum("aiq,bjq->abij", weighted, coupling.conj())
                                        + np.einsum("aiq,bjq->abij", coupling, weighted.conj()))
    return level, blocks, van_vleck


def _zeeman_levels(level, blocks, van_vleck, fields, unit):
    """Energies (D, B, K·s) in cm⁻¹ and moments along the field (D, B, K·s) in μB of one cluster size."""
    size = level.shape[1]
    m_u = np.einsum("da,akij->dkij", unit, blocks)[:, None]  # (D, 1, K, s, s)
    v_u = np.einsum("da,db,abkij->dkij", unit, unit, van_vleck)[:, None]
    b = fields[None, :, None, None, None]
    hamiltonian = np.eye(size) * level[None, None, :, :, None] - b * m_u - b**2 * v_u
    derivative = m_u + 2 * b * v_u  # −∂H/∂B
    shape = (unit.shape[0], fields.size, -1)
    if size == 1:
        return hamiltonian[..., 0, 0].real.reshape(shape), derivative[..., 0, 0].real.reshape(shape) / MU_B_CM1_PER_T
    if size == 2:
        h11, h22, h12 = hamiltonian[..., 0, 0].real, hamiltonian[..., 1, 1].real, hamiltonian[..., 0, 1]
        half = np.sqrt(((h11 - h22) / 2) ** 2 + np.abs(h12) ** 2)
        mean = (h11 + h22) / 2
        # ⟨±|D|±⟩ = ½ Tr D ± Tr[(H − mean) D] / (2 r): the projector onto each eigenvector of a 2×2 matrix
        trace = (derivative[..., 0, 0] + derivative[..., 1, 1]).real / 2
        mixed = ((h11 - mean) * derivative[..., 0, 0].real + (h22 - mean) * derivative[..., 1, 1].real
                 + 2 * (h12 * derivative[..., 1, 0]).real)
        split = np.where(half > 1e-12, mixed / (2 * np.where(half > 1e-12, half, 1.0)), 0.0)
        energies = np.stack([mean - half, mean + half], axis=-1)
        moments = np.stack([trace - split, trace + split], axis=-1)
        return energies.reshape(shape), moments.reshape(shape) / MU_B_CM1_PER_T
    values, vectors = np.linalg.eigh(hamiltonian)
    moments = np.einsum("...ia,...ia->...a", vectors.conj(), derivative @ vectors).real
    return values.reshape(shape), moments.reshape(shape) / MU_B_CM1_PER_T


def magnetisation_mub(states: MagneticStates, field_t, temperature_k, directions, *,
                      coupling_ratio: float = CLUSTER_COUPLING_RATIO) -> np.ndarray:
    """Projection of the thermal moment on the field, in μB, for a field along each direction.

    Returns shape (directions, fields, temperatures). ``coupling_ratio=0`` diagonalises the full
    Zeeman Hamiltonian (exact, slower); the default treats weakly coupled clusters to second order.
    """
    fields = finite_array("field", field_t, "T").ravel()
    temperatures = positive_array("temperature", temperature_k, "K").ravel()
    unit = unit_directions(directions)
    if not np.isfinite(coupling_ratio) or coupling_ratio < 0:
        raise AnalysisError(f"coupling_ratio must be a finite number >= 0, got {coupling_ratio}")
    clusters = zeeman_clusters(states, np.abs(fields).max(), coupling_ratio)
    energies, moments = [], []
    for size in sorted({members.size for members in clusters}):
        level, blocks, van_vleck = _cluster_blocks(states, clusters, size)
        cluster_energies, cluster_moments = _zeeman_levels(level, blocks, van_vleck, fields, unit)
        energies.append(cluster_energies)
        moments.append(cluster_moments)
    energies = np.concatenate(energies, axis=-1)
    moments = np.concatenate(moments, axis=-1)
    energies -= energies.min(axis=-1, keepdims=True)
    lowest = energies.min(axis=(0, 1))
    order = np.argsort(lowest)  # states by their lowest energy, so each temperature uses a prefix
    energies, moments, lowest = energies[..., order], moments[..., order], lowest[order]
    result = np.empty((unit.shape[0], fields.size, temperatures.size))
    for index, temperature in enumerate(temperatures):
        thermal = K_B_CM1_PER_K * temperature
        relevant = int(np.searchsorted(lowest, THERMAL_WINDOW_KT * thermal))  # weight > e^-30 somewhere
        weight = np.exp(-energies[..., :relevant] / thermal)
        result[..., index] = np.einsum("dbi,dbi->db", weight, moments[..., :relevant]) / weight.sum(axis=-1)
    return result


def powder_magnetisation_mub(states: MagneticStates, field_t, temperature_k, n_points: int = 110,
                             kind: str = "lebedev", *, coupling_ratio: float = CLUSTER_COUPLING_RATIO) -> np.ndarray:
    """Powder average of :func:`magnetisation_mub`, shape (fields, temperatures), in μB."""
    directions, weights = powder_grid(n_points, kind)
    per_direction = magnetisation_mub(states, field_t, temperature_k, directions, coupling_ratio=coupling_ratio)
    return np.einsum("d,dbt->bt", weights, per_direction)


# Lebedev sizes climbed by the adaptive powder average (each roughly 1.4–1.7× the previous one), and its default
# tolerance: successive grids must agree to 0.05 % of the largest |M| (an Ising doublet's |cos θ| kink at the equator
# makes Lebedev rules converge slowly: Tb3+ at 7 T, 2 K is 0.36 % off with 110 points; the change between
# successive grids bounds the remaining error there: 434 points, change 0.037 %, error 0.034 %).
ADAPTIVE_LEBEDEV_SIZES = (110, 194, 302, 434, 590, 974, 1454, 2030, 2702, 3470, 4334, 5294)
POWDER_TOLERANCE_RELATIVE = 5e-4


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

    def to_dict(self) -> dict:
        return {"points": self.n_points, "kind": self.kind, "tolerance_mub": self.tolerance_mub,
                "estimated_error_mub": self.estimated_error_mub, "converged": self.converged,
                "history": [{"points": n, "max_change_mub": d} for n, d in self.history]}


def adaptive_powder_magnetisation_mub(states: MagneticStates, field_t, temperature_k, *,
                                      tolerance_relative: float = POWDER_TOLERANCE_RELATIVE,
                                      sizes=ADAPTIVE_LEBEDEV_SIZES,
                                      coupling_ratio: float = CLUSTER_COUPLING_RATIO):
    """Powder M (fields, temperatures) on Lebedev grids of growing size until two successive grids agree within
    ``tolerance_relative`` × max |M| everywhere; returns (M of the finer grid, :class:`PowderConvergence`).
    ``converged`` is False when the largest grid is reached first."""
    if not np.isfinite(tolerance_relative) or tolerance_relative <= 0:
        raise AnalysisError(f"the powder tolerance must be a finite number > 0, got {tolerance_relative}")
    previous, history, change = None, [], np.inf
    for n_points in sizes:
        current = powder_magnetisation_mub(states, field_t, temperature_k, n_points, "lebedev",
                                           coupling_ratio=coupling_ratio)
        tolerance = tolerance_relative * max(float(np.abs(current).max()), 1e-12)
        if previous is not None:
            change = float(np.abs(current - previous).max())
            history.append((n_points, change))
            if change <= tolerance:
                return current, PowderConvergence(n_points, "lebedev", tolerance, change, True, history)
        else:
            history.append((n_points, None))
        previous = current
    return previous, PowderConvergence(sizes[-1], "lebedev", tolerance, change, False, history)


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
