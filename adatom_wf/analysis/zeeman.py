"""Zeeman diagrams: the levels of a :class:`SpinSystem` (electronic, or electron–nuclear) against the field
magnitude along one direction, or against the field's angle at a fixed magnitude, with the level crossings and
avoided crossings between neighbouring levels found and refined.

A crossing or an avoided crossing is a local minimum, along the sweep, of the gap between levels k and k+1 of the
sorted spectrum. Each minimum seen on the grid is refined by a bounded scalar minimisation of the exact gap
(a diagonalisation per evaluation) between the neighbouring grid points; a refined gap at or below
``crossing_tolerance_cm1`` is a true crossing (symmetry-allowed: the two states do not couple), a larger one an
avoided crossing whose gap Δ is where quantum tunnelling opens (Landau–Zener: P = 1 − exp(−π Δ² / 2ħ v)). Two
minima of one pair closer than a grid step are seen as one: make the grid finer to separate them.
"""

from dataclasses import dataclass
from typing import Any

import numpy as np

from adatom_wf.analysis.hyperfine import SpinSystem
from adatom_wf.analysis.spectrum import main_axis_frame
from adatom_wf.analysis.units import finite_array
from adatom_wf.errors import AnalysisError

# A refined gap at or below this (cm⁻¹, 30 Hz) is a crossing. The refinement locates the minimum to 1e-12 of the
# sweep range, so a true crossing (|slope| ≲ 50 cm⁻¹/T over ≲ 10 T) refines to ≲ 1e-9 cm⁻¹, while the smallest
# avoided crossings of interest (Tb3+ Δm_I = 0 windows: ~1e-3 cm⁻¹) are six orders above.
CROSSING_TOLERANCE_CM1 = 1e-9
REFINE_RELATIVE_TOLERANCE = 1e-12


@dataclass(frozen=True)
class ZeemanDiagram:
    # "field_t" (magnitude along ``direction``) or "angle_deg" (at ``field_t`` from ``direction`` to ``towards``)
    sweep: str
    values: np.ndarray
    energies_cm1: np.ndarray  # (points, levels tracked), relative to the zero-field ground level
    direction: np.ndarray
    towards: np.ndarray | None
    field_t: float | None
    crossings: list  # [{kind, levels, <sweep>, energy_cm1, gap_cm1, states: [{jz, iz}] of the two crossing states}]
    levels_tracked: int

    def to_dict(self) -> dict:
        return {"sweep": self.sweep, self.sweep: [float(v) for v in self.values],
                "energies_cm1": np.round(self.energies_cm1, 10).tolist(),
                "direction": [float(a) + 0.0 for a in self.direction],
                "towards": None if self.towards is None else [float(a) + 0.0 for a in self.towards],
                "field_magnitude_t": self.field_t, "levels_tracked": self.levels_tracked,
                "crossings": [c for c in self.crossings if c["kind"] == "crossing"],
                "avoided_crossings": [c for c in self.crossings if c["kind"] == "avoided"]}


def _golden_minimum(function, low: float, high: float, tolerance: float) -> tuple[float, float]:
    """(x, f(x)) at the minimum of a unimodal ``function`` on [low, high], to ``tolerance`` in x: golden-section
    search, which unlike scipy's bounded Brent has no sqrt(eps)·|x| floor, so a true crossing refines to ~1e-12."""
    ratio = (np.sqrt(5) - 1) / 2
    a, b = float(low), float(high)
    c, d = b - ratio * (b - a), a + ratio * (b - a)
    fc, fd = function(c), function(d)
    while b - a > tolerance:
        if fc <= fd:
            b, d, fd = d, c, fc
            c = b - ratio * (b - a)
            fc = function(c)
        else:
            a, c, fc = c, d, fd
            d = a + ratio * (b - a)
            fd = function(d)
    return (float(c), max(fc, 0.0)) if fc <= fd else (float(d), max(fd, 0.0))


def _pair_labels(system: SpinSystem, hamiltonian, level: int):
    """⟨J_n⟩ and ⟨I_n⟩ of the two states that (anti)cross at levels ``level``, ``level + 1``: the pair's vectors
    rotated to diagonalise J_n between them (the diabatic states, e.g. |+6, m_I⟩ and |−6, m_I⟩ of Tb3+)."""
    _, vectors = np.linalg.eigh(hamiltonian)
    pair = vectors[:, level:level + 2]
    j_axis = np.einsum("a,aij->ij", system.axis, system.angular_momentum)
    i_axis = np.einsum("a,aij->ij", system.axis, system.nuclear_spin)
    _, turn = np.linalg.eigh(pair.conj().T @ j_axis @ pair)
    pair = pair @ turn[:, ::-1]
    return (np.einsum("ji,jk,ki->i", pair.conj(), j_axis, pair).real,
            np.einsum("ji,jk,ki->i", pair.conj(), i_axis, pair).real)


def _field_function(sweep, direction, towards, field_t):
    if sweep == "field_t":
        return lambda value: value * direction
    return lambda value: field_t * (np.cos(np.radians(value)) * direction + np.sin(np.radians(value)) * towards)


def zeeman_diagram(system: SpinSystem, values, *, sweep: str = "field_t", direction=None, towards=None,
                   field_t: float | None = None, levels: int | None = None,
                   crossing_tolerance_cm1: float = CROSSING_TOLERANCE_CM1) -> ZeemanDiagram:
    """Levels along a sweep and the crossings among the lowest ``levels`` (default: all).

    ``sweep="field_t"``: ``values`` are field magnitudes (T, signed) along ``direction`` (default: the system's
    axis). ``sweep="angle_deg"``: ``values`` are angles (degrees) of a field of magnitude ``field_t`` turning from
    ``direction`` (0°) towards ``towards`` (90°; default: the x axis of :func:`main_axis_frame`).
    """
    if sweep not in ("field_t", "angle_deg"):
        raise AnalysisError(f"sweep must be 'field_t' or 'angle_deg', got {sweep!r}")
    grid = finite_array(sweep, values, "T" if sweep == "field_t" else "degrees").ravel()
    if grid.size < 3 or np.any(np.diff(grid) <= 0):
        raise AnalysisError(f"a Zeeman sweep needs at least 3 increasing {sweep} values, got {grid.size}")
    axis = system.axis if direction is None else np.asarray(direction, dtype=float)
    if axis.size != 3 or not np.linalg.norm(axis) > 0:
        raise AnalysisError(f"the field direction must be a non-zero vector x,y,z, got {direction!r}")
    axis = axis / np.linalg.norm(axis)
    second = None
    if sweep == "angle_deg":
        field_t = float(finite_array("field", field_t, "T")) if field_t is not None else None
        if field_t is None or field_t <= 0:
            raise AnalysisError("an angle sweep needs a field magnitude > 0 T (e.g. --field-t 1)")
        second = main_axis_frame(axis)[0] if towards is None else np.asarray(towards, dtype=float)
        second = second - (second @ axis) * axis
        if not np.linalg.norm(second) > 1e-9:
            raise AnalysisError("the direction the field turns towards must not be parallel to the field direction")
        second = second / np.linalg.norm(second)
    size = system.zero_field_hamiltonian_cm1.shape[0]
    tracked = size if levels is None else int(levels)
    if not 2 <= tracked <= size:
        raise AnalysisError(f"the number of levels to follow must be between 2 and the {size} levels, got {levels}")
    field_of = _field_function(sweep, axis, second, field_t)
    reference = np.linalg.eigvalsh(system.zero_field_hamiltonian_cm1)[0]

    def spectrum(value):
        return np.linalg.eigvalsh(system.hamiltonian(field_of(value)))[:tracked] - reference

    energies = np.array([spectrum(value) for value in grid])
    crossings: list[dict[str, Any]] = []
    span = grid[-1] - grid[0]
    for level in range(tracked - 1):
        gap = energies[:, level + 1] - energies[:, level]
        for k in range(1, grid.size - 1):
            if not (gap[k] <= gap[k - 1] and gap[k] < gap[k + 1]):
                continue
            where, smallest = _golden_minimum(lambda v, level=level: float(np.diff(spectrum(v)[level:level + 2])[0]),
                                              grid[k - 1], grid[k + 1], REFINE_RELATIVE_TOLERANCE * span)
            if gap[k] < smallest:
                where, smallest = float(grid[k]), float(gap[k])
            jz, iz = _pair_labels(system, system.hamiltonian(field_of(where)), level)
            nuclear = system.nucleus is not None
            crossings.append({
                "kind": "crossing" if smallest <= crossing_tolerance_cm1 else "avoided",
                "levels": [level, level + 1], sweep: where,
                "energy_cm1": float(spectrum(where)[level:level + 2].mean()),
                "gap_cm1": smallest,
                "states": [{"jz": round(float(jz[i]), 4) + 0.0,
                            **({"iz": round(float(iz[i]), 4) + 0.0} if nuclear else {})} for i in (0, 1)],
            })
    crossings.sort(key=lambda c: (c[sweep], c["levels"][0]))
    return ZeemanDiagram(sweep, grid, energies, axis, second, field_t, crossings, tracked)
