"""Zeeman diagrams: levels vs field or angle, crossings and avoided-crossing gaps (issue 16)."""

import json

import numpy as np
import pytest
from stored_tb3 import tb3_store
from table2_tb3 import CF, TB3, run

from adatom_wf.analysis.hyperfine import Nucleus, spin_system
from adatom_wf.analysis.spectrum import analyse_spectrum, states_from_crystal_field
from adatom_wf.analysis.units import MU_B_CM1_PER_T
from adatom_wf.analysis.zeeman import zeeman_diagram
from adatom_wf.errors import AnalysisError


def test_spin_one_with_e_has_an_avoided_crossing_2e_and_a_true_crossing_where_the_analysis_puts_them():
    """S = 1, B_2^0 = b, B_2^2 = E, field along z: |0⟩ at −2b, the ±1 pair at b ± √((gμB B)² + E²). They anticross at
    B = 0 with gap 2E; the lower branch meets |0⟩ (which no z field couples to ±1) at gμB B = √(9b² − E²)."""
    b, e, g = 1.0, 0.05, 2.0
    states = states_from_crystal_field(1, {(2, 0): b, (2, 2): e}, g=g)
    diagram = zeeman_diagram(spin_system(states), np.linspace(-5, 5, 201), direction=(0, 0, 1))
    avoided = [c for c in diagram.crossings if c["kind"] == "avoided"]
    crossed = [c for c in diagram.crossings if c["kind"] == "crossing"]
    # a smooth (quadratic) minimum is located to ~√eps of the gap's curvature scale only: 1e-6 T here
    assert len(avoided) == 1 and avoided[0]["field_t"] == pytest.approx(0, abs=1e-6)
    assert avoided[0]["gap_cm1"] == pytest.approx(2 * e, rel=1e-9)
    where = np.sqrt(9 * b**2 - e**2) / (g * MU_B_CM1_PER_T)
    assert sorted(c["field_t"] for c in crossed) == pytest.approx([-where, where], rel=1e-9)
    assert all(c["gap_cm1"] < 1e-9 for c in crossed)


def test_tb3_with_159tb_has_four_tunnelling_windows_at_a_m_over_g_mub_with_the_electronic_gap():
    """|+6, m⟩ and |−6, m⟩ meet where 12 g_z μB B/2 = 12 A m/2, i.e. B = A m / (g_z μB): ±0.0125 and ±0.0376 T.
    B_6^6 connects them (Δm_J = 12 = 2 × 6) with the ±6 tunnel gap; pairs with Δm_I ≠ 0 cross exactly, since the
    C6 crystal field and A J·I conserve (J_z + I_z) mod 6."""
    states = states_from_crystal_field(6, CF, g=(1.508, 1.508, 1.480))
    analysis = analyse_spectrum(states)
    system = spin_system(states, Nucleus("3/2", 0.0173, 0.010, 1.3427), analysis.main_axis)
    diagram = zeeman_diagram(system, np.linspace(-0.05, 0.05, 401), levels=8)
    avoided = [c for c in diagram.crossings if c["kind"] == "avoided"]
    gap = analysis.doublets[0].tunnel_splitting_cm1
    expected = sorted(0.0173 * m / (1.480 * MU_B_CM1_PER_T) for m in (-1.5, -0.5, 0.5, 1.5))
    # the nuclear Zeeman term (g_N μN B m_I) shifts each window by ~1e-4 relative
    assert [c["field_t"] for c in avoided] == pytest.approx(expected, rel=1e-3)
    assert [c["gap_cm1"] for c in avoided] == pytest.approx([gap] * 4, rel=1e-3)
    for c in avoided:
        (plus, minus) = c["states"]
        assert (round(plus["jz"]) == 6 and round(minus["jz"]) == -6
                and plus["iz"] == pytest.approx(minus["iz"], abs=1e-3))
    crossed = [c for c in diagram.crossings if c["kind"] == "crossing"]
    assert crossed and all(c["gap_cm1"] < 1e-9 for c in crossed)
    assert all(round(abs(c["states"][0]["iz"] - c["states"][1]["iz"])) != 0 for c in crossed if c["field_t"] != 0)


def test_an_angle_sweep_starts_where_the_field_sweep_is_and_turns_an_ising_doublet_off():
    """At 0° the angle sweep is the field along the axis; at 90° an Ising ±6 pair (g⊥ = 0) has no first-order
    Zeeman splitting left, so its gap falls back to the zero-field tunnel splitting."""
    states = states_from_crystal_field(6, CF, g=(1.508, 1.508, 1.480))
    system = spin_system(states)
    angles = zeeman_diagram(system, np.linspace(0, 90, 19), sweep="angle_deg", field_t=1.0, levels=2)
    fields = zeeman_diagram(system, [0.0, 0.5, 1.0], levels=2)
    assert angles.energies_cm1[0] == pytest.approx(fields.energies_cm1[-1], abs=1e-12)
    gap = analyse_spectrum(states).doublets[0].tunnel_splitting_cm1
    assert angles.energies_cm1[-1, 1] - angles.energies_cm1[-1, 0] == pytest.approx(gap, rel=1e-3)


def test_bad_sweeps_are_named():
    system = spin_system(states_from_crystal_field("1/2", {}))
    with pytest.raises(AnalysisError, match="increasing"):
        zeeman_diagram(system, [1, 0, 2])
    with pytest.raises(AnalysisError, match="field magnitude"):
        zeeman_diagram(system, [0, 10, 20], sweep="angle_deg")
    with pytest.raises(AnalysisError, match="between 2 and the 2 levels"):
        zeeman_diagram(system, [0, 1, 2], levels=5)


def test_zeeman_verb_json_text_and_figure(capsys, tmp_path):
    code, out, _ = run(capsys, "zeeman", *TB3, "--isotope", "159Tb", "--field-t", "-0.05:0.05:201", "--json")
    assert code == 0
    data = json.loads(out)
    assert len(data["avoided_crossings"]) == 4 and data["levels_tracked"] == 8 and data["sweep"] == "field_t"
    assert np.array(data["energies_cm1"]).shape == (201, 8) and data["nucleus"]["isotope"] == "159Tb"
    figure = tmp_path / "zeeman.png"
    code, out, _ = run(capsys, "zeeman", *TB3, "--isotope", "159Tb", "--field-t", "-0.05:0.05:201", "--plot", figure)
    assert code == 0 and "avoided crossings: 4" in out and "(21.16 MHz)" in out
    assert figure.read_bytes()[:4] == b"\x89PNG"


def test_zeeman_verb_on_a_real_stored_state(capsys, tmp_path):
    """The real Tb3+/benzene run: a field along its main axis splits the ±6 ground pair by g3 μB B (pseudospin-1/2
    g3 = 18.01 of the stored states; the pair's own 7.8e-6 cm⁻¹ adds in quadrature, below 1e-4 relative at 1 T)."""
    store = tb3_store(tmp_path)
    code, out, _ = run(capsys, "zeeman", store, "--state", "Tb3+", "--field-t", "0:1:11", "--json")
    assert code == 0
    data = json.loads(out)
    splitting = np.diff(np.array(data["energies_cm1"])[-1])[0]
    code, out, _ = run(capsys, "spectrum", store, "--state", "Tb3+", "--json")
    g3 = json.loads(out)["doublets"][0]["g_main"]
    assert splitting == pytest.approx(g3 * MU_B_CM1_PER_T * 1.0, rel=1e-4)
    code, out, _ = run(capsys, "zeeman", store, "--state", "Tb3+", "--field-t", "1", "--angle-deg", "0:180:37")
    assert code == 0 and "angle_deg 0..180 (37 points) at 1 T" in out


@pytest.mark.parametrize("args, words", [
    (["--angle-deg", "0:90:10"], "--angle-deg needs the field magnitude"),
    (["--towards", "1,0,0"], "--towards applies to an angle sweep"),
    (["--levels", "1"], "--levels"),
    (["--field-t", "0:1"], "start:stop:points"),
])
def test_bad_zeeman_options_give_one_line(capsys, args, words):
    code, _, err = run(capsys, "zeeman", *TB3, *args)
    assert code == 2 and words in err and len(err.strip().splitlines()) == 1
