"""Magnetisation and susceptibility: the Brillouin function, powder grids, the clustered (second-order) Zeeman
treatment against exact diagonalisation, and χT against the Curie law and against M/B."""

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
    zeeman_clusters,
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


@pytest.mark.parametrize(("spin", "cf"), [(6, TB3), (4, TB1)])
def test_clustered_zeeman_treatment_agrees_with_exact_diagonalisation(spin, cf):
    """Second order across clusters errs by at most ~1 % of the Zeeman coupling at 7 T (docs/analysis.md)."""
    states = states_from_crystal_field(spin, cf, g=[1.5, 1.5, 1.48])
    fields, temperatures = np.linspace(-7, 7, 15), [2.0, 10.0, 50.0, 300.0]
    directions, _ = powder_grid(26)
    exact = magnetisation_mub(states, fields, temperatures, directions, coupling_ratio=0)
    clustered = magnetisation_mub(states, fields, temperatures, directions)
    assert len(zeeman_clusters(states, 7.0)) > 1
    assert np.abs(clustered - exact).max() < 5e-3


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
        assert value == pytest.approx(moment * quad(lambda c: c * np.tanh(x * c), 0, 1)[0], rel=5e-4)
    along = magnetisation_mub(states, [7.0], [2.0], [[0, 0, 1], [1, 0, 0]])[:, 0, 0]
    assert along[0] == pytest.approx(moment, rel=1e-6) and along[1] == 0


def test_chi_t_follows_curie_for_a_free_spin_and_matches_m_over_b():
    free = states_from_crystal_field("7/2", {}, g=2.0)
    assert np.allclose(chi_t_cm3_k_mol(free, [1.0, 30.0, 300.0]), CURIE_CM3_K_PER_MOL / 3 * 4 * 3.5 * 4.5)
    assert CURIE_CM3_K_PER_MOL / 3 == pytest.approx(0.12505, rel=1e-4)
    states = states_from_crystal_field(6, TB3, g=[1.508, 1.508, 1.480])
    temperatures = [5.0, 50.0, 300.0]
    field = 0.01
    small_field = powder_magnetisation_mub(states, [field], temperatures, coupling_ratio=0)[0]
    assert np.allclose(chi_t_from_magnetisation_cm3_k_mol(small_field, field, temperatures),
                       chi_t_cm3_k_mol(states, temperatures), rtol=1e-3)
    axis = chi_t_cm3_k_mol(states, temperatures, direction=[0, 0, 1])
    plane = chi_t_cm3_k_mol(states, temperatures, direction=[1, 0, 0])
    assert np.allclose((axis + 2 * plane) / 3, chi_t_cm3_k_mol(states, temperatures))


def test_high_temperature_chi_t_of_a_multiplet_is_the_free_ion_value():
    states = states_from_crystal_field(6, TB3, g=1.5)
    assert chi_t_cm3_k_mol(states, [1e5])[0] == pytest.approx(CURIE_CM3_K_PER_MOL / 3 * 1.5**2 * 42, rel=1e-3)


def test_random_spectrum_clusters_agree_with_exact_diagonalisation():
    rng = np.random.default_rng(3)
    n = 40
    energies = np.sort(np.concatenate([rng.uniform(0, 300, 10), rng.uniform(1000, 5000, n - 10)]))
    moments = rng.normal(size=(3, n, n)) + 1j * rng.normal(size=(3, n, n))
    moments = (moments + moments.conj().transpose(0, 2, 1)) / 2
    states = MagneticStates(energies, np.zeros_like(moments), moments, kramers=False)
    fields, temperatures, directions = np.linspace(0, 7, 8), [2.0, 30.0, 300.0], [[0, 0, 1], [1, 1, 1]]
    exact = magnetisation_mub(states, fields, temperatures, directions, coupling_ratio=0)
    assert np.abs(magnetisation_mub(states, fields, temperatures, directions) - exact).max() < 1e-3


@pytest.mark.parametrize(("call", "words"), [
    (lambda s: powder_magnetisation_mub(s, [1.0], [0.0]), "temperature must be > 0"),
    (lambda s: powder_magnetisation_mub(s, [np.nan], [2.0]), "field must be finite"),
    (lambda s: magnetisation_mub(s, [1.0], [2.0], [[0, 0, 0]]), "non-zero"),
    (lambda s: chi_t_cm3_k_mol(s, [-3.0]), "temperature must be > 0"),
    (lambda s: magnetisation_mub(s, [1.0], [2.0], [[0, 0, 1]], coupling_ratio=-1), "coupling_ratio"),
])
def test_non_physical_input_is_refused(call, words):
    with pytest.raises(AnalysisError, match=words):
        call(states_from_crystal_field(2, {}, g=2.0))


def test_adaptive_powder_average_converges_an_ising_ion_to_its_tolerance():
    from adatom_wf.analysis.magnetism import adaptive_powder_magnetisation_mub

    states = states_from_crystal_field(6, TB3, g=[1.508, 1.508, 1.480])
    reference = powder_magnetisation_mub(states, [7.0], [2.0], n_points=5810)[0, 0]
    assert reference == pytest.approx(4.614, abs=1e-3)
    value, convergence = adaptive_powder_magnetisation_mub(states, [7.0], [2.0], tolerance_relative=5e-4)
    assert convergence.converged and convergence.n_points > 110
    assert abs(value[0, 0] - reference) <= convergence.estimated_error_mub <= convergence.tolerance_mub
    assert convergence.to_dict()["history"][0] == {"points": 110, "max_change_mub": None}
