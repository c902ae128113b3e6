"""Reading an adatom-on-graphene supercell: which atom is the adatom, and is the rest one graphene layer.

:func:`find_layer` puts the structure in a frame where the layer normal (a × b of the cell) is z, the
mean plane of the carbon atoms is z = 0 and the adatom is above it (a structure with the adatom below
the layer is turned over), with the periodic images in z unwrapped so the layer may cross the cell's
top and bottom faces. It refuses, naming the source, anything that is not one adatom on one flat
graphene layer.
"""

import math
from dataclasses import dataclass

import numpy as np
from ase import Atoms
from ase.neighborlist import neighbor_list

from adatom_wf.errors import StructureError
from adatom_wf.structure.rings import BOND_CUTOFF_ANGSTROM
from adatom_wf.structure.substrate import in_plane_image_distance

# Same range as a study's sites.*.height_angstrom: nearer is not an adatom on the layer, farther is not bound.
ADATOM_HEIGHT_RANGE_ANGSTROM = (1.0, 5.0)
HEIGHT_TOLERANCE_ANGSTROM = 1e-6
# A relaxed graphene layer under an adatom buckles by a few tenths of an ångström; a bilayer is 3.35 Å thick.
MAX_LAYER_THICKNESS_ANGSTROM = 1.0
MIN_CC_DISTANCE_ANGSTROM = 1.2


@dataclass(frozen=True)
class Layer:
    """An adatom above a graphene layer, in the layer frame (Å): carbon plane z = 0, normal z."""

    adatom_symbol: str
    adatom: np.ndarray  # (3,)
    carbons: np.ndarray  # (n, 3)
    lattice: np.ndarray  # (2, 2) in-plane lattice vectors as rows
    height_angstrom: float  # adatom above the mean plane of all carbons
    lattice_constant_angstrom: float  # √3 × mean C–C bond
    period_angstrom: float  # shortest in-plane lattice vector


def find_layer(atoms: Atoms, adatom: str, source: str) -> Layer:
    """The adatom and the graphene layer of a periodic structure, or a StructureError naming ``source``."""
    symbols = np.array(atoms.get_chemical_symbols())
    elements = ", ".join(f"{s} x{int(np.sum(symbols == s))}" for s in sorted(set(symbols.tolist()))) or "none"
    candidates = np.nonzero(symbols == adatom)[0]
    if len(candidates) == 0:
        raise StructureError(f"{source}: no {adatom} adatom in the structure (elements: {elements})")
    if len(candidates) > 1:
        raise StructureError(
            f"{source}: {len(candidates)} {adatom} atoms, so no single adatom to carve around (elements: {elements})"
        )
    others = sorted(set(symbols.tolist()) - {adatom, "C"})
    if others or not np.any(symbols == "C"):
        raise StructureError(
            f"{source}: the substrate is not graphene (elements: {elements}); graphene carving needs "
            f"one {adatom} atom and carbon only"
        )
    cell = atoms.cell.array
    normal = np.cross(cell[0], cell[1])
    if not (atoms.pbc[0] and atoms.pbc[1]) or np.linalg.norm(normal) < 1e-6:
        raise StructureError(
            f"{source}: no periodic cell in the plane of the first two cell vectors; carving needs the "
            "periodic supercell (POSCAR, CONTCAR, vasprun.xml, OUTCAR, extended XYZ with a Lattice)"
        )

    # Rotate: a along x, a × b along z.
    e1 = cell[0] / np.linalg.norm(cell[0])
    e3 = normal / np.linalg.norm(normal)
    rotation = np.array([e1, np.cross(e3, e1), e3])
    positions = atoms.positions @ rotation.T
    cell = cell @ rotation.T
    lattice = cell[:2, :2].copy()
    carbon = symbols == "C"
    index = int(candidates[0])

    # Unwrap along the out-of-plane cell vector, if the cell is periodic along it.
    stack = cell[2] if abs(cell[2, 2]) > 1e-6 and atoms.pbc[2] else None
    if stack is not None:
        stack = stack if stack[2] > 0 else -stack
        reference = positions[np.argmax(carbon), 2]
        positions -= np.round((positions[:, 2] - reference) / stack[2])[:, None] * stack
    plane = float(positions[carbon, 2].mean())
    if stack is not None:
        positions[index] -= round((positions[index, 2] - plane) / stack[2]) * stack
    positions[:, 2] -= plane
    thickness = float(np.ptp(positions[carbon, 2]))
    if thickness > MAX_LAYER_THICKNESS_ANGSTROM:
        raise StructureError(
            f"{source}: the carbon atoms span {thickness:.2f} Å normal to the cell's a-b plane: not one flat "
            f"graphene layer (at most {MAX_LAYER_THICKNESS_ANGSTROM:g} Å)"
        )
    height = float(positions[index, 2])
    low, high = ADATOM_HEIGHT_RANGE_ANGSTROM
    # The range is inclusive, as in the study file; a height placed exactly at a bound comes back from the cell's
    # fractional coordinates a few 1e-15 Å off, so the bounds are compared with HEIGHT_TOLERANCE_ANGSTROM.
    low, high = low - HEIGHT_TOLERANCE_ANGSTROM, high + HEIGHT_TOLERANCE_ANGSTROM
    if abs(height) > high:
        raise StructureError(
            f"{source}: the {adatom} atom is {abs(height):.2f} Å from the carbon plane: too far to be an adatom "
            f"(at most {ADATOM_HEIGHT_RANGE_ANGSTROM[1]:g} Å)"
        )
    if abs(height) < low:
        raise StructureError(
            f"{source}: the {adatom} atom is only {abs(height):.2f} Å from the carbon plane: not an adatom on the "
            f"layer (at least {ADATOM_HEIGHT_RANGE_ANGSTROM[0]:g} Å)"
        )
    if height < 0:  # turn the structure over (rotation by 180° about x) so the adatom is above
        positions[:, 1:] *= -1
        lattice[:, 1] *= -1
        height = -height

    carbons = positions[carbon]
    bond = _check_graphene(carbons, lattice, np.nonzero(carbon)[0], source)
    return Layer(
        adatom_symbol=adatom,
        adatom=positions[index],
        carbons=carbons,
        lattice=lattice,
        height_angstrom=height,
        lattice_constant_angstrom=bond * math.sqrt(3),
        period_angstrom=in_plane_image_distance(np.pad(lattice, ((0, 0), (0, 1)))),
    )


def _check_graphene(carbons: np.ndarray, lattice: np.ndarray, numbers, source: str) -> float:
    """Every carbon has exactly three carbon neighbours within the bond cutoff; returns the mean bond (Å)."""
    cell = np.zeros((3, 3))
    cell[:2, :2] = lattice
    cell[2, 2] = 1.0
    layer = Atoms(f"C{len(carbons)}", positions=carbons, cell=cell, pbc=(True, True, False))
    first, distance = neighbor_list("id", layer, BOND_CUTOFF_ANGSTROM)
    counts = np.bincount(first, minlength=len(carbons))
    wrong = np.nonzero(counts != 3)[0]
    if len(wrong):
        atom, count = int(numbers[wrong[0]]) + 1, int(counts[wrong[0]])
        raise StructureError(
            f"{source}: not a graphene layer: atom {atom} (1-based) has {count} carbon neighbours within "
            f"{BOND_CUTOFF_ANGSTROM} Å (graphene: 3)"
        )
    if distance.min() < MIN_CC_DISTANCE_ANGSTROM:
        raise StructureError(
            f"{source}: not a graphene layer: two carbon atoms are only {distance.min():.2f} Å apart"
        )
    return float(distance.mean())
