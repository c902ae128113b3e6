import pytest
from molcas_helpers import tb_benzene

from adatom_wf.errors import SpecError
from adatom_wf.lanthanides import default_oxidation_state
from adatom_wf.molcas.active_space import plan_state, safe_label
from adatom_wf.spec import load_study, parse_study

BASE = {"name": "x", "adatom": "Tb", "sites": {"hollow": {"height_angstrom": 2.28}}}
BASIS = {"Tb": "ANO-RCC-MB", "C": "ANO-RCC-MB", "H": "ANO-RCC-MB"}


def study_with(states, adatom="Tb", **molcas):
    return parse_study({**BASE, "adatom": adatom, "molcas": {"basis": {**BASIS, adatom: "ANO-RCC-MB"},
                                                              "oxidation_states": states, **molcas}})


@pytest.mark.parametrize(("label", "electrons", "inactive", "cas", "spins", "size", "crys"), [
    ("Tb3+", 104, 48, (8, 7), [(7, 7, 7)], 13, "Tb"),
    ("Tb2+", 105, 48, (9, 10), [(8, 21, 440), (6, 21, 4950)], 14, None),
    ("Tb1+", 106, 48, (10, 10), [(9, 14, 99), (7, 14, 1925), (5, 14, 12375)], 9, None),
    ("Tb0", 107, 48, (11, 10), [(10, 10, 10), (8, 21, 440), (6, 21, 4950), (4, 21, 19800)], 14, None),
])
def test_the_demo_states_on_benzene(label, electrons, inactive, cas, spins, size, crys):
    plan = plan_state(load_study("demo_tb_benzene"), label, tb_benzene().numbers)
    assert (plan.electrons, plan.inactive) == (electrons, inactive)
    assert (plan.active_electrons, plan.active_orbitals) == cas
    assert [(s.multiplicity, s.roots, s.csfs) for s in plan.spins] == spins
    assert (plan.multiplet_size, plan.crystal_field_element) == (size, crys)
    assert plan.kramers == (electrons % 2 == 1)


def test_paper_cluster_electron_count():
    from ase import Atoms

    atoms = Atoms("Tb" + "C" * 54 + "H" * 18)
    study = load_study("tb_graphene")
    assert [plan_state(study, label, atoms.numbers).inactive for label in ("Tb3+", "Tb2+", "Tb1+", "Tb0")] == [198] * 4
    assert plan_state(study, "Tb2+", atoms.numbers).so_states == 8 * 21 + 6 * 21


def test_safe_labels():
    assert [safe_label(x) for x in ("Tb3+", "Tb0", "Tb1-")] == ["Tb3p", "Tb0", "Tb1m"]


def test_a_charge_that_leaves_an_odd_inactive_count_is_refused():
    study = study_with({"Tb3+": {"charge": 2, "active_space": {"electrons": 8, "orbitals": 7},
                                 "spin_states": [{"multiplicity": 7, "roots": 7}], "multiplet_size": 13}})
    with pytest.raises(SpecError, match=r"105 electrons .* the 97 left .* is odd"):
        plan_state(study, "Tb3+", tb_benzene().numbers)


def test_an_undefined_oxidation_state_is_refused():
    with pytest.raises(SpecError, match=r"'Tb4\+' is not defined .* Tb3\+, Tb2\+, Tb1\+, Tb0"):
        plan_state(load_study("demo_tb_benzene"), "Tb4+", tb_benzene().numbers)


@pytest.mark.parametrize(("adatom", "label", "cas", "spins", "size"), [
    ("Dy", "Dy3+", (9, 7), [(6, 21)], 16),  # 6H15/2
    ("Er", "Er3+", (11, 7), [(4, 35)], 16),  # 4I15/2
    ("Ce", "Ce3+", (1, 7), [(2, 7)], 6),  # 2F5/2
    ("Yb", "Yb3+", (13, 7), [(2, 7)], 8),  # 2F7/2
    ("Gd", "Gd3+", (7, 7), [(8, 1)], 8),  # 8S7/2
])
def test_trivalent_defaults_are_the_hund_multiplet(adatom, label, cas, spins, size):
    study = study_with({label: {}}, adatom=adatom)
    state = study.molcas.oxidation_states[label]
    assert (state.active_space.electrons, state.active_space.orbitals) == cas
    assert [(s.multiplicity, s.roots) for s in state.spin_states] == spins
    assert state.multiplet_size == size and state.active_space.character == ["4f"]


def test_defaults_for_lower_charges_follow_the_paper_for_tb():
    for charge, mults in ((2, [8, 6]), (1, [9, 7, 5]), (0, [10, 8, 6, 4])):
        data = default_oxidation_state("Tb", charge)
        assert [s["multiplicity"] for s in data["spin_states"]] == mults
        assert data["active_space"]["orbitals"] == 10 and data["active_space"]["electrons"] == 8 + 3 - charge
        assert "multiplet_size" not in data
    assert [s["roots"] for s in default_oxidation_state("Tb", 2)["spin_states"]] == [21, 21]


def test_study_values_override_the_defaults():
    study = study_with({"Dy3+": {"spin_states": [{"multiplicity": 6, "roots": 10}]},
                        "Dy2+": {"multiplet_size": 16}}, adatom="Dy")
    assert study.molcas.oxidation_states["Dy3+"].spin_states[0].roots == 10
    assert study.molcas.oxidation_states["Dy3+"].multiplet_size == 16
    assert study.molcas.oxidation_states["Dy2+"].active_space.electrons == 10


@pytest.mark.parametrize(("states", "words"), [
    ({"Dy2+": {}}, ["Dy2+", "multiplet_size"]),
    ({"Dy5+": {}}, ["Dy5+", "no default", "charge +5"]),
    ({"Dy3+": {"active_space": {"electrons": 9, "orbitals": 10}}}, ["character", "7 orbitals", "10"]),
    ({"Dy3+": {"active_space": {"electrons": 9, "orbitals": 7, "character": ["4f", "5z"]}}}, ["unknown", "5z"]),
])
def test_bad_states_name_the_problem(states, words):
    with pytest.raises(SpecError) as error:
        study_with(states, adatom="Dy")
    for word in words:
        assert word in str(error.value), (word, str(error.value))


def test_min_character_is_checked():
    with pytest.raises(SpecError, match="min_character.*'5q'"):
        study_with({"Tb3+": {}}, min_character={"5q": 0.5})
    with pytest.raises(SpecError, match=r"min_character\['4f'\] = 1.5"):
        study_with({"Tb3+": {}}, min_character={"4f": 1.5})
    assert study_with({"Tb3+": {}}, min_character={"4f": 0.95}).molcas.min_character == {"4f": 0.95}


def test_degenerate_partners_are_measured_together():
    from adatom_wf.lanthanides import measured_slots

    slots = measured_slots(["4f", "6s/5d0", "5dxy", "5dx2-y2"])
    assert slots[:7] == [("4f", ("4f",))] * 7 and slots[7] == ("6s/5d0", ("6s/5d0",))
    assert slots[8:] == [("5dxy+5dx2-y2", ("5dxy", "5dx2-y2"))] * 2
    assert measured_slots(["5dxy", "5dxz"]) == [("5dxy", ("5dxy",)), ("5dxz", ("5dxz",))]
