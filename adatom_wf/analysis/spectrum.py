"""Spectrum of a lanthanide multiplet: levels, doublets by |⟨Jz⟩|, tunnel splittings, per-doublet g tensors,
E_ZFS, E_MAB, U_eff along the relaxation path, the Kramers check and the transition moments that barrier
figures draw as arrows.

Two sources give the same :class:`MagneticStates` (zero-field eigenstates with J and μ in that basis):
:func:`states_from_crystal_field` (a pseudospin and its B_k^q) and :func:`states_from_spin_orbit` (SO
energies and the L and S matrices of an OpenMolcas RASSI run, μ = −μB(L + g_e S), J = L + S).
:func:`analyse_spectrum` then works on either.
"""

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from adatom_wf.analysis.moments import magnetic_moment_mub, pseudospin_g_tensor
from adatom_wf.analysis.stevens import moment_operators_mub, pseudospin_value, spin_hamiltonian, spin_matrices
from adatom_wf.analysis.units import HARTREE_CM1, finite_array
from adatom_wf.errors import AnalysisError

# QTM within a non-Kramers doublet is efficient once its tunnel splitting exceeds the bias of the dipolar and
# hyperfine fields an adatom feels (~0.01 cm⁻¹ ≈ 0.3 GHz); Tb3+ on graphene: ±6 split by ~1e-4, ±3 by ~2 cm⁻¹.
TUNNEL_THRESHOLD_CM1 = 0.01
# A Kramers doublet tunnels in stray transverse fields when its transverse g is sizeable; the paper calls 0.7
# "significant" and the lower doublets' g⊥ ≲ 0.01 "very small"; 0.1 is the usual dividing line.
TRANSVERSE_G_THRESHOLD = 0.1
# Levels closer than this are degenerate: Kramers partners, or the ±m partners of an axial non-Kramers ion.
# Diagonalising a CF or RASSI SO matrix in double precision leaves ~1e-10 cm⁻¹ of noise; 1e-5 cm⁻¹ (0.3 MHz)
# is far above that and far below the smallest splitting of interest (Tb3+: ±6 split by ~1e-4 cm⁻¹).
DEGENERACY_TOLERANCE_CM1 = 1e-5
# Two non-degenerate neighbours form a (tunnel-split) doublet when their 2×2 block carries |J_n| >= 1/2.
DOUBLET_MIN_JZ = 0.5
# How |⟨i|μ|j⟩| is reduced to one number. "single_aniso": (|μx| + |μy| + |μz|)/3 in the frame of the main axis, as
# SINGLE_ANISO prints transition moments between states (so the numbers compare with its output); "norm": the
# length of the transition-moment vector, √Σ_a |μ_a|².
MOMENT_CONVENTIONS = ("single_aniso", "norm")
DEFAULT_MOMENT_CONVENTION = "single_aniso"


@dataclass(frozen=True)
class MagneticStates:
    """Eigenstates of a multiplet: energies (ascending, cm⁻¹), J and μ (μB) as (3, n, n) in that basis."""

    energies_cm1: np.ndarray
    angular_momentum: np.ndarray
    magnetic_moment_mub: np.ndarray
    kramers: bool
    time_reversal: bool = True  # False once a field is applied: no Kramers check then


def _eigenstates(hamiltonian, angular_momentum, moment_mub, kramers, time_reversal) -> MagneticStates:
    energies, vectors = np.linalg.eigh(hamiltonian)
    return MagneticStates(energies, _rotate(angular_momentum, vectors), _rotate(moment_mub, vectors), kramers,
                          time_reversal)


def _rotate(operators: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """V† A_a V for each of the (3, n, n) operators A."""
    return vectors.conj().T[None] @ operators @ vectors[None]


def states_from_crystal_field(pseudospin, cf_parameters: dict, g=None, field_t=None) -> MagneticStates:
    """Eigenstates of Eq. 1 for a pseudospin, {(k, q): B_k^q cm⁻¹}, a g tensor and an optional field (T).

    ``g`` is required for a pseudospin above 1/2: a lanthanide multiplet's g is its Landé or fitted g (Tb3+ J = 6:
    3/2), never the free-electron 2, and the ground doublet's g_z = 2 S g_z scales with it. For S = 1/2 it
    defaults to 2.0.
    """
    spin = pseudospin_value(pseudospin)
    if g is None:
        if spin > 0.5:
            raise AnalysisError(
                f"a g tensor is required for a pseudospin S = {spin} > 1/2 (g = 2 holds for a spin-only S, not for a "
                "lanthanide multiplet): pass g, e.g. g=(1.508, 1.508, 1.480) for Tb3+ (Table 2)"
            )
        g = 2.0
    field_vector = (0.0, 0.0, 0.0) if field_t is None else field_t
    hamiltonian = spin_hamiltonian(spin, cf_parameters, g, field_vector)
    applied = bool(np.any(finite_array("field", field_vector, "T") != 0))
    return _eigenstates(hamiltonian, spin_matrices(spin), moment_operators_mub(spin, g),
                        kramers=(2 * spin) % 2 == 1, time_reversal=not applied)


def states_from_spin_orbit(so_energies, angular_momentum, spin, *, electron_count: int,
                           energy_unit: str = "cm1", n_states: int | None = None) -> MagneticStates:
    """States of an SO calculation from energies and the SO-basis L and S matrices, each (3, n, n) complex.

    ``so_energies`` in cm⁻¹ (``energy_unit="cm1"``) or Hartree (``"hartree"``); the SO basis must be the
    eigenbasis (RASSI's SO states). ``n_states`` keeps the lowest states only (e.g. 13 for Tb3+ J = 6).
    """
    if energy_unit not in ("cm1", "hartree"):
        raise AnalysisError(f"energy_unit must be 'cm1' or 'hartree', got {energy_unit!r}")
    energies = finite_array("SO energies", so_energies, energy_unit).ravel()
    energies = energies * (HARTREE_CM1 if energy_unit == "hartree" else 1.0)
    n = energies.size
    matrices = {}
    for name, values in (("angular momentum L", angular_momentum), ("spin S", spin)):
        array = np.asarray(values, dtype=complex)
        if array.shape != (3, n, n):
            raise AnalysisError(f"{name} must have shape (3, {n}, {n}) for {n} SO states, got {array.shape}")
        if not np.all(np.isfinite(array)):
            raise AnalysisError(f"{name} contains NaN or infinite entries")
        scale = max(1.0, float(np.abs(array).max()))
        if np.abs(array - array.conj().transpose(0, 2, 1)).max() > 1e-6 * scale:
            raise AnalysisError(
                f"{name} is not Hermitian in the SO basis; pass ⟨i|L|j⟩ (L = −i × RASSI's real ⟨i|iL|j⟩)"
            )
        matrices[name] = array
    if int(electron_count) != electron_count or electron_count < 1:
        raise AnalysisError(f"electron_count must be a positive integer, got {electron_count!r}")
    if n_states is not None and not 1 <= n_states <= n:
        raise AnalysisError(f"n_states must be between 1 and the {n} SO states, got {n_states}")
    keep = np.argsort(energies, kind="stable")[:n_states]
    orbital, spin_part = _block(matrices["angular momentum L"], keep), _block(matrices["spin S"], keep)
    return MagneticStates(
        energies_cm1=energies[keep],
        angular_momentum=orbital + spin_part,
        magnetic_moment_mub=magnetic_moment_mub(orbital, spin_part),
        kramers=electron_count % 2 == 1,
    )


@dataclass(frozen=True)
class LevelGroup:
    """A doublet (two states) or a singlet; energy is the mean, relative to the lowest state (cm⁻¹)."""

    state_indices: tuple
    energy_cm1: float
    jz_abs: float
    tunnel_splitting_cm1: float | None = None
    g_principal: tuple | None = None  # ascending pseudospin-1/2 principal g values
    g_axes: np.ndarray | None = None  # columns: principal axes of g_principal

    @property
    def is_doublet(self) -> bool:
        return len(self.state_indices) == 2

    @property
    def g_main(self) -> float | None:
        return None if self.g_principal is None else self.g_principal[2]

    @property
    def g_transverse(self) -> float | None:
        return None if self.g_principal is None else self.g_principal[1]


@dataclass(frozen=True)
class KramersCheck:
    """Kramers pairs that are not degenerate (odd electron count) or doublets that are split (even count)."""

    checked: bool
    tolerance_cm1: float
    violations: list = field(default_factory=list)  # [(state i, state j or None, splitting cm⁻¹)]
    split_doublets: list = field(default_factory=list)  # [(jz_abs, energy_cm1, splitting_cm1)]


@dataclass(frozen=True)
class SpectrumAnalysis:
    levels_cm1: np.ndarray
    groups: list
    main_axis: np.ndarray
    kramers: bool
    kramers_check: KramersCheck
    e_zfs_cm1: float | None
    e_mab_cm1: float
    u_eff_cm1: float
    relaxation_path: dict
    barrier_jz: np.ndarray  # signed ⟨J_n⟩ of each state in the barrier basis (doublets diagonal in J_n)
    transition_moments_mub: np.ndarray  # |⟨i|μ|j⟩| between barrier-basis states, in ``moment_convention``
    thresholds: dict
    moment_convention: str = DEFAULT_MOMENT_CONVENTION
    u_eff_threshold_dependence: dict | None = None  # see u_eff_threshold_dependence()

    @property
    def doublets(self) -> list:
        return [group for group in self.groups if group.is_doublet]

    @property
    def singlets(self) -> list:
        return [group for group in self.groups if not group.is_doublet]

    def reversal_mechanism(self, group: LevelGroup) -> str | None:
        """See :func:`reversal_mechanism`, with this analysis's thresholds."""
        return reversal_mechanism(group, self.kramers and self.kramers_check.checked, self.thresholds)

    def to_dict(self) -> dict:
        """The documented ``spectrum --json`` record (docs/analysis.md)."""
        return {
            "levels_cm1": [float(e) for e in self.levels_cm1],
            "doublets": [
                {
                    "energy_cm1": g.energy_cm1,
                    "jz_abs": g.jz_abs,
                    "tunnel_splitting_cm1": g.tunnel_splitting_cm1,
                    "g_main": g.g_main,
                    "g_principal": list(g.g_principal),
                    "g_axes": g.g_axes.T.round(10).tolist(),  # row i: the axis of g_principal[i]
                    "states": list(g.state_indices),
                }
                for g in self.doublets
            ],
            "singlets": [{"energy_cm1": g.energy_cm1, "jz_abs": g.jz_abs, "state": g.state_indices[0]}
                         for g in self.singlets],
            "e_zfs_cm1": self.e_zfs_cm1,
            "e_mab_cm1": self.e_mab_cm1,
            "u_eff_cm1": self.u_eff_cm1,
            "relaxation_path": self.relaxation_path,
            "kramers": self.kramers,
            "kramers_check": {
                "checked": self.kramers_check.checked,
                "tolerance_cm1": self.kramers_check.tolerance_cm1,
                "violations": [list(v) for v in self.kramers_check.violations],
                "split_doublets": [list(s) for s in self.kramers_check.split_doublets],
            },
            "main_axis": [float(a) + 0.0 for a in self.main_axis],  # + 0.0: no "-0.0"
            "barrier_jz": [float(j) for j in self.barrier_jz],
            "transition_moments_mub": np.round(self.transition_moments_mub, 8).tolist(),
            "moment_convention": self.moment_convention,
            "u_eff_threshold_dependence": self.u_eff_threshold_dependence,
            "thresholds": self.thresholds,
        }


def _block(operators, indices):
    index = np.asarray(indices)
    return operators[:, index][:, :, index]


def _pair_jz(angular_momentum, i) -> float:
    """|J_n| a pair (i, i+1) carries along its best axis: sqrt of the largest eigenvalue of 2 Tr(J_a J_b), halved."""
    block = _block(angular_momentum, (i, i + 1))
    tensor = 2 * np.einsum("aij,bji->ab", block, block).real
    return float(np.sqrt(max(np.linalg.eigvalsh(tensor).max(), 0.0)) / 2)


def group_levels(states: MagneticStates, degeneracy_tolerance_cm1: float) -> list[tuple]:
    """Partition the states into doublets and singlets (tuples of state indices), lowest first.

    Kramers systems: consecutive pairs. Otherwise a degenerate pair is a doublet, and two non-degenerate
    neighbours form a tunnel-split doublet when their block carries |J_n| >= 1/2 (unless the upper one is
    degenerate with the state above it).
    """
    energies, n = states.energies_cm1, states.energies_cm1.size
    if states.kramers and states.time_reversal:
        return [tuple(range(i, min(i + 2, n))) for i in range(0, n, 2)]

    def degenerate(i: int) -> bool:
        return i + 1 < n and energies[i + 1] - energies[i] <= degeneracy_tolerance_cm1

    groups: list[tuple[int, ...]] = []
    i = 0
    while i < n:
        tunnel_pair = i + 1 < n and not degenerate(i + 1) and _pair_jz(states.angular_momentum, i) >= DOUBLET_MIN_JZ
        if degenerate(i) or tunnel_pair:
            groups.append((i, i + 1))
            i += 2
        else:
            groups.append((i,))
            i += 1
    return groups


def default_main_axis(states: MagneticStates, ground: tuple) -> np.ndarray:
    """The axis the ground level singles out: the eigenvector of ⟨{J_a, J_b}⟩/2 over the ground level whose
    eigenvalue stands furthest from the other two (the easy axis of an Ising doublet, the hard axis of an
    easy-plane one); z when the ground level is isotropic."""
    block = _block(states.angular_momentum, ground)
    second_moment = np.einsum("aij,bji->ab", block, block).real
    values, vectors = np.linalg.eigh((second_moment + second_moment.T) / 2)
    if values[2] - values[0] <= 1e-9 * max(1.0, abs(values).max()):
        return np.array([0.0, 0.0, 1.0])
    low, high = (values[1] + values[2]) / 2 - values[0], values[2] - (values[0] + values[1]) / 2
    axis = vectors[:, 0] if low > high else vectors[:, 2]
    return axis * np.sign(axis[np.argmax(np.abs(axis))])


def reversal_mechanism(group: LevelGroup, kramers_protected: bool, thresholds: dict) -> str | None:
    """How the moment can reverse within ``group`` (a singlet, a tunnelling doublet), or None if it is blocked.

    ``kramers_protected``: an odd-electron system in zero field, judged by transverse g, not by splitting.
    """
    if not group.is_doublet:
        return "singlet"
    if kramers_protected and group.g_transverse >= thresholds["transverse_g"]:
        return f"transverse g {group.g_transverse:.3g} >= {thresholds['transverse_g']:g}"
    if not kramers_protected and group.tunnel_splitting_cm1 >= thresholds["tunnel_splitting_cm1"]:
        threshold = thresholds["tunnel_splitting_cm1"]
        return f"tunnel splitting {group.tunnel_splitting_cm1:.3g} cm^-1 >= {threshold:g} cm^-1"
    return None


def analyse_spectrum(states: MagneticStates, *, main_axis=None, tunnel_threshold_cm1: float = TUNNEL_THRESHOLD_CM1,
                     transverse_g_threshold: float = TRANSVERSE_G_THRESHOLD,
                     degeneracy_tolerance_cm1: float = DEGENERACY_TOLERANCE_CM1,
                     strict_kramers: bool = True,
                     moment_convention: str = DEFAULT_MOMENT_CONVENTION) -> SpectrumAnalysis:
    """Levels, doublets, g, E_ZFS, E_MAB, U_eff and transition moments of ``states``.

    ``main_axis`` (a vector) fixes the axis of ⟨Jz⟩; by default :func:`default_main_axis`. With
    ``strict_kramers`` a Kramers violation raises :class:`AnalysisError` instead of being reported.
    ``moment_convention``: see :func:`transition_moment_magnitudes` (SINGLE_ANISO's by default).
    """
    if moment_convention not in MOMENT_CONVENTIONS:
        raise AnalysisError(f"moment_convention must be one of {', '.join(MOMENT_CONVENTIONS)}, "
                            f"got {moment_convention!r}")
    for name, value in (("tunnel_threshold_cm1", tunnel_threshold_cm1),
                        ("transverse_g_threshold", transverse_g_threshold),
                        ("degeneracy_tolerance_cm1", degeneracy_tolerance_cm1)):
        if not np.isfinite(value) or value < 0:
            raise AnalysisError(f"{name} must be a finite number >= 0, got {value}")
    levels = states.energies_cm1 - states.energies_cm1[0]
    partition = group_levels(states, degeneracy_tolerance_cm1)
    if main_axis is None:
        axis = default_main_axis(states, partition[0])
    else:
        axis = finite_array("main axis", main_axis, "(direction)").ravel()
        if axis.size != 3 or not np.linalg.norm(axis) > 0:
            raise AnalysisError(f"the main axis must be a non-zero vector x,y,z, got {main_axis!r}")
        axis = axis / np.linalg.norm(axis)
    jn = np.einsum("a,aij->ij", axis, states.angular_momentum)

    groups, rotation = [], barrier_rotation(jn, partition)
    for indices in partition:
        index = np.asarray(indices)
        values = np.linalg.eigvalsh(jn[np.ix_(index, index)])
        energy = float(levels[index].mean())
        if len(indices) == 1:
            groups.append(LevelGroup(indices, energy, float(abs(values[0]))))
            continue
        g_values, g_axes = pseudospin_g_tensor(_block(states.magnetic_moment_mub, indices))
        splitting = float(levels[index[1]] - levels[index[0]])
        groups.append(LevelGroup(indices, energy, float(np.abs(values).mean()), splitting,
                                 tuple(float(g) for g in g_values), g_axes))

    check = _kramers_check(states, groups, degeneracy_tolerance_cm1)
    if check.violations and strict_kramers:
        first = check.violations[0]
        detail = (f"state {first[0]} has no Kramers partner" if first[1] is None
                  else f"states {first[0]} and {first[1]} are split by {first[2]:.4g} cm^-1")
        raise AnalysisError(
            f"Kramers theorem violated for an odd electron count: {len(check.violations)} level(s) not doubly "
            f"degenerate within {degeneracy_tolerance_cm1:g} cm^-1 ({detail}); check the cluster charge, the number "
            "of states kept, or the run"
        )

    thresholds = {"tunnel_splitting_cm1": tunnel_threshold_cm1, "transverse_g": transverse_g_threshold,
                  "degeneracy_cm1": degeneracy_tolerance_cm1}
    path: dict[str, Any] = {"group": len(groups) - 1, "energy_cm1": float(levels[-1]), "jz_abs": groups[-1].jz_abs,
                            "mechanism": "over the top of the multiplet"}
    for position, group in enumerate(groups):
        reason = reversal_mechanism(group, states.kramers and states.time_reversal, thresholds)
        if reason is not None:
            prefix = "no barrier: ground level " if position == 0 else "thermally assisted QTM: "
            path = {"group": position, "energy_cm1": 0.0 if position == 0 else group.energy_cm1,
                    "jz_abs": group.jz_abs, "mechanism": prefix + reason}
            break

    path["level_energies_cm1"] = [float(levels[i]) for i in groups[path["group"]].state_indices]
    dependence = u_eff_threshold_dependence(groups, states.kramers and states.time_reversal, thresholds,
                                            float(levels[-1]))
    barrier_moments = _rotate(states.magnetic_moment_mub, rotation)
    return SpectrumAnalysis(
        levels_cm1=levels,
        groups=groups,
        main_axis=axis,
        kramers=states.kramers,
        kramers_check=check,
        e_zfs_cm1=groups[1].energy_cm1 if len(groups) > 1 else None,
        e_mab_cm1=float(levels[-1]),
        u_eff_cm1=path["energy_cm1"],
        relaxation_path=path,
        barrier_jz=np.einsum("ji,ji->i", rotation.conj(), jn @ rotation).real,
        transition_moments_mub=transition_moment_magnitudes(barrier_moments, axis, groups[0].g_axes,
                                                            moment_convention),
        thresholds=thresholds,
        moment_convention=moment_convention,
        u_eff_threshold_dependence=dependence,
    )


def barrier_rotation(jn: np.ndarray, partition) -> np.ndarray:
    """Unitary that diagonalises J_n (the n×n matrix of J along the main axis) within each level group of
    ``partition`` (tuples of state indices), +⟨J_n⟩ first: the barrier basis of the figures and the master equation."""
    rotation = np.zeros(jn.shape, dtype=complex)
    for indices in partition:
        index = np.asarray(indices)
        _, vectors = np.linalg.eigh(jn[np.ix_(index, index)])
        rotation[np.ix_(index, index)] = vectors[:, ::-1]
    return rotation


def u_eff_threshold_dependence(groups: list, kramers_protected: bool, thresholds: dict, e_mab_cm1: float) -> dict:
    """U_eff as a step function of the threshold that decides it: the tunnel splitting (non-Kramers) or the
    transverse g (Kramers). ``steps``: [{``above``, ``up_to``, ``u_eff_cm1``, ``group``}] — a threshold t with
    above < t <= up_to (``up_to`` None: no upper end) gives that U_eff; t = 0 always gives 0."""
    name = "transverse_g" if kramers_protected else "tunnel_splitting_cm1"

    def measure(group):
        if not group.is_doublet:
            return np.inf
        return group.g_transverse if kramers_protected else group.tunnel_splitting_cm1

    def u_eff_at(threshold):
        for position, group in enumerate(groups):
            if measure(group) >= threshold:
                return (0.0 if position == 0 else group.energy_cm1), position
        return e_mab_cm1, len(groups) - 1

    edges: list[float] = []
    for value in sorted({float(measure(g)) for g in groups if np.isfinite(measure(g)) and measure(g) > 0}):
        if edges and value - edges[-1] <= 1e-9 * value:  # the same value up to diagonalisation noise
            edges[-1] = value
        else:
            edges.append(value)
    steps: list[dict[str, Any]] = []
    lower: float | None = 0.0
    for edge in edges + [None]:
        u_eff, position = u_eff_at(np.inf if edge is None else edge)
        if steps and steps[-1]["u_eff_cm1"] == u_eff:
            steps[-1]["up_to"] = edge
        else:
            steps.append({"above": lower, "up_to": edge, "u_eff_cm1": u_eff, "group": position})
        lower = edge
    return {"threshold": name, "value": thresholds[name], "steps": steps}


def main_axis_frame(main_axis, ground_g_axes=None) -> np.ndarray:
    """Rows x, y, z of a right-handed frame with z along ``main_axis``; x is the ground doublet's smallest-g axis
    made orthogonal to z (SINGLE_ANISO's main magnetic axes), or any perpendicular when that is not available."""
    z = np.asarray(main_axis, dtype=float) / np.linalg.norm(main_axis)
    candidates = [] if ground_g_axes is None else [ground_g_axes[:, 0], ground_g_axes[:, 1]]
    candidates += [np.eye(3)[int(np.argmin(np.abs(z)))]]
    for candidate in candidates:
        x = candidate - (candidate @ z) * z
        if np.linalg.norm(x) > 1e-6:
            break
    x = x / np.linalg.norm(x)
    return np.array([x, np.cross(z, x), z])


def transition_moment_magnitudes(moments_mub, main_axis, ground_g_axes=None,
                                 convention: str = DEFAULT_MOMENT_CONVENTION) -> np.ndarray:
    """n×n magnitudes of the (3, n, n) matrix elements ⟨i|μ_a|j⟩ (μB).

    ``"single_aniso"``: (|μx| + |μy| + |μz|)/3 with the components in :func:`main_axis_frame` (as SINGLE_ANISO
    prints them); ``"norm"``: √Σ_a |μ_a|², frame-independent. For a Δm = ±1 element of an axial ion the first is
    2/(3√2) ≈ 0.471 times the second (Tb3+ ⟨+6|μ|+5⟩: 1.741 vs 3.694 μB).
    """
    if convention not in MOMENT_CONVENTIONS:
        raise AnalysisError(f"moment convention must be one of {', '.join(MOMENT_CONVENTIONS)}, got {convention!r}")
    if convention == "norm":
        return np.sqrt((np.abs(moments_mub) ** 2).sum(axis=0))
    frame = main_axis_frame(main_axis, ground_g_axes)
    return np.abs(np.einsum("ba,aij->bij", frame, moments_mub)).sum(axis=0) / 3


def _kramers_check(states: MagneticStates, groups: list, tolerance_cm1: float) -> KramersCheck:
    if not states.time_reversal:
        return KramersCheck(checked=False, tolerance_cm1=tolerance_cm1)
    if states.kramers:
        violations = []
        for group in groups:
            if not group.is_doublet:
                violations.append((group.state_indices[0], None, None))
            elif group.tunnel_splitting_cm1 > tolerance_cm1:
                violations.append((*group.state_indices, group.tunnel_splitting_cm1))
        return KramersCheck(True, tolerance_cm1, violations=violations)
    split = [(g.jz_abs, g.energy_cm1, g.tunnel_splitting_cm1) for g in groups
             if g.is_doublet and g.tunnel_splitting_cm1 > tolerance_cm1]
    return KramersCheck(True, tolerance_cm1, split_doublets=split)
