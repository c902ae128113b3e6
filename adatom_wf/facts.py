"""Small facts of the field that several floors share: site names, oxidation-state labels, CSF counts.

Pure Python on the ground floor (the study validator, the OpenMolcas stage and the report all import it).
"""

import math
import re

# The adsorption sites of the Tb-on-graphene paper, in the order of its Table 1.
SITES = ("hollow", "top", "bridge")
# Record kinds of the site relaxations: VASP and GPAW records have the same fields (docs/results.md).
DFT_KINDS = ("vasp", "gpaw")
# Table 1 of the Tb-on-graphene paper (VASP, PBE, Tb_3, 8x8 cell): energy above the hollow site (meV) and the
# Tb height above the layer (Å).
TB_GRAPHENE_TABLE1 = {"hollow": (0.0, 2.28), "top": (85.0, 2.32), "bridge": (91.0, 2.38)}
# Table 2 of the Tb-on-graphene paper (SA-CASSCF/RASSI/SINGLE_ANISO on C54H18, ANO-RCC-VTZP/VDZP/VDZ): the ground
# multiplet's main g values and its ESO parameters B_k^q (cm⁻¹) per oxidation state.
TB_GRAPHENE_TABLE2 = {
    "Tb3+": {"g1": 1.508, "g2": 1.508, "g3": 1.480, "B20": -5.375455, "B40": 0.000216, "B60": 0.000021,
             "B66": 0.000041},
    "Tb2+": {"g1": 1.503, "g2": 1.503, "g3": 1.435, "B20": -3.940770, "B40": -0.005776, "B60": 0.000001,
             "B66": 0.000027},
    "Tb1+": {"g1": 2.511, "g2": 2.511, "g3": 2.022, "B20": 6.071690, "B40": 0.022960, "B60": -0.000007,
             "B66": 0.000139},
    "Tb0": {"g1": 1.872, "g2": 1.872, "g3": 1.668, "B20": 7.641457, "B40": 0.004203, "B60": 0.000005, "B66": 0.000003},
}
# OpenMolcas's default work memory (MOLCAS_MEM, MB): what a state gets at least, and what the demo ran with.
MOLCAS_DEFAULT_MEM_MB = 2000

_STUDY_LABEL = re.compile(r"([A-Z][a-z]?)(\d+)([+-]?)")
_ANY_LABEL = re.compile(r"(?:[A-Z][a-z]?)?(\d*)([+-]?)")


def oxidation_state_charge(label: str, adatom: str) -> int:
    """``Tb3+`` -> 3, ``Tb0`` -> 0, ``Tb1-`` -> -1: a study file's label; the element must be the study's adatom."""
    match = _STUDY_LABEL.fullmatch(label)
    if not match or match.group(1) != adatom or (match.group(2) != "0" and not match.group(3)):
        raise ValueError(f"oxidation state {label!r} must read like {adatom}3+, {adatom}2+, {adatom}1+ or {adatom}0")
    charge = int(match.group(2))
    return -charge if match.group(3) == "-" else charge


def label_charge(label: str) -> int | None:
    """Any label a store may hold: ``Tb3+`` -> 3, ``Tb+`` / ``1+`` -> 1, ``Tb0`` / ``0`` -> 0, ``Tb-`` -> −1,
    ``Tb2-`` -> −2; None when it names no charge."""
    match = _ANY_LABEL.fullmatch(label.strip())
    if not match:
        return None
    digits, sign = match.groups()
    if not sign:
        return 0 if digits and int(digits) == 0 else None
    size = int(digits) if digits else 1
    return -size if sign == "-" else size


def csf_count(electrons: int, orbitals: int, multiplicity: int) -> int:
    """Number of configuration state functions (Weyl–Paldus formula) for N electrons in n orbitals, spin S."""
    two_s = multiplicity - 1
    if (electrons - two_s) % 2 or two_s > electrons or electrons > 2 * orbitals or two_s < 0:
        return 0
    a = (electrons - two_s) // 2  # N/2 - S
    b = (electrons + two_s) // 2 + 1  # N/2 + S + 1
    return multiplicity * math.comb(orbitals + 1, a) * math.comb(orbitals + 1, b) // (orbitals + 1)


def cluster_formula(site: str, rings: int) -> dict[str, int]:
    """C and H of the hydrogen-capped sheet carved with ``rings`` rings of hexagons around a site (n = rings):
    hollow C(6n²)H(6n) (benzene, coronene, circumcoronene), top C(6n²+6n+1)H(6n+3) (phenalenyl …), bridge
    C(6n²+4n)H(6n+2) (naphthalene …). The ring rule of adatom_wf.structure.cluster, checked against its
    carving for n = 1 … 4 (tests/test_facts.py)."""
    if rings < 1:
        raise ValueError(f"rings must be at least 1, got {rings}")
    carbons = {"hollow": 6 * rings ** 2, "top": 6 * rings ** 2 + 6 * rings + 1, "bridge": 6 * rings ** 2 + 4 * rings}
    hydrogens = {"hollow": 6 * rings, "top": 6 * rings + 3, "bridge": 6 * rings + 2}
    if site not in carbons:
        raise ValueError(f"site {site!r} is not one of {', '.join(SITES)}")
    return {"C": carbons[site], "H": hydrogens[site]}


def supercell_image_distance_angstrom(n: int, m: int, lattice_constant_angstrom: float) -> float:
    """Shortest non-zero in-plane lattice vector of the n×m graphene supercell (Å): an adatom's distance to its
    own periodic images (primitive vectors a(1, 0) and a(1/2, √3/2), as adatom_wf.structure.substrate builds it)."""
    a = lattice_constant_angstrom
    u, v = (n * a, 0.0), (m * a / 2, m * a * math.sqrt(3) / 2)
    return min(math.hypot(i * u[0] + j * v[0], i * u[1] + j * v[1])
               for i in range(-2, 3) for j in range(-2, 3) if (i, j) != (0, 0))


def max_cluster_rings(site: str, supercell_n: int) -> int:
    """Most rings of hexagons that carving fits in an N×N supercell before the cluster reaches its own image:
    (N − 1) // 2 around hollow, N // 2 − 1 around top and bridge (the carving of adatom_wf.structure.cluster on
    the ideal cell, N = 2 … 16; tests/test_spec.py checks it against the carver)."""
    if site not in SITES:
        raise ValueError(f"site {site!r} is not one of {', '.join(SITES)}")
    return (supercell_n - 1) // 2 if site == "hollow" else supercell_n // 2 - 1
