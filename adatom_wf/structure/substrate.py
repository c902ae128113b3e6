"""Graphene supercells built with ASE.

The primitive cell is the 60° hexagonal one, a1 = a(1, 0, 0), a2 = a(1/2, √3/2, 0), with carbon at
fractional (1/3, 1/3) and (2/3, 2/3): hexagon centres sit on the lattice points. The layer is flat at
``z = layer_z`` and the cell is ``vacuum`` high, so the layer is ``vacuum`` away from its periodic image.
"""

import math

import numpy as np
from ase import Atoms

CARBON_FRACTIONS = ((1 / 3, 1 / 3), (2 / 3, 2 / 3))


def primitive_vectors(a: float) -> np.ndarray:
    """In-plane primitive vectors (rows) of graphene with lattice constant ``a`` (Å)."""
    return np.array([[a, 0.0], [a / 2, a * math.sqrt(3) / 2]])


def graphene_supercell(n: int, m: int, a: float, vacuum: float, layer_z: float) -> Atoms:
    """A flat n×m graphene supercell (2nm carbon atoms) in a cell ``vacuum`` Å high."""
    prim = primitive_vectors(a)
    positions = []
    for i in range(n):
        for j in range(m):
            for fx, fy in CARBON_FRACTIONS:
                xy = (i + fx) * prim[0] + (j + fy) * prim[1]
                positions.append((xy[0], xy[1], layer_z))
    cell = [[n * prim[0][0], n * prim[0][1], 0.0], [m * prim[1][0], m * prim[1][1], 0.0], [0.0, 0.0, vacuum]]
    return Atoms(f"C{len(positions)}", positions=positions, cell=cell, pbc=True)


def in_plane_image_distance(cell: np.ndarray) -> float:
    """Length (Å) of the shortest non-zero in-plane lattice vector: an adatom's distance to its own images."""
    return min(
        float(np.linalg.norm(n1 * cell[0] + n2 * cell[1]))
        for n1 in range(-2, 3)
        for n2 in range(-2, 3)
        if (n1, n2) != (0, 0)
    )
