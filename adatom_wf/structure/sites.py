"""Named adsorption sites on graphene, and the point symmetry of adatom + substrate.

A site is data: its fractional position in the primitive cell and the point group it must have.
Placing an adatom returns a new structure (the substrate is never mutated). The point group is
computed with spglib (site symmetry of the adatom in the periodic slab), not assumed.
"""

import math
from dataclasses import dataclass

import numpy as np
import spglib
from ase import Atoms

from adatom_wf.errors import StructureError
from adatom_wf.spec import Study
from adatom_wf.structure.substrate import graphene_supercell, in_plane_image_distance, primitive_vectors

# site -> (fraction of a1, fraction of a2) in the primitive cell, expected point group
SITE_GEOMETRY = {
    "hollow": ((0.0, 0.0), "C6v"),  # hexagon centre
    "top": ((1 / 3, 1 / 3), "C3v"),  # above a carbon atom
    "bridge": ((1 / 2, 1 / 2), "C2v"),  # above the midpoint of a C–C bond
}

# spglib's oriented Hermann–Mauguin site symbols (dots removed) -> Schoenflies
_SCHOENFLIES = {
    "6mm": "C6v", "3m": "C3v", "31m": "C3v", "3m1": "C3v", "mm2": "C2v", "m2m": "C2v", "2mm": "C2v",
    "6": "C6", "3": "C3", "2": "C2", "m": "Cs", "1": "C1",
}  # fmt: skip

SYMPREC_ANGSTROM = 1e-3


@dataclass(frozen=True)
class SiteStructure:
    """A supercell with the adatom (last atom) at a named site, and what was measured on it."""

    site: str
    atoms: Atoms
    height_angstrom: float
    point_group: str
    site_symmetry: str
    image_distance_angstrom: float
    layer_gap_angstrom: float

    def metadata(self) -> dict:
        return {
            "site": self.site,
            "height_angstrom": self.height_angstrom,
            "point_group": self.point_group,
            "site_symmetry_hermann_mauguin": self.site_symmetry,
            "adatom_image_distance_angstrom": round(self.image_distance_angstrom, 6),
            "adatom_to_layer_image_angstrom": round(self.layer_gap_angstrom, 6),
            "natoms": len(self.atoms),
        }


def build_site(study: Study, site: str) -> SiteStructure:
    """The study's supercell with its adatom at ``site``; refuses a supercell too small for the images."""
    sub = study.substrate
    height = study.sites[site].height_angstrom
    n, m = sub.supercell
    a = sub.lattice_constant_angstrom
    layer_gap = sub.vacuum_angstrom - height
    if layer_gap < sub.min_image_distance_angstrom:
        raise StructureError(
            f"vacuum {sub.vacuum_angstrom:g} Å leaves the {site} adatom only {layer_gap:.2f} Å from the periodic "
            f"image of the layer; need >= {sub.min_image_distance_angstrom:g} Å: use vacuum_angstrom >= "
            f"{height + sub.min_image_distance_angstrom:.2f}"
        )
    layer_z = (sub.vacuum_angstrom - height) / 2
    substrate = graphene_supercell(n, m, a, sub.vacuum_angstrom, layer_z)
    image_distance = in_plane_image_distance(substrate.cell.array)
    if image_distance < sub.min_image_distance_angstrom:
        fit = math.ceil(sub.min_image_distance_angstrom / a - 1e-9)
        raise StructureError(
            f"supercell {n}x{m} puts the adatom {image_distance:.2f} Å from its own periodic image; need >= "
            f"{sub.min_image_distance_angstrom:g} Å (substrate.min_image_distance_angstrom): use at least {fit}x{fit}"
        )
    (fx, fy), expected = SITE_GEOMETRY[site]
    xy = (n // 2 + fx) * primitive_vectors(a)[0] + (m // 2 + fy) * primitive_vectors(a)[1]
    atoms = substrate + Atoms(study.adatom, positions=[(xy[0], xy[1], layer_z + height)])
    point_group, hm = site_point_group(atoms, len(atoms) - 1)
    if point_group != expected:
        raise StructureError(
            f"the {site} site of a {n}x{m} supercell has point group {point_group}, expected {expected}: "
            "use an N x N supercell so the lattice keeps the site's symmetry"
        )
    return SiteStructure(site, atoms, height, point_group, hm, image_distance, layer_gap)


def site_point_group(atoms: Atoms, index: int) -> tuple[str, str]:
    """(Schoenflies, Hermann–Mauguin) point group of atom ``index`` in the periodic structure (spglib)."""
    cell = (atoms.cell.array, atoms.get_scaled_positions(), atoms.numbers)
    spglib.error.OLD_ERROR_HANDLING = False  # raise SpglibError instead of returning None
    try:
        dataset = spglib.get_symmetry_dataset(cell, symprec=SYMPREC_ANGSTROM)
    except spglib.error.SpglibError as error:
        raise StructureError(f"spglib could not determine the symmetry of the structure ({error})") from None
    assert dataset is not None  # OLD_ERROR_HANDLING False: spglib raises rather than returning None
    hm = dataset.site_symmetry_symbols[index].replace(".", "")
    return _SCHOENFLIES.get(hm, hm), hm


def adatom_height(atoms: Atoms, adatom_index: int = -1) -> float:
    """Height (Å) of the adatom above the mean plane of the carbon atoms."""
    carbon = atoms.numbers == 6
    return float(atoms.positions[adatom_index, 2] - np.mean(atoms.positions[carbon, 2]))
