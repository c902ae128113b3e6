"""The from-SO-states path, on models whose answers are known analytically.

An L = 3 term coupled to spin S by λ L·S with λ < 0 has the J = L + S multiplet lowest. A crystal field built
from J itself (B O_2^0(J) + B' O_6^6(J)) commutes with J², so the lowest 2J + 1 eigenstates are exactly the
J multiplet, where μ = −(L + g_e S) = −g_J J (projection theorem) with the Landé factor
g_J = 1 + (g_e − 1)[J(J+1) + S(S+1) − L(L+1)] / 2J(J+1). The per-doublet g values are then 2|M| g_J along z.
"""

import re
from fractions import Fraction

import numpy as np
import pytest

from adatom_wf.analysis.spectrum import analyse_spectrum, states_from_crystal_field, states_from_spin_orbit
from adatom_wf.analysis.stevens import spin_matrices
from adatom_wf.analysis.units import G_ELECTRON, HARTREE_CM1
from adatom_wf.errors import AnalysisError


def lande(l, s, j):
    return 1 + (G_ELECTRON - 1) * (j * (j + 1) + s * (s + 1) - l * (l + 1)) / (2 * j * (j + 1))


def so_model(spin, cf_on_j, spin_orbit_cm1=-300.0, seed=0):
    """SO energies (cm^-1) and the L, S matrices in the SO eigenbasis, shuffled, for L = 3 and the given S."""
    orbital, spin_ops = spin_matrices(3), spin_matrices(spin)
    n_l, n_s = orbital.shape[1], spin_ops.shape[1]
    l_full = np.array([np.kron(o, np.eye(n_s)) for o in orbital])
    s_full = np.array([np.kron(np.eye(n_l), o) for o in spin_ops])
    j_full = l_full + s_full
    hamiltonian = spin_orbit_cm1 * np.einsum("aij,ajk->ik", l_full, s_full)
    # O_2^0(J) = 3Jz² − J² and O_6^6(J) = (J+⁶ + J−⁶)/2 written with the product-space J
    jz, jp, jm = j_full[2], j_full[0] + 1j * j_full[1], j_full[0] - 1j * j_full[1]
    j_squared = np.einsum("aij,ajk->ik", j_full, j_full)
    for (k, q), value in cf_on_j.items():
        if (k, q) == (2, 0):
            hamiltonian = hamiltonian + value * (3 * jz @ jz - j_squared)
        elif (k, q) == (6, 6):
            hamiltonian = hamiltonian + value * (np.linalg.matrix_power(jp, 6) + np.linalg.matrix_power(jm, 6)) / 2
    energies, vectors = np.linalg.eigh(hamiltonian)
    order = np.random.default_rng(seed).permutation(energies.size)
    vectors = vectors[:, order]
    rotate = lambda ops: np.array([vectors.conj().T @ o @ vectors for o in ops])  # noqa: E731
    return energies[order], rotate(l_full), rotate(s_full)


def test_tb3_like_j6_multiplet_gives_lande_g_per_doublet():
    energies, orbital, spin = so_model(3, {(2, 0): -5.0})
    states = states_from_spin_orbit(energies, orbital, spin, electron_count=8, n_states=13)
    analysis = analyse_spectrum(states)
    g_j = lande(3, 3, 6)
    assert not analysis.kramers and analysis.kramers_check.checked
    assert [round(g.jz_abs, 9) for g in analysis.groups] == [6, 5, 4, 3, 2, 1, 0]
    for doublet in analysis.doublets:
        # g = sqrt(eigenvalue of g gᵀ): round-off of 1e-14 in g gᵀ shows as ~1e-7 in a vanishing g
        assert doublet.g_principal == pytest.approx((0, 0, 2 * doublet.jz_abs * g_j), abs=1e-6)
    assert analysis.e_zfs_cm1 == pytest.approx(-5.0 * 3 * (25 - 36))
    assert analysis.e_mab_cm1 == pytest.approx(5.0 * 3 * 36)
    assert analysis.u_eff_cm1 == analysis.e_mab_cm1  # no tunnel splitting: over the top


def test_so_states_reproduce_the_crystal_field_model_of_the_same_multiplet():
    """B_2^0 and B_6^6 on J: the SO path and the CF path must give the same levels, |Jz| and splittings."""
    cf = {(2, 0): -5.375455, (6, 6): 0.000041}
    energies, orbital, spin = so_model(3, cf)
    from_so = analyse_spectrum(states_from_spin_orbit(energies, orbital, spin, electron_count=8, n_states=13))
    from_cf = analyse_spectrum(states_from_crystal_field(6, cf, g=lande(3, 3, 6)))
    assert np.allclose(from_so.levels_cm1, from_cf.levels_cm1, atol=1e-7)
    for a, b in zip(from_so.groups, from_cf.groups):
        assert a.jz_abs == pytest.approx(b.jz_abs, abs=1e-7)
        assert (a.tunnel_splitting_cm1 or 0) == pytest.approx(b.tunnel_splitting_cm1 or 0, abs=1e-7)
        if a.is_doublet:
            assert a.g_principal == pytest.approx(b.g_principal, abs=1e-6)
    assert from_so.u_eff_cm1 == pytest.approx(from_cf.u_eff_cm1, abs=1e-7)
    assert np.allclose(from_so.transition_moments_mub, from_cf.transition_moments_mub, atol=1e-6)


def test_kramers_tb2_like_multiplet_in_hartree():
    """L = 3, S = 7/2, λ < 0: J = 13/2 lowest (14 states, Kramers). |±1/2⟩ has g_perp = (J + 1/2) g_J."""
    energies, orbital, spin = so_model(Fraction(7, 2), {(2, 0): 4.0})
    states = states_from_spin_orbit(energies / HARTREE_CM1, orbital, spin, electron_count=9, energy_unit="hartree",
                                    n_states=14)
    analysis = analyse_spectrum(states)
    g_j = lande(3, 3.5, 6.5)
    assert analysis.kramers and not analysis.kramers_check.violations
    ground = analysis.groups[0]
    assert ground.jz_abs == pytest.approx(0.5)
    assert ground.g_principal == pytest.approx((g_j, 7 * g_j, 7 * g_j), rel=1e-9)
    assert analysis.e_zfs_cm1 == pytest.approx(4.0 * 3 * (1.5**2 - 0.5**2), rel=1e-9)
    assert analysis.u_eff_cm1 == 0.0  # the ground doublet tunnels (g_perp = 7 g_J)


def test_a_wrong_electron_count_is_reported_as_a_kramers_violation():
    energies, orbital, spin = so_model(3, {(2, 0): -5.0, (6, 6): 0.0001})
    with pytest.raises(AnalysisError, match="Kramers theorem violated"):
        analyse_spectrum(states_from_spin_orbit(energies, orbital, spin, electron_count=9, n_states=13))
    report = analyse_spectrum(states_from_spin_orbit(energies, orbital, spin, electron_count=9, n_states=13),
                              strict_kramers=False)
    assert report.kramers_check.violations


@pytest.mark.parametrize(("change", "words"), [
    (lambda e, l, s: (e, l[:2], s), "shape (3, 49, 49)"),
    (lambda e, l, s: (e, l + 1j * np.triu(np.ones_like(l[0]), 1), s), "not Hermitian"),
    (lambda e, l, s: (np.where(np.arange(e.size) == 3, np.nan, e), l, s), "finite"),
])
def test_bad_so_input_is_named(change, words):
    energies, orbital, spin = change(*so_model(3, {(2, 0): -5.0}))
    with pytest.raises(AnalysisError, match=re.escape(words)):
        states_from_spin_orbit(energies, orbital, spin, electron_count=8)


def test_bad_so_options_are_named():
    energies, orbital, spin = so_model(3, {(2, 0): -5.0})
    with pytest.raises(AnalysisError, match="energy_unit"):
        states_from_spin_orbit(energies, orbital, spin, electron_count=8, energy_unit="eV")
    with pytest.raises(AnalysisError, match="n_states"):
        states_from_spin_orbit(energies, orbital, spin, electron_count=8, n_states=50)
    with pytest.raises(AnalysisError, match="electron_count"):
        states_from_spin_orbit(energies, orbital, spin, electron_count=0)
