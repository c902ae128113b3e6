"""The shared facts: CSF counts (two independent identities), study labels and any label's charge."""

import pytest

from adatom_wf.facts import cluster_formula, csf_count, label_charge, oxidation_state_charge


@pytest.mark.parametrize(
    ("electrons", "orbitals", "multiplicity", "expected"),
    [
        (8, 7, 7, 7),  # Tb3+ 4f^8: one electron beyond the half shell, 7 septets
        (9, 10, 8, 440),
        (2, 2, 1, 3),  # H2 in a minimal basis: 3 singlets
        (2, 2, 3, 1),
        (14, 7, 1, 1),  # closed shell
        (7, 7, 8, 1),  # 4f^7 high spin
        (3, 7, 2, 112),
        (8, 7, 6, 0),  # parity mismatch
    ],
)
def test_weyl_paldus_csf_count(electrons, orbitals, multiplicity, expected):
    assert csf_count(electrons, orbitals, multiplicity) == expected


def test_csf_counts_add_up_to_the_determinant_count():
    # sum over S of (2S+1) * N_CSF(S) = C(2n, N): every determinant belongs to one spin multiplet
    from math import comb

    for n in range(1, 8):
        for electrons in range(0, 2 * n + 1):
            total = sum(m * csf_count(electrons, n, m) for m in range(1, electrons + 2))
            assert total == comb(2 * n, electrons)


@pytest.mark.parametrize(("label", "charge"), [("Tb3+", 3), ("Tb0", 0), ("Tb1+", 1), ("Tb1-", -1)])
def test_oxidation_state_labels(label, charge):
    assert oxidation_state_charge(label, "Tb") == charge


@pytest.mark.parametrize(("electrons", "orbitals"), [(8, 7), (9, 10), (10, 10), (11, 10), (2, 3), (5, 4)])
def test_csf_count_is_the_difference_of_determinant_counts(electrons, orbitals):
    from math import comb

    def determinants(two_ms):
        alpha = (electrons + two_ms) // 2
        return comb(orbitals, alpha) * comb(orbitals, electrons - alpha) if 0 <= alpha <= electrons else 0

    for multiplicity in range(1 + electrons % 2, electrons + 2, 2):
        expected = determinants(multiplicity - 1) - determinants(multiplicity + 1)
        assert csf_count(electrons, orbitals, multiplicity) == max(expected, 0)


@pytest.mark.parametrize("label, charge", [("Tb3+", 3), ("3+", 3), ("Tb2+", 2), ("Tb1+", 1), ("+", 1), ("Tb+", 1),
                                           ("Tb0", 0), ("0", 0), ("-", -1), ("Tb1-", -1), ("Dy2-", -2),
                                           ("Tb", None), ("Tb3", None), ("neutral", None), ("", None)])
def test_any_label_charge(label, charge):
    assert label_charge(label) == charge


@pytest.mark.parametrize("site", ["hollow", "top", "bridge"])
def test_cluster_formula_is_what_the_carving_gives(site):
    """The closed form used for cost estimates (no numpy) against the real carving, 1 to 4 rings."""
    from collections import Counter

    from adatom_wf.spec import parse_study
    from adatom_wf.structure.cluster import carve_cluster

    study = parse_study({"name": "x", "adatom": "Tb", "sites": {site: {"height_angstrom": 2.3}},
                         "substrate": {"supercell": [12, 12]},
                         "cluster": {"site": site, "rings": 1, "geometry": "ideal"}})
    for rings in (1, 2, 3, 4):
        counts = Counter(carve_cluster(study, rings=rings).atoms.get_chemical_symbols())
        assert {"C": counts["C"], "H": counts["H"]} == cluster_formula(site, rings), (site, rings)
