"""Stern–Gerlach deflection: the kinematics, atom-like and superparamagnetic profiles, and the inverse."""

import numpy as np
import pytest

from adatom_wf.analysis.deflection import (
    SternGerlachMagnet,
    atom_like_projections_mub,
    deflection_profile,
    deflection_regime,
    effusive_velocities,
    gaussian_velocities,
    mean_deflection_m,
    moment_from_mean_deflection_mub,
    projection_from_mean_deflection_mub,
    superparamagnetic_projection_mub,
)
from adatom_wf.analysis.units import AMU_KG, K_B_J_PER_K, MU_B_J_PER_T
from adatom_wf.errors import AnalysisError

MAGNET = SternGerlachMagnet(field_t=2.4, gradient_t_per_m=650.0, magnet_length_m=0.05, drift_length_m=1.0)
V11_AMU = 11 * 50.9415


def test_deflection_of_one_bohr_magneton_by_hand():
    """F = μB ∂B/∂z; d = (F/m)[L1²/2 + L1 L2]/v²; V11 at 500 m/s: about 1.3 mm per μB."""
    expected = MU_B_J_PER_T * 650 / (V11_AMU * AMU_KG) * (0.05**2 / 2 + 0.05 * 1.0) / 500**2
    assert MAGNET.deflection_per_mub_m(V11_AMU, 500.0) == pytest.approx(expected)
    assert 1.2e-3 < expected < 1.4e-3
    assert MAGNET.flight_time_s(500.0) == pytest.approx(1e-4)  # the second paper's ~0.1 ms


def test_atom_like_profile_has_two_symmetric_peaks_at_plus_minus_g_j():
    projections, populations = atom_like_projections_mub(0.5, 2.0)
    assert projections.tolist() == [-1.0, 1.0] and populations.tolist() == [0.5, 0.5]
    velocities = gaussian_velocities(500.0, 30.0)
    positions = np.linspace(-4e-3, 4e-3, 801)
    profile = deflection_profile(MAGNET, V11_AMU, velocities, projections, populations, positions, 0.25e-3)
    assert profile.sum() * (positions[1] - positions[0]) == pytest.approx(1.0, rel=1e-6)
    assert np.allclose(profile, profile[::-1])
    peak = abs(positions[np.argmax(profile)])
    assert peak == pytest.approx(mean_deflection_m(MAGNET, V11_AMU, velocities, 1.0), rel=0.02)
    mj, _ = atom_like_projections_mub(1.5, 2.0, "mj")
    assert mj.tolist() == [-3.0, -1.0, 1.0, 3.0]


def test_superparamagnetic_mean_follows_brillouin_and_inverts():
    """Small moments at 25 K are in the Curie regime: <μ_z> ≈ μ² B (J+1)/(3 J k T)."""
    velocities = gaussian_velocities(500.0, 30.0)
    projection = superparamagnetic_projection_mub(2.5, 2.0, 2.4, 25.0)
    curie = 25.0 * MU_B_J_PER_T * 2.4 * 3.5 / (3 * 2.5 * K_B_J_PER_K * 25.0)
    assert projection == pytest.approx(curie, rel=0.05) and projection < curie
    mean = mean_deflection_m(MAGNET, V11_AMU, velocities, projection)
    assert projection_from_mean_deflection_mub(MAGNET, V11_AMU, velocities, mean) == pytest.approx(projection)
    assert moment_from_mean_deflection_mub(MAGNET, V11_AMU, velocities, mean, 2.5, 25.0) == pytest.approx(5.0)


def test_effusive_beam_has_the_flux_weighted_mean_velocity():
    """Flux ∝ v³ e^(−v²/v_p²): mean velocity 3√π/4 v_p."""
    velocities = effusive_velocities(300.0, 27.0)
    most_probable = np.sqrt(2 * K_B_J_PER_K * 300.0 / (27.0 * AMU_KG))
    assert velocities.mean_m_s == pytest.approx(3 * np.sqrt(np.pi) / 4 * most_probable, rel=1e-3)


def test_regime_compares_relaxation_with_flight_time():
    assert deflection_regime(1.0, 1e-4) == "atom-like"
    assert deflection_regime(1e-6, 1e-4) == "superparamagnetic"


@pytest.mark.parametrize(("call", "words"), [
    (lambda: SternGerlachMagnet(2.4, -650.0, 0.05, 1.0), "field gradient must be > 0"),
    (lambda: SternGerlachMagnet(2.4, 650.0, 0.0, 1.0), "magnet length must be > 0"),
    (lambda: SternGerlachMagnet(float("nan"), 650.0, 0.05, 1.0), "magnet field must be finite"),
    (lambda: superparamagnetic_projection_mub(2.5, 2.0, 2.4, 0.0), "beam temperature must be > 0"),
    (lambda: gaussian_velocities(500.0, 200.0), "too wide"),
    (lambda: atom_like_projections_mub(0.7, 2.0), "multiple of 1/2"),
    (lambda: moment_from_mean_deflection_mub(MAGNET, V11_AMU, gaussian_velocities(500.0), -1e-3, 2.5, 25.0),
     "towards the strong field"),
])
def test_non_physical_input_is_refused(call, words):
    with pytest.raises(AnalysisError, match=words):
        call()
