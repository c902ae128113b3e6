"""Hexagons of a graphene layer around an adatom: the ring rule and the hydrogen caps.

Everything here works on a *patch*: the periodic images of the layer's carbon atoms that lie within
a radius of the adatom, in a frame whose origin is below the adatom and whose z is the layer normal.
Each patch atom remembers which supercell atom it is an image of, so a cluster that would contain
the same supercell atom twice (it reaches its own periodic image) is detected, not written.

The ring rule (docs/cluster.md): ring 1 is the set of hexagons that touch the site — the hexagon
around a hollow site, the 3 hexagons sharing the carbon atom under a top site, the 2 hexagons
sharing the bond under a bridge site — and ring r + 1 adds every hexagon that shares an edge with
ring r. The rule is made of symmetry-invariant operations only, so the carved sheet keeps the point
group of the site (C6v, C3v, C2v once the adatom is on the axis).
"""

import math
from dataclasses import dataclass
from itertools import combinations

import numpy as np
from scipy.spatial import cKDTree

# Two carbons closer than this are bonded (graphene: 1.42 Å; second neighbours: 2.46 Å).
BOND_CUTOFF_ANGSTROM = 1.75
# Hexagons are searched from atoms this far inside the patch edge (a hexagon spans 2 × 1.42 Å).
_HEXAGON_MARGIN_ANGSTROM = 3.5


@dataclass(frozen=True)
class Patch:
    """Images of the layer's carbons near the adatom; adatom above the origin, layer plane at z ≈ 0."""

    positions: np.ndarray  # (n, 3) Å
    origin: np.ndarray  # (n,) index of the supercell carbon each atom is an image of
    neighbours: tuple  # per atom, the sorted tuple of bonded patch atoms
    radius_angstrom: float


@dataclass(frozen=True)
class Carving:
    """The carbon atoms of a ring selection and the bonds that leave it (each becomes a C–H cap)."""

    rings: int
    hexagons: tuple  # indices into the hexagon list
    carbons: tuple  # patch indices, sorted
    caps: tuple  # (carbon, outside neighbour) patch-index pairs, sorted
    fits: bool  # False if a supercell atom appears twice among carbons and capped neighbours


def carbon_patch(carbons: np.ndarray, lattice: np.ndarray, centre_xy, radius_angstrom: float) -> Patch:
    """Every periodic image of ``carbons`` (n, 3) within ``radius_angstrom`` (in-plane) of ``centre_xy``.

    ``lattice`` holds the two in-plane lattice vectors as rows (2, 2). Returned xy are relative to the centre.
    """
    lattice = np.asarray(lattice, dtype=float)
    relative = carbons[:, :2] - np.asarray(centre_xy, dtype=float)
    fractional = np.linalg.solve(lattice.T, relative.T).T
    fractional -= np.floor(fractional + 0.5)
    reciprocal = np.linalg.inv(lattice.T)  # rows g_i with g_i · r = fractional coordinate i
    reach = [math.ceil(radius_angstrom * np.linalg.norm(g)) + 1 for g in reciprocal]
    n1, n2 = np.meshgrid(np.arange(-reach[0], reach[0] + 1), np.arange(-reach[1], reach[1] + 1), indexing="ij")
    shifts = np.stack([n1.ravel(), n2.ravel()], axis=1)
    xy = (fractional[None, :, :] + shifts[:, None, :]) @ lattice  # (shifts, atoms, 2)
    inside = np.hypot(xy[..., 0], xy[..., 1]) <= radius_angstrom
    which_shift, which_atom = np.nonzero(inside)
    positions = np.column_stack([xy[which_shift, which_atom], carbons[which_atom, 2]])
    pairs = cKDTree(positions).query_pairs(BOND_CUTOFF_ANGSTROM, output_type="ndarray")
    neighbours: list[list[int]] = [[] for _ in range(len(positions))]
    for i, j in pairs:
        neighbours[i].append(int(j))
        neighbours[j].append(int(i))
    return Patch(positions, which_atom, tuple(tuple(sorted(n)) for n in neighbours), radius_angstrom)


def find_hexagons(patch: Patch) -> list[tuple[int, ...]]:
    """All six-membered carbon rings (sorted index tuples) of atoms well inside the patch."""
    neighbours = patch.neighbours
    radius = np.hypot(patch.positions[:, 0], patch.positions[:, 1])
    found = set()
    for i in np.nonzero(radius <= patch.radius_angstrom - _HEXAGON_MARGIN_ANGSTROM)[0]:
        for j, k in combinations(neighbours[i], 2):
            for a in neighbours[j]:
                for b in neighbours[k]:
                    if i in (a, b) or a == b:
                        continue
                    for c in set(neighbours[a]) & set(neighbours[b]):
                        ring = {int(i), j, k, a, b, c}
                        if len(ring) == 6:
                            found.add(tuple(sorted(ring)))
    return sorted(found)


def hexagon_centres(patch: Patch, hexagons) -> np.ndarray:
    return np.array([patch.positions[list(h)].mean(axis=0) for h in hexagons]).reshape(-1, 3)


def locate_site(patch: Patch, hexagons) -> tuple[str, float, tuple[int, ...]]:
    """(site the adatom sits at, its in-plane distance from that site Å, ring-1 hexagon indices).

    The adatom is above the patch origin. The site is whichever is nearest in the plane: a hexagon
    centre (hollow), a carbon atom (top) or the midpoint of a C–C bond (bridge).
    """
    xy = patch.positions[:, :2]
    atom_distance = np.hypot(xy[:, 0], xy[:, 1])
    top = int(np.argmin(atom_distance))
    bonds = [(i, j) for i, near in enumerate(patch.neighbours) for j in near if i < j]
    midpoints = np.array([(xy[i] + xy[j]) / 2 for i, j in bonds])
    bond_distance = np.hypot(midpoints[:, 0], midpoints[:, 1])
    bridge = int(np.argmin(bond_distance))
    centres = hexagon_centres(patch, hexagons)[:, :2]
    hexagon_distance = np.hypot(centres[:, 0], centres[:, 1])
    hollow = int(np.argmin(hexagon_distance))
    candidates = {
        "hollow": (float(hexagon_distance[hollow]), {hollow}),
        "top": (float(atom_distance[top]), {top}),
        "bridge": (float(bond_distance[bridge]), set(bonds[bridge])),
    }
    site = min(candidates, key=lambda name: candidates[name][0])
    distance, feature = candidates[site]
    seed: tuple[int, ...]
    if site == "hollow":
        seed = (hollow,)
    else:
        seed = tuple(n for n, h in enumerate(hexagons) if feature <= set(h))
    return site, distance, seed


def hexagon_adjacency(patch: Patch, hexagons) -> list[set[int]]:
    """For each hexagon, the hexagons that share a C–C edge with it."""
    by_edge: dict[tuple[int, int], list[int]] = {}
    for n, ring in enumerate(hexagons):
        members = set(ring)
        for i in ring:
            for j in patch.neighbours[i]:
                if i < j and j in members:
                    by_edge.setdefault((i, j), []).append(n)
    adjacency: list[set[int]] = [set() for _ in hexagons]
    for sharing in by_edge.values():
        for n in sharing:
            adjacency[n].update(m for m in sharing if m != n)
    return adjacency


def grow(seed, adjacency, rings: int) -> list[set[int]]:
    """Hexagon sets of rings 1..``rings``: ring 1 = seed, each next ring adds every edge-sharing hexagon."""
    selections = [set(seed)]
    while len(selections) < rings:
        current = selections[-1]
        selections.append(current.union(*(adjacency[n] for n in current)))
    return selections


def carving(patch: Patch, hexagons, selection: set[int], rings: int) -> Carving:
    """The carbons of the selected hexagons, the bonds to cap, and whether it fits in the supercell."""
    carbons = sorted({i for n in selection for i in hexagons[n]})
    inside = set(carbons)
    caps = sorted((i, j) for i in carbons for j in patch.neighbours[i] if j not in inside)
    members = carbons + sorted({j for _, j in caps})
    fits = len(set(patch.origin[members].tolist())) == len(members)
    return Carving(rings, tuple(sorted(selection)), tuple(carbons), tuple(caps), fits)


def reach_angstrom(patch: Patch, carved: Carving) -> float:
    """Largest in-plane distance from the patch centre to a carved carbon or a capped neighbour."""
    members = list(carved.carbons) + [j for _, j in carved.caps]
    return float(np.max(np.hypot(patch.positions[members, 0], patch.positions[members, 1])))


def cap_positions(positions: np.ndarray, caps, bond_angstrom: float) -> np.ndarray:
    """Hydrogen positions: from each carbon, ``bond_angstrom`` along its bond to the missing neighbour."""
    if not caps:
        return np.zeros((0, 3))
    carbon = positions[[i for i, _ in caps]]
    direction = positions[[j for _, j in caps]] - carbon
    return carbon + bond_angstrom * direction / np.linalg.norm(direction, axis=1)[:, None]
