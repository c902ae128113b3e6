"""Magnetisation and susceptibility: the Brillouin function, powder grids, the field diagonalisation and the adaptive
powder average against an independent exact diagonalisation of the Table 2 Hamiltonians, and χT against the Curie
law and against M/B."""

import numpy as np
import pytest
from scipy.integrate import quad

from adatom_wf.analysis.magnetism import (
    brillouin,
    chi_t_cm3_k_mol,
    chi_t_from_magnetisation_cm3_k_mol,
    free_spin_magnetisation_mub,
    magnetisation_mub,
    powder_grid,
    powder_magnetisation_mub,
)
from adatom_wf.analysis.spectrum import MagneticStates, states_from_crystal_field
from adatom_wf.analysis.units import CURIE_CM3_K_PER_MOL, K_B_CM1_PER_K, MU_B_CM1_PER_T
from adatom_wf.errors import AnalysisError

TB3 = {(2, 0): -5.375455, (4, 0): 0.000216, (6, 0): 0.000021, (6, 6): 0.000041}
TB1 = {(2, 0): 6.071690, (4, 0): 0.022960, (6, 0): -0.000007, (6, 6): 0.000139}


def test_brillouin_limits_and_series_join():
    assert brillouin(0.5, [50.0])[0] == pytest.approx(1.0)
    x = np.array([1e-6, 9.99e-4, 1.001e-3, 0.01])
    j = 3.5
    assert np.allclose(brillouin(j, x), (j + 1) / (3 * j) * x, rtol=1e-4)
    assert brillouin(0.5, [0.3])[0] == pytest.approx(np.tanh(0.3))  # B_1/2(x) = tanh x
    assert np.allclose(brillouin(j, -x), -brillouin(j, x))


def test_free_spin_magnetisation_saturates_at_g_j():
    m = free_spin_magnetisation_mub(3.5, 2.0, [0.0, 100.0], [1.0])
    assert m[0, 0] == 0 and m[1, 0] == pytest.approx(7.0, rel=1e-6)


@pytest.mark.parametrize(("n_points", "kind"), [(110, "lebedev"), (50, "lebedev"), (400, "fibonacci")])
def test_powder_grids_are_unit_vectors_with_unit_weight(n_points, kind):
    directions, weights = powder_grid(n_points, kind)
    assert directions.shape == (n_points, 3) and weights.sum() == pytest.approx(1.0)
    assert np.allclose(np.linalg.norm(directions, axis=1), 1.0)
    tolerance = 1e-12 if kind == "lebedev" else 1e-3
    assert weights @ directions[:, 2] ** 2 == pytest.approx(1 / 3, abs=tolerance)
    assert weights @ directions[:, 0] ** 4 == pytest.approx(1 / 5, abs=tolerance)


def test_powder_grid_rejects_unknown_sizes():
    with pytest.raises(AnalysisError, match="no Lebedev grid has 100 points"):
        powder_grid(100)
    with pytest.raises(AnalysisError, match="lebedev"):
        powder_grid(110, kind="gauss")


def test_free_spin_powder_magnetisation_is_the_brillouin_function():
    states = states_from_crystal_field("7/2", {}, g=2.0)
    fields, temperatures = np.linspace(-7, 7, 15), [2.0, 10.0, 300.0]
    expected = free_spin_magnetisation_mub(3.5, 2.0, fields, temperatures)
    assert np.allclose(powder_magnetisation_mub(states, fields, temperatures, n_points=26), expected, atol=1e-10)


def test_ising_doublet_powder_magnetisation_is_the_analytic_average():
    """A doublet with μ = ±μ0 along z only: M_powder = μ0 ∫₀¹ c tanh(μ0 μB B c / k T) dc."""
    moment = 6 * 1.480
    zeros = np.zeros((2, 2))
    states = MagneticStates(np.zeros(2), np.array([zeros, zeros, np.diag([6.0, -6.0])]),
                            np.array([zeros, zeros, np.diag([-moment, moment])]), kramers=False)
    fields, temperature = [0.5, 2.0, 7.0], 2.0
    powder = powder_magnetisation_mub(states, fields, [temperature], n_points=590)[:, 0]
    for field, value in zip(fields, powder):
        x = moment * MU_B_CM1_PER_T * field / (K_B_CM1_PER_K * temperature)
        # tanh(x c) with x up to 20 is steep near c = 0: the 590-point rule still errs by ~2e-4
        assert value == pytest.approx(moment * quad(lambda c, x=x: c * np.tanh(x * c), 0, 1)[0], rel=5e-4)
    along = magnetisation_mub(states, [7.0], [2.0], [[0, 0, 1], [1, 0, 0]])[:, 0, 0]
    assert along[0] == pytest.approx(moment, rel=1e-6) and along[1] == 0


def test_chi_t_follows_curie_for_a_free_spin_and_matches_m_over_b():
    free = states_from_crystal_field("7/2", {}, g=2.0)
    assert np.allclose(chi_t_cm3_k_mol(free, [1.0, 30.0, 300.0]), CURIE_CM3_K_PER_MOL / 3 * 4 * 3.5 * 4.5)
    assert CURIE_CM3_K_PER_MOL / 3 == pytest.approx(0.12505, rel=1e-4)
    states = states_from_crystal_field(6, TB3, g=[1.508, 1.508, 1.480])
    temperatures = [5.0, 50.0, 300.0]
    field = 0.01
    small_field = powder_magnetisation_mub(states, [field], temperatures)[0]
    assert np.allclose(chi_t_from_magnetisation_cm3_k_mol(small_field, field, temperatures),
                       chi_t_cm3_k_mol(states, temperatures), rtol=1e-3)
    axis = chi_t_cm3_k_mol(states, temperatures, direction=[0, 0, 1])
    plane = chi_t_cm3_k_mol(states, temperatures, direction=[1, 0, 0])
    assert np.allclose((axis + 2 * plane) / 3, chi_t_cm3_k_mol(states, temperatures))


def test_high_temperature_chi_t_of_a_multiplet_is_the_free_ion_value():
    states = states_from_crystal_field(6, TB3, g=1.5)
    assert chi_t_cm3_k_mol(states, [1e5])[0] == pytest.approx(CURIE_CM3_K_PER_MOL / 3 * 1.5**2 * 42, rel=1e-3)


def test_batched_diagonalisation_is_the_zeeman_hamiltonian_of_each_direction(monkeypatch):
    """A random 40-state spectrum: the batched eigh (split into batches of a few directions here) gives, per
    direction and field, the Boltzmann mean of ⟨n·μ⟩ over the eigenstates of diag(E) − μB B n·μ."""
    from adatom_wf.analysis import magnetism

    rng = np.random.default_rng(3)
    n = 40
    energies = np.sort(np.concatenate([rng.uniform(0, 300, 10), rng.uniform(1000, 5000, n - 10)]))
    moments = rng.normal(size=(3, n, n)) + 1j * rng.normal(size=(3, n, n))
    moments = (moments + moments.conj().transpose(0, 2, 1)) / 2
    states = MagneticStates(energies, np.zeros_like(moments), moments, kramers=False)
    fields, temperatures, directions = np.linspace(0, 7, 8), [2.0, 30.0, 300.0], [[0, 0, 1], [1, 1, 1], [1, -2, 0.5]]
    monkeypatch.setattr(magnetism, "BATCH_NUMBERS", 2 * fields.size * n * n)
    result = magnetisation_mub(states, fields, temperatures, directions)
    for d, direction in enumerate(directions):
        unit = np.array(direction) / np.linalg.norm(direction)
        along = np.einsum("a,aij->ij", unit, moments)
        for b, field in enumerate(fields):
            values, vectors = np.linalg.eigh(np.diag(energies - energies[0]) - MU_B_CM1_PER_T * field * along)
            projections = np.einsum("ia,ij,ja->a", vectors.conj(), along, vectors).real
            for t, temperature in enumerate(temperatures):
                weight = np.exp(-(values - values[0]) / (K_B_CM1_PER_K * temperature))
                assert result[d, b, t] == pytest.approx(weight @ projections / weight.sum(), abs=1e-10)


@pytest.mark.parametrize(("call", "words"), [
    (lambda s: powder_magnetisation_mub(s, [1.0], [0.0]), "temperature must be > 0"),
    (lambda s: powder_magnetisation_mub(s, [np.nan], [2.0]), "field must be finite"),
    (lambda s: magnetisation_mub(s, [1.0], [2.0], [[0, 0, 0]]), "non-zero"),
    (lambda s: chi_t_cm3_k_mol(s, [-3.0]), "temperature must be > 0"),
])
def test_non_physical_input_is_refused(call, words):
    with pytest.raises(AnalysisError, match=words):
        call(states_from_crystal_field(2, {}, g=2.0))


def _stevens_hamiltonian(spin, cf, g, field_vector_t):
    """H = Σ B_k^q O_k^q(S) + μB B·g·S written out for q = 0 and B_6^6 (the Table 2 terms), independently of
    analysis/stevens.py: O_2^0, O_4^0, O_6^0 from Sz and X = S(S+1), O_6^6 = (S+^6 + S−^6)/2."""
    m = np.arange(spin, -spin - 1, -1)
    x = spin * (spin + 1)
    sz = np.diag(m)
    raising = np.diag(np.sqrt(x - m[1:] * (m[1:] + 1)), 1)
    sx, sy = (raising + raising.T) / 2, (raising - raising.T) / 2j
    o = {(2, 0): 3 * sz**2 - x * np.eye(m.size),
         (4, 0): np.diag(35 * m**4 - (30 * x - 25) * m**2 + 3 * x**2 - 6 * x),
         (6, 0): np.diag(231 * m**6 - (315 * x - 735) * m**4 + (105 * x**2 - 525 * x + 294) * m**2
                         - 5 * x**3 + 40 * x**2 - 60 * x),
         (6, 6): (np.linalg.matrix_power(raising, 6) + np.linalg.matrix_power(raising.T, 6)) / 2}
    crystal_field = sum(b * o[kq] for kq, b in cf.items())
    zeeman = MU_B_CM1_PER_T * sum(f * gi * s for f, gi, s in zip(field_vector_t, g, (sx, sy, sz)))
    return crystal_field + zeeman, [-gi * s for gi, s in zip(g, (sx, sy, sz))]


def _exact_powder(spin, cf, g, field, temperatures, order=64):
    """Powder M at one field by explicit diagonalisation per direction, Gauss–Legendre (order) in cos θ over the
    upper hemisphere × order steps in φ (converged to < 1e-7 μB for these models at order 64)."""
    cos_theta, weights = np.polynomial.legendre.leggauss(order)
    cos_theta, weights = (cos_theta + 1) / 2, weights / 2
    total = np.zeros(len(temperatures))
    for c, w in zip(cos_theta, weights):
        for phi in 2 * np.pi * (np.arange(order) + 0.5) / order:
            unit = np.array([np.sqrt(1 - c**2) * np.cos(phi), np.sqrt(1 - c**2) * np.sin(phi), c])
            hamiltonian, moment = _stevens_hamiltonian(spin, cf, g, field * unit)
            values, vectors = np.linalg.eigh(hamiltonian)
            along = np.einsum("ia,ij,ja->a", vectors.conj(), sum(u * m for u, m in zip(unit, moment)), vectors).real
            for t, temperature in enumerate(temperatures):
                weight = np.exp(-(values - values[0]) / (K_B_CM1_PER_K * temperature))
                total[t] += w / order * (weight @ along) / weight.sum()
    return total


@pytest.mark.parametrize(("spin", "cf", "g", "expected"), [
    (6, TB3, (1.508, 1.508, 1.480), (4.6109, 4.4105)),  # issue 29: 4.61094 and 4.41052 by an independent check
    (4, TB1, (2.511, 2.511, 2.022), None),  # easy plane, singlet ground: M(θ) is smooth but not flat in θ
])
def test_adaptive_powder_average_bounds_its_error_against_exact_diagonalisation(spin, cf, g, expected):
    """Issue 29: the default powder M at 7 T (the clustered Zeeman treatment and the Lebedev grid were 1.5e-3 and
    2.9e-3 μB off for Tb3+ at 2 and 10 K while reporting 1.7e-3): now within 2e-4 μB of the paper's Tb3+ exact value,
    and the reported error bounds the real one."""
    from adatom_wf.analysis.magnetism import adaptive_powder_magnetisation_mub

    states = states_from_crystal_field(spin, cf, g=g)
    temperatures = [2.0, 10.0]
    value, convergence = adaptive_powder_magnetisation_mub(states, [7.0], temperatures)
    exact = _exact_powder(spin, cf, g, 7.0, temperatures)
    assert convergence.converged and convergence.kind == "gauss-legendre"
    assert np.abs(value[0] - exact).max() <= convergence.estimated_error_mub <= convergence.tolerance_mub
    if expected is not None:
        assert exact == pytest.approx(expected, abs=1e-4)
        assert value[0] == pytest.approx(expected, abs=2e-4)
    assert convergence.to_dict()["history"][0] == {"points": 64, "max_change_mub": None}


def test_single_directions_off_the_axis_are_exact():
    """Along single directions (here 55° from the axis, where the second-order clusters erred by ~5e-3 μB) the field
    diagonalisation is the Hamiltonian's own."""
    states = states_from_crystal_field(6, TB3, g=(1.508, 1.508, 1.480))
    theta = np.radians(55.0)
    unit = np.array([np.sin(theta) * np.cos(0.3), np.sin(theta) * np.sin(0.3), np.cos(theta)])
    result = magnetisation_mub(states, [1.0, 7.0], [2.0, 10.0], [unit])[0]
    for b, field in enumerate([1.0, 7.0]):
        hamiltonian, moment = _stevens_hamiltonian(6, TB3, (1.508, 1.508, 1.480), field * unit)
        values, vectors = np.linalg.eigh(hamiltonian)
        along = np.einsum("ia,ij,ja->a", vectors.conj(), sum(u * m for u, m in zip(unit, moment)), vectors).real
        for t, temperature in enumerate([2.0, 10.0]):
            weight = np.exp(-(values - values[0]) / (K_B_CM1_PER_K * temperature))
            assert result[b, t] == pytest.approx(weight @ along / weight.sum(), abs=1e-9)
