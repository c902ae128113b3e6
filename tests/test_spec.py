import pytest
from conftest import WORKFLOWS

from adatom_wf.errors import SpecError
from adatom_wf.spec import load_study, parse_study


def test_paper_study_encodes_the_protocol():
    study = load_study(WORKFLOWS / "tb_graphene.yaml")
    assert study.adatom == "Tb"
    assert study.substrate.supercell == [8, 8]
    assert study.substrate.vacuum_angstrom == 15.0
    assert {k: v.height_angstrom for k, v in study.sites.items()} == {"hollow": 2.28, "top": 2.32, "bridge": 2.38}
    assert study.dft.incar["ENCUT"] == 500 and study.dft.incar["ENAUG"] == 645
    assert study.dft.incar["EDIFFG"] == -0.01 and study.dft.incar["ISPIN"] == 1
    assert study.potcar_symbols() == {"C": "C", "Tb": "Tb_3"}
    assert study.dft.kpoints.style == "gamma" and study.dft.kpoints.grid == [4, 4, 1]
    assert (study.cluster.rings, study.cluster.site, study.cluster.ch_bond_angstrom) == (3, "hollow", 1.09)
    assert study.molcas.basis == {"Tb": "ANO-RCC-VTZP", "C": "ANO-RCC-VDZP", "H": "ANO-RCC-VDZ"}
    table = {
        label: (
            study.charge(label),
            state.active_space.electrons,
            state.active_space.orbitals,
            [(s.multiplicity, s.roots) for s in state.spin_states],
            state.multiplet_size,
        )
        for label, state in study.molcas.oxidation_states.items()
    }
    assert table == {  # REFERENCE.md, "Per oxidation state"
        "Tb3+": (3, 8, 7, [(7, 7)], 13),
        "Tb2+": (2, 9, 10, [(8, 21), (6, 21)], 14),
        "Tb1+": (1, 10, 10, [(9, 14), (7, 14), (5, 14)], 9),
        "Tb0": (0, 11, 10, [(10, 7), (8, 7), (6, 7), (4, 7)], 14),
    }


def test_a_bundled_study_is_found_by_name_beside_a_folder_of_that_name(tmp_path, monkeypatch):
    (tmp_path / "demo_gpaw").mkdir()  # e.g. where a user keeps that study's runs
    monkeypatch.chdir(tmp_path)
    assert load_study("demo_gpaw").dft.program == "gpaw"


def test_demo_study_is_the_small_variant():
    study = load_study("demo_tb_benzene")  # a bundled study by name
    assert study.cluster.rings == 1 and study.cluster.geometry == "ideal"
    assert set(study.molcas.basis.values()) == {"ANO-RCC-MB"}
    assert list(study.molcas.oxidation_states) == ["Tb3+", "Tb2+", "Tb1+", "Tb0"]


def test_hash_ignores_comments_and_key_order():
    a = parse_study({"name": "x", "adatom": "Dy", "sites": {"hollow": {"height_angstrom": 2.3}}})
    b = parse_study({"sites": {"hollow": {"height_angstrom": 2.3}}, "adatom": "Dy", "name": "x"})
    c = parse_study({"name": "x", "adatom": "Dy", "sites": {"hollow": {"height_angstrom": 2.4}}})
    assert a.sha256() == b.sha256() != c.sha256()


BASE = {"name": "x", "adatom": "Tb", "sites": {"hollow": {"height_angstrom": 2.28}}}
STATE = {"active_space": {"electrons": 8, "orbitals": 7}, "spin_states": [{"multiplicity": 7, "roots": 7}],
         "multiplet_size": 13}


def molcas(**state):
    return {**BASE, "molcas": {"basis": {"Tb": "ANO-RCC-MB", "C": "ANO-RCC-MB", "H": "ANO-RCC-MB"},
                               "oxidation_states": {"Tb3+": {**STATE, **state}}}}


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({**BASE, "colour": "red"}, ["colour", "allowed keys", "adatom", "sites"]),
        ({**BASE, "substrate": {"supercel": [8, 8]}}, ["substrate", "supercel", "supercell"]),
        ({**BASE, "adatom": "Xx"}, ["adatom", "Xx", "unknown element"]),
        ({**BASE, "adatom": "Fe"}, ["adatom", "Fe", "not a lanthanide", "Tb"]),
        ({**BASE, "sites": {"centre": {"height_angstrom": 2.0}}}, ["sites", "centre", "hollow", "top", "bridge"]),
        ({**BASE, "sites": {"hollow": {"height_angstrom": -1.0}}}, ["height_angstrom", "-1.0", "1"]),
        ({**BASE, "sites": {"hollow": {"height_angstrom": 40.0}}}, ["height_angstrom", "40.0", "5"]),
        ({**BASE, "sites": {"hollow": {"height_angstrom": "high"}}}, ["height_angstrom", "high"]),
        ({**BASE, "substrate": {"vacuum_angstrom": 500.0}}, ["vacuum_angstrom", "500.0", "60"]),
        ({**BASE, "name": "../../etc"}, ["name", "../../etc", "runs/<name>"]),
        ({**BASE, "name": "a/b"}, ["name", "a/b"]),
        ({**BASE, "cluster": {"site": "top"}}, ["cluster.site", "top"]),
        ({**BASE, "dft": {"incar": {"encut": 500}}}, ["encut", "upper-case"]),
        (molcas(active_space={"electrons": 16, "orbitals": 7}), ["16 electrons in 7 orbitals", "at most 14"]),
        (molcas(spin_states=[{"multiplicity": 6, "roots": 7}]), ["multiplicity 6", "8 active electrons"]),
        (molcas(spin_states=[{"multiplicity": 7, "roots": 8}]), ["8 roots", "only 7 CSFs"]),
        (molcas(multiplet_size=50), ["multiplet_size 50", "49 spin-orbit states"]),
        (molcas(active_space={"electrons": 9, "orbitals": 10}, spin_states=[{"multiplicity": 8, "roots": 2}],
                multiplet_size=13), ["Kramers", "even"]),
        # what building and carving would refuse (adatom_wf.structure), said at validation
        ({**BASE, "substrate": {"supercell": [1, 1]}}, ["supercell 1x1", "2.47 Å", "use at least 5x5"]),
        ({**BASE, "substrate": {"supercell": [3, 3]}}, ["supercell 3x3", "7.40 Å", "use at least 5x5"]),
        ({**BASE, "substrate": {"supercell": [8, 6]}}, ["supercell [8, 6]", "N x N", "use [8, 8]"]),
        ({**BASE, "substrate": {"vacuum_angstrom": 10.0}}, ["vacuum_angstrom 10", "7.72 Å", ">= 12.28"]),
        ({**BASE, "substrate": {"supercell": [5, 5]}, "cluster": {"rings": 3}},
         ["cluster.rings 3", "5x5", "at most 2 fit"]),
        ({**BASE, "substrate": {"supercell": [5, 5]}, "sites": {"top": {"height_angstrom": 2.3}},
          "cluster": {"site": "top", "rings": 3}}, ["cluster.rings 3", "top site", "at most 1 fit"]),
        ({**BASE, "substrate": {"vacuum_angstrom": 9.0, "min_image_distance_angstrom": 4.0},
          "sites": {"hollow": {"height_angstrom": 4.5}}}, ["twice the hollow height 4.5 Å", "halfway"]),
        # INCAR tags and values against pymatgen's table
        ({**BASE, "dft": {"incar": {"ENCUT": "abc"}}}, ["INCAR ENCUT = 'abc'", "expected float"]),
        ({**BASE, "dft": {"incar": {"ENCUTT": 500}}}, ["'ENCUTT' is not a VASP tag", "did you mean ENCUT?"]),
        ({**BASE, "dft": {"incar": {"ISPIN": 3}}}, ["INCAR ISPIN = 3", "one of 1, 2"]),
        ({**BASE, "dft": {"incar": {"NSW": 2.5}}}, ["INCAR NSW = 2.5", "expected int"]),
        ({**BASE, "dft": {"incar": {"LWAVE": 1}}}, ["INCAR LWAVE = 1", "expected bool"]),
        ({**BASE, "dft": {"incar": {"EDIFF": float("nan")}}}, ["INCAR EDIFF = nan", "finite"]),
        ({**BASE, "dft": {"incar": {"PREC": "Sloppy"}}}, ["PREC = 'Sloppy'", "Accurate"]),
        ({**BASE, "dft": {"incar": {"MAGMOM": "2*1.0 x"}}}, ["MAGMOM", "numbers such as"]),
        # oxidation states a lanthanide cannot take
        ({**molcas(), "molcas": {**molcas()["molcas"], "oxidation_states": {"Tb9+": STATE}}},
         ["'Tb9+'", "Tb0 to Tb4+", "+9"]),
        ({**molcas(), "molcas": {**molcas()["molcas"], "oxidation_states": {"Tb1-": STATE}}}, ["'Tb1-'", "-1"]),
    ],
)
def test_bad_studies_are_refused_with_the_field_value_and_what_is_allowed(data, words):
    with pytest.raises(SpecError) as error:
        parse_study(data, source="s.yaml")
    message = str(error.value)
    assert "\n" not in message and message.startswith("s.yaml: ")
    for word in words:
        assert word in message, (word, message)


def test_oxidation_state_of_another_element_is_refused():
    data = molcas()
    data["molcas"]["oxidation_states"] = {"Dy3+": data["molcas"]["oxidation_states"]["Tb3+"]}
    with pytest.raises(SpecError, match="Dy3\\+.*Tb3\\+"):
        parse_study(data)


def test_missing_basis_for_an_element_is_refused():
    data = molcas()
    del data["molcas"]["basis"]["H"]
    with pytest.raises(SpecError, match="no basis for H"):
        parse_study(data)


def test_missing_and_malformed_files(tmp_path):
    with pytest.raises(SpecError, match="not found.*bundled studies: demo_gpaw, demo_tb_benzene"):
        load_study(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\n")
    with pytest.raises(SpecError, match="bad.yaml: line .* not valid YAML"):
        load_study(bad)
    bad.write_text("# only a comment\n")
    with pytest.raises(SpecError, match="bad.yaml: the study file is empty"):
        load_study(bad)
    bad.write_text("- a list\n")
    with pytest.raises(SpecError, match="mapping"):
        load_study(bad)


def test_incar_values_vasp_accepts_pass():
    study = parse_study({**BASE, "dft": {"incar": {"ENCUT": 500, "EDIFF": 1e-6, "PREC": "accurate", "LREAL": "Auto",
                                                   "LWAVE": False, "ALGO": "Fast", "MAGMOM": "2*1.0 3*0",
                                                   "ISPIN": 2}}})
    assert study.dft.incar["PREC"] == "accurate"  # VASP reads tags without case; the value is written as given


@pytest.mark.parametrize("site", ["hollow", "top", "bridge"])
def test_the_ring_rule_of_validation_is_the_carvers(site):
    """facts.max_cluster_rings against the real carving of the ideal N×N cell: the most rings fit, one more not."""
    from adatom_wf.errors import StructureError
    from adatom_wf.facts import max_cluster_rings
    from adatom_wf.structure.cluster import carve
    from adatom_wf.structure.sites import build_site

    for n in (4, 5, 6, 7):
        study = parse_study({**BASE, "substrate": {"supercell": [n, n], "min_image_distance_angstrom": 3.0},
                             "sites": {site: {"height_angstrom": 2.3}}, "cluster": {"site": site, "rings": 1}})
        atoms = build_site(study, site).atoms
        most = max_cluster_rings(site, n)
        assert carve(atoms, adatom="Tb", site=site, rings=most).atoms is not None
        with pytest.raises(StructureError, match="do not fit"):
            carve(atoms, adatom="Tb", site=site, rings=most + 1)


def test_a_key_added_later_leaves_the_hash_of_a_study_that_does_not_set_it():
    """molcas.rasscf (issue 30) at its default keeps a study's hash (a run folder of that study stays usable);
    set, it changes the hash as any key does."""
    from adatom_wf.spec import load_study_text, resolve_study_path

    text = resolve_study_path("demo_tb_benzene").read_text()
    plain = load_study_text(text)
    default = load_study_text(text.replace("  cholesky: true", "  cholesky: true\n  rasscf: {iterations: 200}"))
    changed = load_study_text(text.replace("  cholesky: true", "  cholesky: true\n  rasscf: {iterations: 50}"))
    assert plain.sha256() == default.sha256() != changed.sha256()
    assert "rasscf" not in plain.canonical_json() and '"rasscf"' in changed.canonical_json()
