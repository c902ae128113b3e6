"""The spectrum of Table 2's crystal-field parameters against the numbers quoted in the Tb-on-graphene paper.

Tolerances. Table 2 prints each B_k^q to 1e-6 cm^-1, so every parameter is uncertain by ±5e-7 (B_6^0 = 0.000021 of
Tb3+ has two significant figures). `rounding_interval` propagates that exactly: it recomputes a quantity at all 16
corners B ± 5e-7 and takes the range; for Tb3+ this moves E_ZFS by ±0.3 cm^-1, mostly through O_6^0, whose
eigenvalues spread over 7.4e5 for S = 6. The paper's values are rounded too (164 → ±0.5; "about 2" → ±0.5).
What remains is the model itself: the paper quotes the ab initio SO spectrum, which SINGLE_ANISO fits with ranks
k = 2…12, while Table 2 lists k <= 6 only. MODEL_ALLOWANCE_CM1 = 1 cm^-1 (0.2 % of E_MAB) covers that
truncation for level energies; a tunnel splitting gets no model allowance.
"""

import itertools

import numpy as np
import pytest

from adatom_wf.analysis.spectrum import analyse_spectrum, states_from_crystal_field
from adatom_wf.analysis.units import MU_B_CM1_PER_T

TABLE_2 = {  # B_2^0, B_4^0, B_6^0, B_6^6 in cm^-1, and (g1, g2, g3)
    "Tb3+": (6, (-5.375455, 0.000216, 0.000021, 0.000041), (1.508, 1.508, 1.480)),
    "Tb2+": ("13/2", (-3.940770, -0.005776, 0.000001, 0.000027), (1.503, 1.503, 1.435)),
    "Tb1+": (4, (6.071690, 0.022960, -0.000007, 0.000139), (2.511, 2.511, 2.022)),
    "Tb0": ("13/2", (7.641457, 0.004203, 0.000005, 0.000003), (1.872, 1.872, 1.668)),
}
INDICES = ((2, 0), (4, 0), (6, 0), (6, 6))
PARAMETER_ROUNDING_CM1 = 5e-7
MODEL_ALLOWANCE_CM1 = 1.0


def analyse(state, parameters=None):
    spin, values, g = TABLE_2[state]
    return analyse_spectrum(states_from_crystal_field(spin, dict(zip(INDICES, parameters or values)), g=g))


def rounding_interval(state, quantity):
    """(min, max) of quantity(analysis) over every ± rounding of the four published parameters."""
    values = np.array(TABLE_2[state][1])
    results = [quantity(analyse(state, list(values + PARAMETER_ROUNDING_CM1 * np.array(signs))))
               for signs in itertools.product((-1, 1), repeat=4)]
    return min(results), max(results)


def distance(interval, value):
    low, high = interval
    return max(low - value, value - high, 0.0)


def doublet_with_jz(analysis, jz):
    return next(d for d in analysis.doublets if abs(d.jz_abs - jz) < 0.05)


@pytest.fixture(scope="module")
def tb3():
    return analyse("Tb3+")


def test_tb3_ground_doublet_is_jz_6_with_the_c6_axis(tb3):
    ground = tb3.groups[0]
    assert ground.is_doublet and abs(ground.jz_abs - 6) < 1e-4
    assert np.allclose(tb3.main_axis, [0, 0, 1])
    assert abs(ground.g_main - 2 * 6 * 1.480) < 1e-3 and ground.g_transverse < 1e-6  # Ising: g_z = 2 J g3
    assert [round(g.jz_abs) for g in tb3.groups] == [6, 5, 4, 3, 2, 1, 0]
    assert not tb3.kramers


@pytest.mark.parametrize(("name", "quantity", "paper", "paper_rounding", "allowance"), [
    ("E_ZFS", lambda a: a.e_zfs_cm1, 164.0, 0.5, MODEL_ALLOWANCE_CM1),
    ("E_MAB", lambda a: a.e_mab_cm1, 569.0, 0.5, MODEL_ALLOWANCE_CM1),
    ("U_eff", lambda a: a.u_eff_cm1, 436.0, 0.5, MODEL_ALLOWANCE_CM1),
    ("splitting of |Jz| = 3", lambda a: doublet_with_jz(a, 3).tunnel_splitting_cm1, 2.0, 0.5, 0.0),
])
def test_tb3_numbers_agree_with_the_paper(tb3, name, quantity, paper, paper_rounding, allowance):
    interval = rounding_interval("Tb3+", quantity)
    assert interval[0] <= quantity(tb3) <= interval[1]
    assert distance(interval, paper) <= paper_rounding + allowance, (name, interval, paper)


def test_tb3_relaxes_through_the_third_excited_doublet_and_only_plus_minus_6_and_3_split(tb3):
    assert tb3.relaxation_path["group"] == 3 and abs(tb3.relaxation_path["jz_abs"] - 3) < 1e-6
    split = {round(jz): s for jz, _, s in tb3.kramers_check.split_doublets}
    assert set(split) == {6, 3}
    # "about 1e-4 cm^-1": B_12^12, absent from Table 2, couples +6 and -6 at first order, so only the order
    # of magnitude can be compared.
    assert 1e-4 <= split[6] < 1e-3


def test_tb1_has_a_jz_0_singlet_ground_state_and_the_first_doublet_about_5_cm1_above():
    tb1 = analyse("Tb1+")
    assert not tb1.groups[0].is_doublet and tb1.groups[0].jz_abs < 1e-6
    first = tb1.groups[1]
    assert first.is_doublet and abs(first.jz_abs - 1) < 1e-6
    interval = rounding_interval("Tb1+", lambda a: a.groups[1].energy_cm1)
    assert distance(interval, 5.0) <= 0.5 + MODEL_ALLOWANCE_CM1
    assert tb1.u_eff_cm1 == 0.0  # in-plane anisotropy: no barrier


def test_tb0_ground_doublet_is_jz_one_half_and_energy_rises_with_jz():
    tb0 = analyse("Tb0")
    assert tb0.kramers and not tb0.kramers_check.violations
    assert [d.jz_abs for d in tb0.doublets] == pytest.approx([0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5], abs=1e-3)
    assert np.all(np.diff([d.energy_cm1 for d in tb0.doublets]) > 0)
    # an easy-plane ground doublet: g_perp = g (J + 1/2) = 7 g1 > g_parallel = g3
    assert tb0.groups[0].g_principal == pytest.approx((1.668, 7 * 1.872, 7 * 1.872), rel=1e-4)
    assert tb0.u_eff_cm1 == 0.0


def test_tb2_model_relaxes_through_its_third_excited_doublet_like_the_paper():
    """The paper: transverse g of the three lowest Kramers doublets very small, of the third excited ≈ 0.7,
    U_eff = 440 cm^-1. The k <= 6 model of Table 2 gives the same path (g_perp 0.56, U_eff 436 cm^-1)."""
    tb2 = analyse("Tb2+")
    assert tb2.kramers and not tb2.kramers_check.violations
    assert [round(2 * d.jz_abs) for d in tb2.doublets[:4]] == [13, 11, 9, 7]
    assert all(d.g_transverse < 0.01 for d in tb2.doublets[:3]) and 0.3 < tb2.doublets[3].g_transverse < 1.0
    assert tb2.relaxation_path["group"] == 3
    assert abs(tb2.u_eff_cm1 - 440) < 0.01 * 440


def test_a_field_along_the_axis_splits_the_tb0_ground_kramers_doublet_by_g3_mub_b():
    spin, values, g = TABLE_2["Tb0"]
    states = states_from_crystal_field(spin, dict(zip(INDICES, values)), g=g, field_t=[0, 0, 1.0])
    analysis = analyse_spectrum(states)
    assert not analysis.kramers_check.checked  # time reversal is broken: no Kramers check
    assert analysis.groups[0].tunnel_splitting_cm1 == pytest.approx(g[2] * MU_B_CM1_PER_T, rel=1e-6)


def test_transition_moments_follow_single_aniso_by_default_and_the_norm_on_request():
    """SINGLE_ANISO prints (|μx| + |μy| + |μz|)/3; Tb3+ ⟨+6|μ|+5⟩ (states 0 and 2 of the barrier basis)."""
    spin, values, g = TABLE_2["Tb3+"]
    states = states_from_crystal_field(spin, dict(zip(INDICES, values)), g=g)
    default, norm = analyse_spectrum(states), analyse_spectrum(states, moment_convention="norm")
    plus6, plus5 = default.groups[0].state_indices[0], default.groups[1].state_indices[0]
    assert (default.barrier_jz[plus6] == pytest.approx(6, abs=1e-3)
            and default.barrier_jz[plus5] == pytest.approx(5, abs=1e-3))
    assert default.moment_convention == "single_aniso" and default.to_dict()["moment_convention"] == "single_aniso"
    assert default.transition_moments_mub[plus6, plus5] == pytest.approx(1.741, abs=5e-4)
    assert norm.transition_moments_mub[plus6, plus5] == pytest.approx(3.694, abs=5e-4)
    assert norm.to_dict()["moment_convention"] == "norm"
    # the diagonal: a pure |+6> carries μz = g_z·6 = 8.88 μB, a third of it in SINGLE_ANISO's convention
    assert default.transition_moments_mub[plus6, plus6] == pytest.approx(8.88 / 3, abs=1e-3)
    with pytest.raises(Exception, match="moment_convention must be one of"):
        analyse_spectrum(states, moment_convention="sum")


def test_a_pseudospin_above_one_half_needs_its_g():
    with pytest.raises(Exception, match="g tensor is required"):
        states_from_crystal_field("13/2", {(2, 0): -3.94077})
    assert analyse_spectrum(states_from_crystal_field("1/2", {})).doublets[0].g_main == pytest.approx(2.0)


def test_u_eff_reports_both_levels_of_the_relaxation_doublet_and_its_threshold_dependence():
    """Tb3+: the |Jz| = 3 doublet at 435.52 and 438.00 cm⁻¹; ±6 split by 7.06e-4 cm⁻¹, so a tunnel threshold of
    1e-4 cm⁻¹ gives U_eff = 0 while anything from 7.06e-4 to 2.48 cm⁻¹ gives 436.76."""
    analysis = analyse("Tb3+")
    low, high = analysis.relaxation_path["level_energies_cm1"]
    assert low == pytest.approx(435.52, abs=0.01) and high == pytest.approx(438.00, abs=0.01)
    dependence = analysis.to_dict()["u_eff_threshold_dependence"]
    assert dependence["threshold"] == "tunnel_splitting_cm1" and dependence["value"] == 0.01
    first, second, third = dependence["steps"]
    assert first["u_eff_cm1"] == 0 and first["up_to"] == pytest.approx(7.06e-4, abs=1e-5)
    assert second["u_eff_cm1"] == pytest.approx(436.76, abs=0.01) and second["up_to"] == pytest.approx(2.48, abs=0.01)
    assert third["up_to"] is None and third["u_eff_cm1"] == pytest.approx(analysis.e_mab_cm1)
    spin, values, g = TABLE_2["Tb3+"]
    states = states_from_crystal_field(spin, dict(zip(INDICES, values)), g=g)
    assert analyse_spectrum(states, tunnel_threshold_cm1=1e-4).u_eff_cm1 == 0
    assert analyse("Tb2+").u_eff_threshold_dependence["threshold"] == "transverse_g"
