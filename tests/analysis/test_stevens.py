"""Extended Stevens operators: the general construction against the explicit polynomials of Abragam & Bleaney
(Table 16) / Rudowicz (1985) for k = 2, 4, 6 and every q, the normalisation against Ryabov's table, and
symmetry properties (Hermiticity, time reversal, Sz selection rules, trace orthogonality)."""

import re
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adatom_wf.analysis.stevens import (
    crystal_field_hamiltonian,
    pseudospin_value,
    spin_hamiltonian,
    spin_matrices,
    stevens_normalisation,
    stevens_operator,
)
from adatom_wf.analysis.units import MU_B_CM1_PER_T
from adatom_wf.errors import AnalysisError

HALF_SPINS = [Fraction(n, 2) for n in range(1, 16)]  # S = 1/2 … 15/2


def explicit_operator(spin, k, q):
    """O_k^q from the printed polynomial tables: (1/4)[P(Sz) S±^q + S±^q P(Sz)] with S±^q = S+^q ± S−^q,
    (1/2) S±^k for q = ±k, divided by i for q < 0."""
    sx, sy, sz = spin_matrices(spin)
    n = sz.shape[0]
    x = float(spin * (spin + 1))
    one = np.eye(n)
    z = lambda p: np.linalg.matrix_power(sz, p)  # noqa: E731
    polynomials = {
        (2, 0): 3 * z(2) - x * one,
        (2, 1): z(1),
        (4, 0): 35 * z(4) - (30 * x - 25) * z(2) + (3 * x**2 - 6 * x) * one,
        (4, 1): 7 * z(3) - (3 * x + 1) * z(1),
        (4, 2): 7 * z(2) - (x + 5) * one,
        (4, 3): z(1),
        (6, 0): 231 * z(6) - (315 * x - 735) * z(4) + (105 * x**2 - 525 * x + 294) * z(2)
        + (-5 * x**3 + 40 * x**2 - 60 * x) * one,
        (6, 1): 33 * z(5) - (30 * x - 15) * z(3) + (5 * x**2 - 10 * x + 12) * z(1),
        (6, 2): 33 * z(4) - (18 * x + 123) * z(2) + (x**2 + 10 * x + 102) * one,
        (6, 3): 11 * z(3) - (3 * x + 59) * z(1),
        (6, 4): 11 * z(2) - (x + 38) * one,
        (6, 5): z(1),
    }
    if q == 0:
        return polynomials[(k, 0)]
    plus, minus = sx + 1j * sy, sx - 1j * sy
    ladder = np.linalg.matrix_power(plus, abs(q)) + np.sign(q) * np.linalg.matrix_power(minus, abs(q))
    ladder = ladder if q > 0 else ladder / 1j
    if abs(q) == k:
        return ladder / 2
    poly = polynomials[(k, abs(q))]
    return (poly @ ladder + ladder @ poly) / 4


@pytest.mark.parametrize("spin", [Fraction(3), Fraction(7, 2), Fraction(6), Fraction(13, 2), Fraction(15, 2)])
@pytest.mark.parametrize("k", [2, 4, 6])
def test_general_construction_matches_the_printed_tables(spin, k):
    for q in range(-k, k + 1):
        tolerance = 1e-9 * max(1, spin**k)
        assert np.allclose(stevens_operator(spin, k, q), explicit_operator(spin, k, q), atol=tolerance), (k, q)


def test_known_identities():
    sx, sy, sz = spin_matrices(6)
    assert np.allclose(stevens_operator(6, 2, 0), 3 * sz @ sz - 42 * np.eye(13))
    assert np.allclose(stevens_operator(6, 2, 2), sx @ sx - sy @ sy)
    assert np.allclose(stevens_operator(6, 2, -2), sx @ sy + sy @ sx)
    assert np.allclose(stevens_operator(6, 2, 1), (sz @ sx + sx @ sz) / 2)
    assert np.allclose(stevens_operator(6, 1, 0), sz) and np.allclose(stevens_operator(6, 1, 1), sx)


def test_normalisation_reproduces_ryabovs_table():
    """F(k, q) of Ryabov (1999) as tabulated in EasySpin's stev.m (which SINGLE_ANISO follows, k <= 12).
    The published table has 725700 for k = 9, q = 1, 2, where the exact gcd is 725760 (= 1451520 / 2):
    a misprint for an odd rank that no crystal field uses."""
    table = {
        2: [4, 2, 1], 4: [48, 24, 8, 4, 1], 6: [2880, 1440, 360, 60, 12, 6, 1],
        8: [80640, 40320, 40320, 6720, 672, 336, 16, 8, 1],
        9: [1451520, 725760, 725760, 60480, 60480, 864, 288, 18, 18, 1],
        10: [14515200, 7257600, 1209600, 604800, 86400, 2880, 360, 180, 20, 10, 1],
        12: [1916006400, 958003200, 958003200, 31933440, 3991680, 1995840, 31680, 15840, 1584, 264, 24, 12, 1],
    }
    for k, row in table.items():
        assert [stevens_normalisation(k, q) for q in range(k + 1)] == row


@st.composite
def spin_rank_component(draw):
    spin = draw(st.sampled_from(HALF_SPINS))
    k = draw(st.integers(min_value=1, max_value=min(int(2 * spin), 12)))
    q = draw(st.integers(min_value=-k, max_value=k))
    return spin, k, q


def time_reversal(matrix, spin):
    """Θ A Θ⁻¹ for Θ = exp(−iπSy) K in the basis m = S … −S: U A* U† with U_{m,−m} = (−1)^(S−m)."""
    n = matrix.shape[0]
    u = np.zeros((n, n))
    for i in range(n):
        u[n - 1 - i, i] = (-1) ** i
    return u @ matrix.conj() @ u.T


@settings(max_examples=60, deadline=None)
@given(spin_rank_component())
def test_hermitian_time_parity_and_selection_rules(case):
    spin, k, q = case
    operator = stevens_operator(spin, k, q)
    scale = max(1.0, np.abs(operator).max())
    assert np.allclose(operator, operator.conj().T, atol=1e-12 * scale)
    assert np.allclose(time_reversal(operator, spin), (-1) ** k * operator, atol=1e-12 * scale)
    rows, columns = np.nonzero(np.abs(operator) > 1e-12 * scale)
    assert set(np.abs(rows - columns)) <= {abs(q)}  # O_k^q only connects m and m ± q
    _, _, sz = spin_matrices(spin)
    if q == 0:
        assert np.allclose(operator @ sz, sz @ operator)


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(HALF_SPINS[:8]))
def test_operators_of_one_spin_are_trace_orthogonal(spin):
    labels = [(k, q) for k in range(1, int(2 * spin) + 1) for q in range(-k, k + 1)]
    operators = np.array([stevens_operator(spin, k, q).ravel() for k, q in labels])
    gram = operators.conj() @ operators.T
    assert np.allclose(gram - np.diag(np.diag(gram)), 0, atol=1e-8 * np.abs(gram).max())


@settings(max_examples=30, deadline=None)
@given(st.sampled_from([s for s in HALF_SPINS if s.denominator == 2 and s > 1]), st.integers(0, 2**32 - 1))
def test_random_even_rank_crystal_field_keeps_kramers_doublets(spin, seed):
    rng = np.random.default_rng(seed)
    ranks = range(2, min(int(2 * spin), 6) + 1, 2)
    parameters = {(k, q): rng.normal() * 10.0 ** (2 - k) for k in ranks for q in range(-k, k + 1)}
    energies = np.linalg.eigvalsh(crystal_field_hamiltonian(spin, parameters))
    assert np.allclose(energies[0::2], energies[1::2], atol=1e-9 * max(1.0, np.abs(energies).max()))


def test_zeeman_term_splits_a_free_spin_by_g_mub_b():
    energies = np.linalg.eigvalsh(spin_hamiltonian(Fraction(5, 2), {}, g=[2.0, 2.0, 1.5], field_t=[0, 0, 1.0]))
    assert np.allclose(np.diff(energies), 1.5 * MU_B_CM1_PER_T)
    energies = np.linalg.eigvalsh(spin_hamiltonian(Fraction(5, 2), {}, g=[2.0, 2.0, 1.5], field_t=[1.0, 0, 0]))
    assert np.allclose(np.diff(energies), 2.0 * MU_B_CM1_PER_T)


@pytest.mark.parametrize("spin", ["6.3", 0, "-1/2", "abc", 51, "1/3"])
def test_pseudospin_must_be_a_positive_multiple_of_one_half(spin):
    with pytest.raises(AnalysisError, match="pseudospin"):
        pseudospin_value(spin)


@pytest.mark.parametrize(("spin", "terms", "words"), [
    (6, {(2, 3): 1.0}, "O_2^3 does not exist"),
    (2, {(6, 0): 1.0}, "2S = 4"),
    (6, {(3, 0): 1.0}, "must be even"),
    (6, {(0, 0): 1.0}, "must be even and >= 2"),
    (6, {(2, 0): float("nan")}, "finite"),
])
def test_bad_crystal_field_terms_are_named(spin, terms, words):
    with pytest.raises(AnalysisError, match=re.escape(words)):
        crystal_field_hamiltonian(spin, terms)
