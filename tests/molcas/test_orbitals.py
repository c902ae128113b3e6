"""Orbital character: picking starting orbitals and checking RASSCF's active space.

Fixtures (tests/molcas/fixtures/, real OpenMolcas 22.10 output of the demo's Tb2+ on benzene, ANO-RCC-MB,
trimmed to the datasets read here): ``Tb2p.guessorb.h5`` (SEWARD's guess orbitals) and
``Tb2p.m8.rasscf.h5`` (the octet SA-CASSCF, 21 roots, started from the picked orbitals).
"""

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from molcas_helpers import tb_benzene

from adatom_wf.errors import ParseError
from adatom_wf.molcas.active_space import plan_state
from adatom_wf.molcas.orbitals import (
    Orbitals,
    character_weights,
    check_active_orbitals,
    inporb_text,
    lowdin_weights,
    pick_start_orbitals,
    read_orbitals,
)
from adatom_wf.spec import load_study

FIXTURES = Path(__file__).parent / "fixtures"
TB = 65


@pytest.fixture(scope="module")
def plan():
    return plan_state(load_study("demo_tb_benzene"), "Tb2+", tb_benzene().numbers)


@pytest.fixture(scope="module")
def guess():
    return read_orbitals(FIXTURES / "Tb2p.guessorb.h5")


@pytest.fixture(scope="module")
def octet():
    return read_orbitals(FIXTURES / "Tb2p.m8.rasscf.h5")


def test_lowdin_weights_of_every_mo_add_up_to_one(octet):
    assert octet.coefficients.shape == (79, 79)
    np.testing.assert_allclose(lowdin_weights(octet).sum(axis=1), 1.0, atol=1e-10)
    assert octet.center_of(TB) == 1


def test_molcas_real_harmonics_d_minus_2_is_xy_and_d_plus_1_is_xz(octet):
    """Our reading of BASIS_FUNCTION_IDS (m = −2 is d_xy, +2 is d_x²−y²) checked with OpenMolcas's own
    second-moment integrals: <Tb 1s| xy |Tb d_m> vanishes unless m = −2, <1s| xz |d_m> unless m = +1."""
    import h5py

    with h5py.File(FIXTURES / "Tb2p.m8.rasscf.h5") as h5:
        xy, xz, origin = h5["AO_MLTPL_XY"][()], h5["AO_MLTPL_XZ"][()], h5["MLTPL_ORIG"][()]
    assert np.allclose(origin[2][:2], 0.0)  # Tb is on the z axis through the origin of the second moments
    ids = octet.basis_ids
    s_functions = np.flatnonzero((ids[:, 0] == 1) & (ids[:, 2] == 0))
    for matrix, wanted in ((xy, -2), (xz, 1)):
        for m in range(-2, 3):
            d_functions = np.flatnonzero((ids[:, 0] == 1) & (ids[:, 2] == 2) & (ids[:, 3] == m))
            largest = np.abs(matrix[np.ix_(s_functions, d_functions)]).max()
            assert (largest > 1.0) if m == wanted else (largest < 1e-10), (m, largest)


def test_the_guess_gives_every_active_character(guess, plan):
    start = pick_start_orbitals(guess, plan, TB)
    assert start.ok, start.failure
    picks = {p["character"]: [] for p in start.picks}
    for p in start.picks:
        picks[p["character"]].append(p["weight"])
    assert len(picks["4f"]) == 7 and min(picks["4f"]) > 0.85
    assert min(picks["6s/5d0"] + picks["5dxy+5dx2-y2"]) > 0.75 and len(picks["5dxy+5dx2-y2"]) == 2
    assert len(set(start.order)) == 79 and start.inactive == 48 and start.active == 10
    weights = character_weights(guess, 1)
    assert all(weights["6s+5d"][i] <= 0.5 for i in start.order[:48])  # no adatom 6s/5d pair is inactive


def test_in_vdzp_4f_means_the_valence_4f_not_every_f_function(plan):
    """Real SEWARD guess orbitals of the demo cluster with Tb ANO-RCC-VDZP (7s6p4d2f1g; fixtures/guess_vdzp,
    PROVENANCE.md there): the second f contraction ("TB1 5f") makes orbitals at +18.4 to +18.6 Eh that are
    pure Tb f. "4f" counts only the first f contraction, so the seven 4f picks are the real 4f at -0.49 Eh
    (issue 30: every f function counted picked four of the +18 Eh ones and the octet never converged)."""
    vdzp = read_orbitals(FIXTURES / "guess_vdzp" / "TbC6H6.vdzp.guessorb.h5")
    ids = vdzp.basis_ids
    tb_f = (ids[:, 0] == 1) & (ids[:, 2] == 3)
    assert vdzp.coefficients.shape == (104, 104) and sorted(set(ids[tb_f, 1])) == [1, 2]  # two f contractions
    # basis functions 46 and 47 are what OpenMolcas's RASSCF printout labels "TB1 4f3-" and "TB1 5f3-"
    assert ids[45].tolist() == [1, 1, 3, -3] and ids[46].tolist() == [1, 2, 3, -3]
    lowdin = lowdin_weights(vdzp)
    outer_f = lowdin[:, tb_f & (ids[:, 1] == 2)].sum(axis=1)
    trap = np.flatnonzero(outer_f > 0.9)
    assert len(trap) >= 4 and vdzp.energies[trap].min() > 18.0  # the correlating f orbitals are there
    start = pick_start_orbitals(vdzp, plan, TB)
    assert start.ok, start.failure
    f_picks = [p for p in start.picks if p["character"] == "4f"]
    assert len(f_picks) == 7 and min(p["weight"] for p in f_picks) > 0.85
    assert all(-0.55 < p["energy_hartree"] < -0.45 for p in f_picks), f_picks
    assert not {p["source_mo"] - 1 for p in start.picks} & set(trap.tolist())
    six_s = next(p for p in start.picks if p["character"] == "6s/5d0")
    assert six_s["energy_hartree"] < 0.0 and six_s["weight"] > 0.5  # the 6s-like guess, not the 7s contraction
    weights = character_weights(vdzp, 1, lowdin)
    assert weights["4f"][trap].max() < 0.05  # the correlating f orbitals are not "4f" for the check either
    assert all(weights["6s+5d"][i] <= 0.5 for i in start.order[:start.inactive])


def test_inporb_file_holds_the_reordered_orbitals_and_the_type_index(guess, plan):
    start = pick_start_orbitals(guess, plan, TB)
    text = inporb_text(guess, start, plan.active_electrons, "test")
    lines = text.splitlines()
    assert lines[:6] == ["#INPORB 2.2", "#INFO", "* test", "       0       1       0", "      79", "      79"]
    assert text.count("* ORBITAL    1") == 79 and "#OCC" in text and "#ONE" in text
    index = "".join(line[2:] for line in text.split("#INDEX\n")[1].splitlines()[1:])
    assert index == "i" * 48 + "2" * 10 + "s" * 21
    first_active = text.split("* ORBITAL    1   49\n")[1].split("*")[0].split()
    np.testing.assert_allclose([float(x) for x in first_active], guess.coefficients[start.order[48]], rtol=1e-13)
    occupations = [float(x) for x in text.split("* OCCUPATION NUMBERS\n")[1].split("#")[0].split()]
    assert sum(occupations) == pytest.approx(2 * 48 + 9)


def test_the_octet_kept_its_active_space(octet, plan):
    check = check_active_orbitals(octet, plan, TB)
    assert check.ok, check.failure
    weights = {row["character"]: row["weight"] for row in check.orbitals}
    assert [row["character"] for row in check.orbitals].count("4f") == 7 and check.independence > 0.99
    assert [n["mo"] for n in check.natural_orbitals] == list(range(49, 59))
    assert min(row["weight"] for row in check.orbitals if row["character"] == "4f") > 0.99
    assert weights["6s/5d0"] > 0.95 and weights["5dxy+5dx2-y2"] > 0.85


def _swap(orbitals: Orbitals, i: int, j: int) -> Orbitals:
    coefficients = orbitals.coefficients.copy()
    coefficients[[i, j]] = coefficients[[j, i]]
    return dataclasses.replace(orbitals, coefficients=coefficients)


def test_an_active_orbital_replaced_by_a_ring_orbital_is_rejected_with_its_numbers(octet, plan):
    """The failure seen without character-picked start orbitals: a benzene π orbital in the active space."""
    weights = character_weights(octet, 1)
    active = [i for i, t in enumerate(octet.type_indices) if t == "2"]
    d_xy = max(active, key=lambda i: weights["5dxy"][i])
    ring = max((i for i, t in enumerate(octet.type_indices) if t == "I"), key=lambda i: -weights["adatom"][i] + i / 1e3)
    check = check_active_orbitals(_swap(octet, d_xy, ring), plan, TB)
    assert not check.ok
    assert "active space drifted: the active space's 2 best 5dxy+5dx2-y2 orbitals: 93.9%, 0.0%" in check.failure
    assert "(each must be >= 30%)" in check.failure


def test_an_inactive_adatom_5d_pair_is_rejected(octet, plan):
    weights = character_weights(octet, 1)
    secondary_d = max((i for i, t in enumerate(octet.type_indices) if t == "S"), key=lambda i: weights["6s+5d"][i])
    inactive = max(i for i, t in enumerate(octet.type_indices) if t == "I")
    check = check_active_orbitals(_swap(octet, secondary_d, inactive), plan, TB)
    assert not check.ok and "an inactive (doubly occupied) orbital is 84.5% adatom 6s/5d" in check.failure
    assert check.inactive_valence == pytest.approx(0.845, abs=1e-3)


def test_a_rotation_among_active_orbitals_changes_nothing(octet, plan):
    """A CASSCF is invariant to rotations among its active orbitals; natural orbitals of equal occupation
    come out as such mixtures (the Tb0 decet: every occupation 1.1, 4f and 5d mixed 50/50)."""
    weights = character_weights(octet, 1)
    active = [i for i, t in enumerate(octet.type_indices) if t == "2"]
    f_orbitals = sorted(active, key=lambda i: -weights["4f"][i])[:2]
    others = [max(active, key=lambda i: weights["6s/5d0"][i]), max(active, key=lambda i: weights["5dxy"][i])]
    coefficients = octet.coefficients.copy()
    for f, d in zip(f_orbitals, others):
        coefficients[[f, d]] = [(octet.coefficients[f] + octet.coefficients[d]) / np.sqrt(2),
                                (octet.coefficients[f] - octet.coefficients[d]) / np.sqrt(2)]
    rotated = dataclasses.replace(octet, coefficients=coefficients)
    assert sorted(character_weights(rotated, 1)["4f"][active])[3] < 0.6  # four natural orbitals are half 4f
    before, after = check_active_orbitals(octet, plan, TB), check_active_orbitals(rotated, plan, TB)
    assert after.ok, after.failure
    assert [r["weight"] for r in after.orbitals] == pytest.approx([r["weight"] for r in before.orbitals], abs=1e-4)


def test_a_rotated_degenerate_pair_is_measured_together(octet, plan):
    """5dxy and 5dx²−y² are degenerate at the hollow site; any rotation of the pair is the same active space."""
    weights = character_weights(octet, 1)
    active = [i for i, t in enumerate(octet.type_indices) if t == "2"]
    xy = max(active, key=lambda i: weights["5dxy"][i])
    x2y2 = max(active, key=lambda i: weights["5dx2-y2"][i])
    coefficients = octet.coefficients.copy()
    c, s = np.cos(0.6), np.sin(0.6)
    coefficients[[xy, x2y2]] = [c * octet.coefficients[xy] + s * octet.coefficients[x2y2],
                                -s * octet.coefficients[xy] + c * octet.coefficients[x2y2]]
    rotated = dataclasses.replace(octet, coefficients=coefficients)
    assert 0.2 < character_weights(rotated, 1)["5dxy"][xy] < 0.7
    check = check_active_orbitals(rotated, plan, TB)
    assert check.ok, check.failure


def test_thresholds_from_the_study_apply(octet, plan):
    check = check_active_orbitals(octet, plan, TB, {"5dxy": 0.99})
    assert not check.ok and "93.9%, 93.9% (each must be >= 99%)" in check.failure


def test_a_guess_without_the_character_stops_before_rasscf(plan):
    """Seven pure f functions on the adatom and ten s functions elsewhere: no 5d orbital to start from."""
    ids = np.array([[1, 1, 3, m] for m in range(-3, 4)] + [[2, k, 0, 0] for k in range(1, 11)])
    n = len(ids)
    orbitals = Orbitals("synthetic", np.eye(n), np.eye(n), ids, np.arange(n, dtype=float), np.zeros(n),
                        ("S",) * n, np.array([TB, 6]))
    small = dataclasses.replace(plan, inactive=2)
    start = pick_start_orbitals(orbitals, small, TB)
    assert not start.ok and "no " in start.failure and "orbital: best weight 0.00" in start.failure


def test_an_unreadable_file_is_a_parse_error(tmp_path):
    path = tmp_path / "x.rasscf.h5"
    path.write_text("not hdf5")
    with pytest.raises(ParseError, match="x.rasscf.h5"):
        read_orbitals(path)
