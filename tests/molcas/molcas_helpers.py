"""Test geometry: Tb above the centre of a benzene ring (the demo's cluster), built here so the OpenMolcas
tests do not depend on the carving code. C–C 1.424 Å (a = 2.467/√3), C–H 1.09 Å, Tb 2.28 Å on +z."""

import math

from ase import Atoms

CC_ANGSTROM = 2.467 / math.sqrt(3)


def tb_benzene(height_angstrom: float = 2.28, ch_angstrom: float = 1.09, adatom: str = "Tb") -> Atoms:
    ring = [(CC_ANGSTROM * math.cos(math.radians(60 * i)), CC_ANGSTROM * math.sin(math.radians(60 * i)), 0.0)
            for i in range(6)]
    caps = [(x * (1 + ch_angstrom / CC_ANGSTROM), y * (1 + ch_angstrom / CC_ANGSTROM), 0.0) for x, y, _ in ring]
    return Atoms(adatom + "C6H6", positions=[(0.0, 0.0, height_angstrom), *ring, *caps])
