"""Electron–nuclear states: the states of a multiplet times the spin I of the adatom's magnetic nucleus.

In the product basis |i⟩ ⊗ |I, m_I⟩ (|i⟩ the zero-field eigenstates of :class:`MagneticStates`, m_I = I … −I):

    H = H_el ⊗ 1 + A_J J·I + P [(n·I)² − I(I+1)/3] − μ·B,      μ = μ_el ⊗ 1 + g_N (μN/μB) 1 ⊗ I

with J the states' angular momentum (the pseudospin of a crystal-field model, or L + S of stored SO states),
A_J the hyperfine constant of the multiplet, P the axial quadrupole constant along the unit vector n (the main
axis unless given), g_N the nuclear g factor (μ_I = g_N μN I; −μ·B carries the nuclear Zeeman term), all in
cm⁻¹, μB and T. The coupling acts inside the multiplet kept (13 states for Tb3+ J = 6): hyperfine mixing with
other multiplets, ≳ 1000 cm⁻¹ away, is left out.

A half-integer I turns a non-Kramers ion into a Kramers electron–nuclear system (J + I half-integer), so every
electron–nuclear level is then doubly degenerate in zero field: Tb3+ with ¹⁵⁹Tb (I = 3/2) has 13 × 4 = 52 levels,
and its ground ±6 doublet becomes four doublets |±6, ±m_I⟩ at ≈ 6 A_J m_I (the quadrupole term shifts the
|m_I| = 3/2 pair by +P and the 1/2 pair by −P).
"""

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from adatom_wf.analysis.spectrum import DEGENERACY_TOLERANCE_CM1, MagneticStates
from adatom_wf.analysis.stevens import pseudospin_value, spin_operators
from adatom_wf.analysis.units import MU_B_CM1_PER_T, MU_N_CM1_PER_T, finite_array
from adatom_wf.errors import AnalysisError

# Two electron–nuclear sublevels whose ⟨J_n⟩ differ by less than this are one J_n eigenvalue when the states of a
# degenerate level are labelled (then I_n is diagonalised among them).
LABEL_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Nucleus:
    """A nuclear spin I with its hyperfine constant A_J, quadrupole constant P (cm⁻¹) and nuclear g factor."""

    spin: Fraction
    a_j_cm1: float = 0.0
    p_cm1: float = 0.0
    g_n: float = 0.0
    isotope: str | None = None

    def __post_init__(self):
        try:
            object.__setattr__(self, "spin", pseudospin_value(self.spin))
        except AnalysisError:
            raise AnalysisError(f"nuclear spin {self.spin!r} is not a positive multiple of 1/2 (e.g. 3/2 for 159Tb, "
                                "7/2 for 165Ho)") from None
        for name, value in (("A_J", self.a_j_cm1), ("P", self.p_cm1), ("g_N", self.g_n)):
            finite_array(name, value, "cm^-1" if name != "g_N" else "(dimensionless)")
        if self.p_cm1 != 0 and self.spin < 1:
            raise AnalysisError(f"a quadrupole term P needs a nuclear spin I >= 1, got I = {self.spin} "
                                "(for I = 1/2 the operator I_z^2 - I(I+1)/3 vanishes)")


@dataclass(frozen=True)
class SpinSystem:
    """Zero-field Hamiltonian (cm⁻¹) and operators, each (3, n, n), in the basis |i⟩ ⊗ |m_I⟩ (without a
    nucleus: the electronic eigenbasis, and ``nuclear_spin`` is zero)."""

    zero_field_hamiltonian_cm1: np.ndarray
    angular_momentum: np.ndarray
    nuclear_spin: np.ndarray
    magnetic_moment_mub: np.ndarray
    electronic_state: np.ndarray  # index of the electronic state of each basis vector
    kramers: bool
    axis: np.ndarray  # unit vector: the quadrupole axis and the axis of ⟨J_n⟩, ⟨I_n⟩ labels
    nucleus: Nucleus | None = None

    def hamiltonian(self, field_t) -> np.ndarray:
        """H(B) = H(0) − μ·B in cm⁻¹ for a field vector (T)."""
        field = finite_array("field", field_t, "T").ravel()
        if field.size != 3:
            raise AnalysisError(f"the field must be a vector Bx,By,Bz in T, got {field.size} numbers")
        return self.zero_field_hamiltonian_cm1 - MU_B_CM1_PER_T * np.einsum("a,aij->ij", field,
                                                                           self.magnetic_moment_mub)


def _unit(name, vector) -> np.ndarray:
    array = finite_array(name, vector, "(direction)").ravel()
    if array.size != 3 or not np.linalg.norm(array) > 0:
        raise AnalysisError(f"the {name} must be a non-zero vector x,y,z, got {vector!r}")
    return array / np.linalg.norm(array)


def spin_system(states: MagneticStates, nucleus: Nucleus | None = None, axis=(0.0, 0.0, 1.0)) -> SpinSystem:
    """The electronic ``states`` (zero field), optionally times ``nucleus``, as one :class:`SpinSystem`."""
    if not states.time_reversal:
        raise AnalysisError("the electronic states must be zero-field states; the field is applied in the "
                            "electron-nuclear space (SpinSystem.hamiltonian)")
    axis = _unit("axis", axis)
    n_electronic = states.energies_cm1.size
    electronic_h = np.diag(states.energies_cm1.astype(complex))
    if nucleus is None:
        return SpinSystem(electronic_h, states.angular_momentum, np.zeros_like(states.angular_momentum),
                          states.magnetic_moment_mub, np.arange(n_electronic), states.kramers, axis)
    spin = spin_operators(int(2 * nucleus.spin))
    size = spin.shape[1]
    one_e, one_n = np.eye(n_electronic), np.eye(size)

    def electronic(operators):
        return np.array([np.kron(o, one_n) for o in operators])

    nuclear = np.array([np.kron(one_e, o) for o in spin])
    angular_momentum = electronic(states.angular_momentum)
    i_axis = np.einsum("a,aij->ij", axis, nuclear)
    i_squared = float(nucleus.spin * (nucleus.spin + 1))
    hamiltonian = (np.kron(electronic_h, one_n)
                   + nucleus.a_j_cm1 * np.einsum("aij,ajk->ik", angular_momentum, nuclear)
                   + nucleus.p_cm1 * (i_axis @ i_axis - i_squared / 3 * np.eye(n_electronic * size)))
    moment = electronic(states.magnetic_moment_mub) + nucleus.g_n * MU_N_CM1_PER_T / MU_B_CM1_PER_T * nuclear
    return SpinSystem(hamiltonian, angular_momentum, nuclear, moment, np.repeat(np.arange(n_electronic), size),
                      states.kramers != bool(int(2 * nucleus.spin) % 2), axis, nucleus)


def labelled_eigenstates(system: SpinSystem, hamiltonian, tolerance_cm1: float = DEGENERACY_TOLERANCE_CM1):
    """Energies (ascending), eigenvectors, and ⟨J_n⟩, ⟨I_n⟩ of each; within each set of levels degenerate within
    ``tolerance_cm1`` the vectors are chosen to diagonalise J_n, then I_n, so the labels do not depend on how
    ``eigh`` happened to mix them."""
    energies, vectors = np.linalg.eigh(hamiltonian)
    j_axis = np.einsum("a,aij->ij", system.axis, system.angular_momentum)
    i_axis = np.einsum("a,aij->ij", system.axis, system.nuclear_spin)
    start = 0
    for end in range(1, energies.size + 1):
        if end < energies.size and energies[end] - energies[end - 1] <= tolerance_cm1:
            continue
        if end - start > 1:
            block = vectors[:, start:end]
            values, rotation = np.linalg.eigh(block.conj().T @ j_axis @ block)
            block = block @ rotation[:, ::-1]
            values = values[::-1]
            first = 0
            for last in range(1, values.size + 1):
                if last < values.size and abs(values[last] - values[last - 1]) <= LABEL_TOLERANCE:
                    continue
                sub = block[:, first:last]
                _, turn = np.linalg.eigh(sub.conj().T @ i_axis @ sub)
                block[:, first:last] = sub @ turn[:, ::-1]
                first = last
            vectors[:, start:end] = block
        start = end
    jz = np.einsum("ji,jk,ki->i", vectors.conj(), j_axis, vectors).real
    iz = np.einsum("ji,jk,ki->i", vectors.conj(), i_axis, vectors).real
    return energies, vectors, jz, iz


@dataclass(frozen=True)
class HyperfineSpectrum:
    levels_cm1: np.ndarray
    jz: np.ndarray
    iz: np.ndarray
    sublevels: list  # [{energy_cm1, degeneracy, states, electronic_group, jz, iz}]
    electronic_groups: list  # [{group, energy_cm1, jz_abs, sublevels, degeneracies, span_cm1}]
    kramers: bool
    nucleus: Nucleus
    axis: np.ndarray

    def to_dict(self) -> dict:
        """The ``hyperfine`` record of ``spectrum --json`` (docs/analysis.md)."""
        return {
            "isotope": self.nucleus.isotope,
            "nuclear_spin": str(self.nucleus.spin),
            "a_j_cm1": self.nucleus.a_j_cm1,
            "p_cm1": self.nucleus.p_cm1,
            "g_n": self.nucleus.g_n,
            "axis": [float(a) + 0.0 for a in self.axis],
            "kramers": self.kramers,
            "levels_cm1": [float(e) for e in self.levels_cm1],
            "sublevels": self.sublevels,
            "electronic_groups": self.electronic_groups,
        }


def analyse_hyperfine(system: SpinSystem, electronic_groups: list,
                      degeneracy_tolerance_cm1: float = DEGENERACY_TOLERANCE_CM1) -> HyperfineSpectrum:
    """Zero-field electron–nuclear levels, grouped into sublevels (degenerate sets) and assigned to the electronic
    level group (a :class:`LevelGroup` of the electronic analysis) that carries most of each state's weight."""
    if system.nucleus is None:
        raise AnalysisError("analyse_hyperfine needs a spin system with a nucleus")
    energies, vectors, jz, iz = labelled_eigenstates(system, system.zero_field_hamiltonian_cm1,
                                                     degeneracy_tolerance_cm1)
    levels = energies - energies[0]
    group_of_electronic = np.empty(int(system.electronic_state.max()) + 1, dtype=int)
    for position, group in enumerate(electronic_groups):
        group_of_electronic[list(group.state_indices)] = position
    weights = np.zeros((len(electronic_groups), levels.size))
    np.add.at(weights, group_of_electronic[system.electronic_state], np.abs(vectors) ** 2)
    owner = weights.argmax(axis=0)
    sublevels: list[dict[str, Any]] = []
    start = 0
    for end in range(1, levels.size + 1):
        if end < levels.size and levels[end] - levels[end - 1] <= degeneracy_tolerance_cm1:
            continue
        members = list(range(start, end))
        sublevels.append({"energy_cm1": float(levels[members].mean()), "degeneracy": len(members),
                          "states": members, "electronic_group": int(owner[start]),
                          "jz": [round(float(jz[i]), 10) + 0.0 for i in members],
                          "iz": [round(float(iz[i]), 10) + 0.0 for i in members]})
        start = end
    groups = []
    for position, group in enumerate(electronic_groups):
        mine = [k for k, sub in enumerate(sublevels) if sub["electronic_group"] == position]
        energies_of = [sublevels[k]["energy_cm1"] for k in mine]
        groups.append({"group": position, "energy_cm1": group.energy_cm1, "jz_abs": group.jz_abs,
                       "sublevels": mine, "degeneracies": [sublevels[k]["degeneracy"] for k in mine],
                       "span_cm1": (max(energies_of) - min(energies_of)) if mine else 0.0})
    return HyperfineSpectrum(levels, jz, iz, sublevels, groups, system.kramers, system.nucleus, system.axis)
