"""Carving a hydrogen-capped cluster (adatom + rings of graphene hexagons) out of a periodic supercell.

The story of :func:`carve`:

1. find the adatom and check that the rest is one flat graphene layer (:mod:`.layer`);
2. collect the periodic images of the layer around the adatom, find its hexagons and the site the
   adatom sits at, and grow the rings of hexagons (:mod:`.rings`); refuse a cluster that would reach
   its own periodic image, naming the largest ring count that fits;
3. put the symmetry axis on z through the centroid, with a mirror plane on xz (:mod:`.symmetry`);
4. measure the deviation from the site's point group by exact symmetrisation; refuse beyond the
   tolerance; keep the symmetrised positions if asked;
5. cap every dangling C–C bond with H at ``ch_bond_angstrom`` and check no H crowds another atom;
6. order the atoms (adatom, C, H; inner to outer, by angle) and determine the point group with pymatgen.

:func:`carve_cluster` does this for a study (its ideal cell, or a structure file such as a relaxed
CONTCAR); :func:`cluster_files` and :func:`write_cluster` turn the result into files. See docs/cluster.md.
"""

import io
import json
import math
from dataclasses import dataclass
from pathlib import Path

import ase.io
import numpy as np
from ase import Atoms

from adatom_wf.errors import SpecError, StructureError
from adatom_wf.layout import cluster_dir
from adatom_wf.manifest import write_stage
from adatom_wf.spec import Study
from adatom_wf.structure import rings as ring_rule
from adatom_wf.structure.io import read_structure
from adatom_wf.structure.layer import Layer, find_layer
from adatom_wf.structure.sites import SITE_GEOMETRY, build_site
from adatom_wf.structure.symmetry import bond_orientation_deg, group_operations, point_group, rotation_z, symmetrise

SITE_GROUPS = {site: group for site, (_, group) in SITE_GEOMETRY.items()}  # hollow C6v, top C3v, bridge C2v
# No hydrogen may come closer than this to any atom but its own carbon. Planar bay-region H···H
# (phenanthrene-like edges) is ≈ 2.0 Å; a cove or a notch in the edge would put caps ≲ 1.5 Å apart.
MIN_HYDROGEN_CONTACT_ANGSTROM = 1.6
# Positions in the written cluster are rounded to this many decimals (files identical run to run).
_DECIMALS = 10


@dataclass(frozen=True)
class CarvedCluster:
    """A finite cluster: adatom at index 0, then C, then H (Å). Axis z, carbon plane at z = 0, xz a mirror."""

    atoms: Atoms
    metadata: dict

    @property
    def site(self) -> str:
        return self.metadata["site"]

    @property
    def rings(self) -> int:
        return self.metadata["rings"]

    @property
    def formula(self) -> str:
        return self.metadata["formula"]

    @property
    def point_group(self) -> str:
        return self.metadata["point_group"]


def carve_cluster(study: Study, structure_path: str | Path | None = None, rings: int | None = None,
                  symmetrize: bool | None = None) -> CarvedCluster:
    """The study's cluster (``study.cluster``), carved from its ideal cell or from ``structure_path``.

    Without a structure file the cell is :func:`build_site` of ``study.cluster.site`` (unrelaxed, at the
    study's height). ``rings`` and ``symmetrize`` override the study when given.
    """
    spec = study.cluster
    if structure_path is None:
        atoms, source, sha256, label = build_site(study, spec.site).atoms, "ideal", None, f"ideal {spec.site} cell"
    else:
        atoms, sha256 = read_structure(structure_path)
        source, label = Path(structure_path).name, str(structure_path)
    return carve(
        atoms, adatom=study.adatom, site=spec.site, rings=spec.rings if rings is None else rings,
        ch_bond_angstrom=spec.ch_bond_angstrom, tolerance_angstrom=spec.symmetry_tolerance_angstrom,
        symmetrize=spec.symmetrize if symmetrize is None else symmetrize,
        source=source, source_sha256=sha256, label=label,
    )


def carve(atoms: Atoms, *, adatom: str, site: str, rings: int, ch_bond_angstrom: float = 1.09,
          tolerance_angstrom: float = 0.1, symmetrize: bool = True, source: str = "structure",
          source_sha256: str | None = None, label: str | None = None) -> CarvedCluster:
    """Carve ``rings`` rings of hexagons around the ``site`` adatom of a periodic graphene supercell.

    ``source`` and ``source_sha256`` go into the metadata; ``label`` (default: ``source``) starts every
    error message.
    """
    source_label = label or source
    if rings < 1:
        raise SpecError(f"rings must be at least 1 (1 ring = the hexagons touching the site), got {rings}")
    if site not in SITE_GROUPS:
        raise SpecError(f"site {site!r} is not one of {', '.join(SITE_GROUPS)}")
    layer = find_layer(atoms, adatom, source_label)
    patch, hexagons, carved, offset = _select(layer, site, rings, source_label)
    group = SITE_GROUPS[site]

    # The frame: origin on the axis in the carbon plane, z up, xz a mirror plane of the site's group.
    caps_to = sorted({j for _, j in carved.caps})
    frame_atoms = np.vstack([[0.0, 0.0, layer.height_angstrom], patch.positions[list(carved.carbons)],
                             patch.positions[caps_to]])
    labels = np.array([0] + [1] * len(carved.carbons) + [2] * len(caps_to))
    axis = frame_atoms.mean(axis=0)
    axis[2] = frame_atoms[labels == 1, 2].mean()
    rotation = rotation_z(-_reference_angle_deg(site, patch, carved, axis))
    raw = (frame_atoms - axis) @ rotation.T

    symmetric = symmetrise(raw, labels, group_operations(group))
    deviation = symmetric.max_deviation_angstrom
    if deviation > tolerance_angstrom:
        raise StructureError(
            f"{source_label}: the {rings}-ring cluster deviates from {group} by up to {deviation:.3f} Å, beyond "
            f"cluster.symmetry_tolerance_angstrom = {tolerance_angstrom:g} Å"
        )
    if not symmetric.consistent:
        raise StructureError(
            f"{source_label}: the atoms of the {rings}-ring cluster do not map onto each other under {group} "
            f"(deviation {deviation:.3f} Å): too distorted to symmetrise"
        )

    # Hydrogen caps: from each edge carbon towards the capped neighbour, in both frames.
    where = {patch_index: n for n, patch_index in enumerate([*carved.carbons, *caps_to], start=1)}
    cap_pairs = [(where[i], where[j]) for i, j in carved.caps]
    heavy = 1 + len(carved.carbons)
    exact = np.vstack([symmetric.positions[:heavy],
                       ring_rule.cap_positions(symmetric.positions, cap_pairs, ch_bond_angstrom)])
    carved_positions = np.vstack([raw[:heavy], ring_rule.cap_positions(raw, cap_pairs, ch_bond_angstrom)])
    positions = exact if symmetrize else carved_positions
    displacement = np.linalg.norm(exact - carved_positions, axis=1)
    symbols = [adatom] + ["C"] * len(carved.carbons) + ["H"] * len(cap_pairs)
    parents = [None] * heavy + [i for i, _ in cap_pairs]
    check_hydrogen_contacts(positions, symbols, parents, source_label)

    # The order comes from the symmetric positions, so it is the same with or without symmetrisation.
    order = sorted(range(len(symbols)), key=lambda n: _order_key(symbols[n] == adatom, symbols[n], exact[n]))
    positions = np.round(positions[order], _DECIMALS) + 0.0
    symbols = [symbols[n] for n in order]
    found = point_group(symbols, positions, tolerance_angstrom, exact=symmetrize)
    if symmetrize and found != group:
        raise StructureError(
            f"{source_label}: the symmetrised {rings}-ring cluster has point group {found}, not {group}; "
            "the layer around the adatom is not the expected graphene"
        )

    counts = {"C": len(carved.carbons), "H": len(cap_pairs)}
    metadata = {
        "adatom": adatom,
        "site": site,
        "rings": rings,
        "hexagons": len(carved.hexagons),
        "formula": f"{adatom}C{counts['C']}H{counts['H']}",
        "carbon_atoms": counts["C"],
        "hydrogen_atoms": counts["H"],
        "point_group": found,
        "site_point_group": group,
        "point_group_tolerance_angstrom": tolerance_angstrom,
        "symmetrized": bool(symmetrize),
        "symmetry_tolerance_angstrom": tolerance_angstrom,
        "max_symmetry_deviation_angstrom": _round(deviation),
        "rms_symmetry_deviation_angstrom": _round(symmetric.rms_deviation_angstrom),
        "symmetrization_displacement_max_angstrom": _round(displacement.max()) if symmetrize else 0.0,
        "symmetrization_displacement_rms_angstrom": (
            _round(math.sqrt(float(np.mean(displacement**2)))) if symmetrize else 0.0
        ),
        "adatom_height_angstrom": _round(positions[0, 2]),
        "adatom_offset_from_site_angstrom": _round(offset),
        "ch_bond_angstrom": ch_bond_angstrom,
        "source": source,
        "source_sha256": source_sha256,
    }
    atoms_out = Atoms(symbols, positions=positions)
    return CarvedCluster(atoms_out, metadata)


def _select(layer: Layer, site: str, rings: int, source: str):
    """Patch, hexagons and the carving of ``rings`` rings; refuses a wrong site or a cluster too big."""
    a = layer.lattice_constant_angstrom
    period = layer.period_angstrom
    # Beyond this many rings the cluster's inscribed disc is wider than the cell: it surely reaches its image.
    certain_overlap = math.ceil(1 + (period + 2 * a) / (a * math.sqrt(3))) + 1
    wanted = min(rings, certain_overlap)
    radius = (wanted + 1) * a + 8.0
    patch = ring_rule.carbon_patch(layer.carbons, layer.lattice, layer.adatom[:2], radius)
    hexagons = ring_rule.find_hexagons(patch)
    if not hexagons:
        raise StructureError(f"{source}: found no carbon hexagons around the adatom: not a graphene layer")
    found, offset, seed = ring_rule.locate_site(patch, hexagons)
    if found != site:
        raise StructureError(
            f"{source}: the {layer.adatom_symbol} adatom is at a {found} site ({offset:.2f} Å from it in the plane), "
            f"not at the {site} site that cluster.site asks for"
        )
    adjacency = ring_rule.hexagon_adjacency(patch, hexagons)
    fitting = 0
    for count, selection in enumerate(ring_rule.grow(seed, adjacency, wanted), start=1):
        carved = ring_rule.carving(patch, hexagons, selection, count)
        if not carved.fits:
            break
        if ring_rule.reach_angstrom(patch, carved) > radius - 5.0:
            raise StructureError(f"{source}: internal error: the patch around the adatom is too small to carve")
        fitting = count
    if fitting < rings:
        most = f"at most {fitting} ring{'s' if fitting != 1 else ''} fit" if fitting else "not even 1 ring fits"
        raise StructureError(
            f"{source}: {rings} ring{'s' if rings != 1 else ''} of hexagons around the {site} site do not fit "
            f"in the supercell (shortest in-plane period {period:.2f} Å): the cluster would reach its own "
            f"periodic image; {most}"
        )
    return patch, hexagons, carved, offset


def _reference_angle_deg(site: str, patch, carved, axis) -> float:
    """In-plane direction that becomes +x: a mirror plane of the site's group (see symmetry.py)."""
    carbons = list(carved.carbons)
    inside = set(carbons)
    bonds = np.array([patch.positions[j, :2] - patch.positions[i, :2]
                      for i in carbons for j in patch.neighbours[i] if j in inside and i < j])
    lattice_angle = bond_orientation_deg(bonds)  # bond directions are this + k·60°
    if site == "hollow":  # vertices of the central hexagon lie at bond directions (mod 60°)
        return round(lattice_angle, 6) % 60.0
    if site == "top":  # along a bond from the carbon under the adatom
        centre = min(carbons, key=lambda i: np.hypot(*(patch.positions[i, :2] - axis[:2])))
        directions = [patch.positions[j, :2] - patch.positions[centre, :2] for j in patch.neighbours[centre]]
    else:  # bridge: along the bond under the adatom
        midpoints = {(i, j): (patch.positions[i, :2] + patch.positions[j, :2]) / 2
                     for i in carbons for j in patch.neighbours[i] if j in inside and i < j}
        i, j = min(midpoints, key=lambda pair: np.hypot(*(midpoints[pair] - axis[:2])))
        directions = [patch.positions[j, :2] - patch.positions[i, :2]]
    period = 360.0 if site == "top" else 180.0
    snapped = []
    for vector in directions:
        angle = math.degrees(math.atan2(vector[1], vector[0]))
        snapped.append((lattice_angle + 60.0 * round((angle - lattice_angle) / 60.0)) % period)
    return min(round(s, 6) % period for s in snapped)


def _order_key(is_adatom: bool, symbol: str, position) -> tuple:
    """Adatom, then C, then H; inner to outer; counter-clockwise from +x; then by height."""
    radius = math.hypot(position[0], position[1])
    angle = 0.0 if radius < 1e-6 else round(math.degrees(math.atan2(position[1], position[0])) % 360.0, 3) % 360.0
    return (0 if is_adatom else 1 if symbol == "C" else 2, round(radius, 4), angle, round(float(position[2]), 4))


def check_hydrogen_contacts(positions, symbols, parents, source: str) -> None:
    """Refuse a cluster in which a hydrogen (``parents[n]`` = its carbon's index) crowds any other atom."""
    for n, parent in enumerate(parents):
        if parent is None:
            continue
        distances = np.linalg.norm(positions - positions[n], axis=1)
        distances[[n, parent]] = np.inf
        nearest = int(np.argmin(distances))
        if distances[nearest] < MIN_HYDROGEN_CONTACT_ANGSTROM:
            raise StructureError(
                f"{source}: a capping hydrogen comes {distances[nearest]:.2f} Å from a {symbols[nearest]} atom "
                f"(at least {MIN_HYDROGEN_CONTACT_ANGSTROM} Å needed): this carving has a crowded edge"
            )


def _round(value) -> float:
    return round(float(value), 6) + 0.0


def cluster_files(cluster: CarvedCluster) -> dict[str, bytes]:
    """The files of a carved cluster, keyed by path relative to the study directory.

    ``cluster.xyz``: extended XYZ (Å), adatom first, metadata scalars on the comment line;
    ``cluster.json``: the full metadata. Both are byte-identical for the same input.
    """
    folder = cluster_dir(cluster.site, cluster.rings)
    atoms = cluster.atoms.copy()
    atoms.info = {key: cluster.metadata[key] for key in _XYZ_INFO if cluster.metadata.get(key) is not None}
    text = io.StringIO()
    ase.io.write(text, atoms, format="extxyz")
    return {
        f"{folder}/cluster.xyz": text.getvalue().encode(),
        f"{folder}/cluster.json": (json.dumps(cluster.metadata, indent=2, sort_keys=True) + "\n").encode(),
    }


def write_cluster(study_root: str | Path, study: Study, cluster: CarvedCluster) -> Path:
    """Write :func:`cluster_files` under ``study_root`` (= runs/<study>) and record the "carve" stage."""
    return write_stage(Path(study_root), "carve", study, cluster_files(cluster), dict(cluster.metadata))


# metadata keys copied onto the extended XYZ comment line
_XYZ_INFO = ("formula", "point_group", "site", "rings", "symmetrized", "max_symmetry_deviation_angstrom",
             "adatom_height_angstrom", "ch_bond_angstrom", "source", "source_sha256")
