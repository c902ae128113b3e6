"""Point groups of a carved cluster: the ideal operations of a site, exact symmetrisation, detection.

Frame convention (the one the cluster is written in): the symmetry axis is z, and the xz plane is a
mirror plane. For C6v that mirror passes through carbon atoms of the central hexagon, for C3v it
contains a C–C bond of the carbon under the adatom, for C2v it contains the bond under the adatom.

Symmetrisation is the orthogonal projection onto the symmetric configurations of that group: every
atom is replaced by the average of the images of its partners under all the group's operations
(:func:`symmetrise`). Its largest displacement is the structure's deviation from the group. The
point group of the result is then found independently with pymatgen's ``PointGroupAnalyzer``.
"""

import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

# Schoenflies symbol -> order n of the principal axis; the groups Cnv hold n rotations and n mirrors.
_CNV = {"C6v": 6, "C3v": 3, "C2v": 2}


def rotation_z(angle_deg: float) -> np.ndarray:
    c, s = math.cos(math.radians(angle_deg)), math.sin(math.radians(angle_deg))
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


def mirror_z(angle_deg: float) -> np.ndarray:
    """Reflection through the plane that contains z and the in-plane direction at ``angle_deg``."""
    c, s = math.cos(math.radians(2 * angle_deg)), math.sin(math.radians(2 * angle_deg))
    return np.array([[c, s, 0.0], [s, -c, 0.0], [0.0, 0.0, 1.0]])


def group_operations(group: str) -> np.ndarray:
    """The (|G|, 3, 3) matrices of C6v, C3v or C2v: axis z, mirror planes at multiples of 180°/n from xz."""
    n = _CNV[group]
    rotations = [rotation_z(360.0 * k / n) for k in range(n)]
    mirrors = [mirror_z(180.0 * k / n) for k in range(n)]
    return np.array(rotations + mirrors)


@dataclass(frozen=True)
class Symmetrisation:
    positions: np.ndarray  # the symmetrised positions, same order as the input
    max_deviation_angstrom: float  # largest |symmetrised - input| over the atoms
    rms_deviation_angstrom: float
    consistent: bool  # the atom correspondences form a group action (so the result is exactly symmetric)


def symmetrise(positions: np.ndarray, labels, operations: np.ndarray) -> Symmetrisation:
    """Average each atom over its partners under every operation (same label, matched by assignment).

    For an operation g, the partner of atom i is the atom j of the same label nearest to g·r_i in the
    optimal one-to-one matching; the symmetrised position is mean_g g⁻¹·r_j. This is the closest
    configuration (least squares) that has the group's symmetry about the given axis.
    """
    positions = np.asarray(positions, dtype=float)
    labels = np.asarray(labels)
    permutations = [_partners(positions, labels, g) for g in operations]
    average = np.zeros_like(positions)
    for g, partner in zip(operations, permutations):
        average += positions[partner] @ g  # rows: g⁻¹ r_j = gᵀ r_j for orthogonal g
    average /= len(operations)
    displacement = np.linalg.norm(average - positions, axis=1)
    residual = max(float(np.max(np.abs(average @ g.T - average[p]))) for g, p in zip(operations, permutations))
    return Symmetrisation(
        positions=average,
        max_deviation_angstrom=float(displacement.max(initial=0.0)),
        rms_deviation_angstrom=float(np.sqrt(np.mean(displacement**2))) if len(displacement) else 0.0,
        consistent=residual < 1e-8,
    )


def _partners(positions, labels, operation) -> np.ndarray:
    image = positions @ operation.T
    partner = np.empty(len(positions), dtype=int)
    for label in np.unique(labels):
        members = np.nonzero(labels == label)[0]
        cost = np.linalg.norm(image[members][:, None, :] - positions[members][None, :, :], axis=2)
        rows, cols = linear_sum_assignment(cost)
        partner[members[rows]] = members[cols]
    return partner


def bond_orientation_deg(bond_vectors: np.ndarray) -> float:
    """Orientation in [0°, 60°) of a graphene lattice from its C–C bond vectors (6-fold circular mean)."""
    angles = np.arctan2(bond_vectors[:, 1], bond_vectors[:, 0])
    mean = np.angle(np.sum(np.exp(6j * angles))) / 6.0
    return math.degrees(mean) % 60.0


# pymatgen's PointGroupAnalyzer takes a molecule whose principal moments of inertia agree to its eigen_tolerance
# (relative, default 0.01) for a symmetric top and looks for a rotation axis along the unique moment only. An exactly
# symmetrised cluster is a symmetric top to rounding, but an asymmetric one can have two moments equal by accident:
# Tb above the bridge of naphthalene (the 1-ring bridge cluster) at 2.40-2.45 Å has 0.581 / 0.584 and came out as
# Cs instead of C2v. Exactly symmetric positions get this tight tolerance instead.
EXACT_EIGEN_TOLERANCE = 1e-6


def point_group(symbols, positions, tolerance_angstrom: float, exact: bool = False) -> str:
    """Schoenflies symbol of a molecule from pymatgen's PointGroupAnalyzer (distance tolerance in Å); ``exact`` for
    positions symmetrised exactly (moments of inertia equal only when the symmetry makes them so)."""
    from pymatgen.core import Molecule
    from pymatgen.symmetry.analyzer import PointGroupAnalyzer

    molecule = Molecule(list(symbols), np.asarray(positions, dtype=float))
    options = {"eigen_tolerance": EXACT_EIGEN_TOLERANCE} if exact else {}
    return PointGroupAnalyzer(molecule, tolerance=tolerance_angstrom, **options).sch_symbol
