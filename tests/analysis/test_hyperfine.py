"""Electron–nuclear levels: A_J J·I + P[I_n² − I(I+1)/3] + nuclear Zeeman in the product space (issue 16)."""

import json

import numpy as np
import pytest
from stored_tb3 import tb3_store
from table2_tb3 import CF, TB3, run

from adatom_wf.analysis.hyperfine import Nucleus, analyse_hyperfine, spin_system
from adatom_wf.analysis.spectrum import analyse_spectrum, states_from_crystal_field
from adatom_wf.analysis.units import MU_N_CM1_PER_T
from adatom_wf.errors import AnalysisError

G = (1.508, 1.508, 1.480)
A, P = 0.0173, 0.010  # 159Tb in Tb3+ (Ishikawa et al. 2005)


@pytest.fixture(scope="module")
def tb3():
    states = states_from_crystal_field(6, CF, g=G)
    return states, analyse_spectrum(states)


def test_the_issue_command_gives_52_levels_and_four_hyperfine_doublets_6_a_apart(capsys):
    """|±6, m_I⟩ at ±6 A m_I to first order: four Kramers doublets (J + I = 15/2), 6 A = 0.1038 cm⁻¹ apart; the
    second-order coupling to ±5 (A² J/163 cm⁻¹ ~ 1e-5) bounds the tolerance."""
    code, out, _ = run(capsys, "spectrum", *TB3, "--nuclear-spin", "3/2", "--hyperfine-a-cm1", A, "--json")
    assert code == 0
    data = json.loads(out)
    hyperfine = data["hyperfine"]
    assert len(hyperfine["levels_cm1"]) == 52 and len(data["levels_cm1"]) == 13 and hyperfine["kramers"] is True
    ground = hyperfine["electronic_groups"][0]
    assert ground["degeneracies"] == [2, 2, 2, 2]
    energies = [hyperfine["sublevels"][k]["energy_cm1"] for k in ground["sublevels"]]
    assert np.diff(energies) == pytest.approx([6 * A] * 3, abs=3e-5)
    lowest = hyperfine["sublevels"][ground["sublevels"][0]]
    assert sorted(zip(np.round(lowest["jz"]), np.round(lowest["iz"], 1))) == [(-6, 1.5), (6, -1.5)]
    assert hyperfine["sources"]["a_j_cm1"] == "command line" and hyperfine["p_cm1"] == 0


def test_a_zero_recovers_the_electronic_spectrum_times_2i_plus_1(tb3):
    states, analysis = tb3
    for spin in ("1/2", "1", "7/2"):
        spectrum = analyse_hyperfine(spin_system(states, Nucleus(spin, 0.0), analysis.main_axis), analysis.groups)
        multiplicity = int(2 * float(Nucleus(spin).spin) + 1)
        assert spectrum.levels_cm1 == pytest.approx(np.repeat(analysis.levels_cm1, multiplicity), abs=1e-9)


def test_quadrupole_shifts_the_outer_pair_up_and_the_inner_pair_down_by_p(tb3):
    """P[I_z² − 5/4] is +P for |m_I| = 3/2 and −P for 1/2: the doublets sit at −9A+P, −3A−P, 3A−P, 9A+P."""
    states, analysis = tb3
    spectrum = analyse_hyperfine(spin_system(states, Nucleus("3/2", A, P), analysis.main_axis), analysis.groups)
    ground = spectrum.electronic_groups[0]
    energies = np.array([spectrum.sublevels[k]["energy_cm1"] for k in ground["sublevels"]])
    expected = np.array([-9 * A + P, -3 * A - P, 3 * A - P, 9 * A + P])
    assert energies == pytest.approx(expected - expected[0], abs=3e-5)


def test_kramers_parity_of_the_product_and_the_nuclear_zeeman_term(tb3):
    """An integer I keeps Tb3+ non-Kramers; without coupling (A = 0) the field energies add: electronic levels in
    B plus −g_N μN B m_I."""
    states, analysis = tb3
    assert spin_system(states, Nucleus(1, A), analysis.main_axis).kramers is False
    g_n, field = 1.3427, np.array([0.0, 0.0, 2.0])
    system = spin_system(states, Nucleus("3/2", 0.0, 0.0, g_n), analysis.main_axis)
    electronic = np.linalg.eigvalsh(spin_system(states).hamiltonian(field))
    nuclear = -g_n * MU_N_CM1_PER_T * field[2] * np.array([1.5, 0.5, -0.5, -1.5])
    expected = np.sort((electronic[:, None] + nuclear[None, :]).ravel())
    assert np.linalg.eigvalsh(system.hamiltonian(field)) == pytest.approx(expected, abs=1e-9)


def test_the_isotope_preset_and_a_real_stored_tb3_state(capsys, tmp_path):
    """The real Tb3+/benzene run: J = L + S of its 13 SO states; with 159Tb four doublets again."""
    store = tb3_store(tmp_path)
    code, out, _ = run(capsys, "spectrum", store, "--state", "Tb3+", "--isotope", "159Tb", "--json")
    assert code == 0
    hyperfine = json.loads(out)["hyperfine"]
    assert len(hyperfine["levels_cm1"]) == 52 and hyperfine["electronic_groups"][0]["degeneracies"] == [2] * 4
    assert hyperfine["a_j_cm1"] == A and hyperfine["p_cm1"] == P and hyperfine["g_n"] == pytest.approx(2.014 / 1.5)
    assert hyperfine["sources"]["a_j_cm1"] == "preset 159Tb (Tb3+)"
    code, out, _ = run(capsys, "spectrum", *TB3, "--isotope", "159Tb")
    assert code == 0 and "52 electron-nuclear levels" in out and "degeneracies [2, 2, 2, 2]" in out


@pytest.mark.parametrize("args, words", [
    (["--isotope", "999Xx"], "not in presets/isotopes.yaml"),
    (["--isotope", "159Tb", "--nuclear-spin", "5/2"], "contradicts 159Tb"),
    (["--nuclear-spin", "3/2"], "--hyperfine-a-cm1 is required"),
    (["--isotope", "163Dy"], "163Dy has no a_j_cm1"),
    (["--hyperfine-a-cm1", "0.01"], "needs a nucleus"),
    (["--nuclear-spin", "1/2", "--hyperfine-a-cm1", "0.01", "--quadrupole-p-cm1", "0.01"], "I >= 1"),
    (["--nuclear-spin", "3/2", "--hyperfine-a-cm1", "0.01", "--field-t", "0,0,1"], "adatom-wf zeeman"),
])
def test_bad_nuclear_options_give_one_line(capsys, args, words):
    code, _, err = run(capsys, "spectrum", *TB3, *args)
    assert code == 2 and words in err and len(err.strip().splitlines()) == 1


def test_a_preset_for_another_element_or_ion_is_refused_on_a_store(capsys, tmp_path):
    store = tb3_store(tmp_path)
    code, _, err = run(capsys, "spectrum", store, "--state", "Tb3+", "--isotope", "165Ho")
    assert code == 2 and "a Ho nucleus, but the state is Tb3+" in err


def test_nucleus_checks_its_numbers():
    with pytest.raises(AnalysisError, match="A_J"):
        Nucleus("3/2", float("nan"))
    with pytest.raises(AnalysisError, match="nuclear spin"):
        Nucleus("1/3", 0.1)
