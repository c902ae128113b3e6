"""The relaxation checks (adatom_wf.structure.relaxation_check): a step uphill, a buckled layer."""

import re
from pathlib import Path

import pytest

from adatom_wf.spec import load_study
from adatom_wf.structure.adatom_site import layer_buckling
from adatom_wf.structure.relaxation_check import BUCKLING_ANGSTROM, UPHILL_STEP_EV, check_relaxation
from adatom_wf.structure.sites import build_site
from adatom_wf.vasp.results import parse_vasp_run

FEO = Path(__file__).parents[1] / "fixtures" / "vasp" / "feo_relax_vasp535"


def test_a_relaxation_that_only_goes_down_is_not_flagged():
    check = check_relaxation([-1.0, -1.5, -1.7, -1.71], 0.1)
    assert check.flags == () and check.rise_step == 3 and check.largest_rise_ev == pytest.approx(-0.01)


def test_the_largest_rise_is_named_by_its_step_and_flagged_above_the_threshold():
    check = check_relaxation([-1.0, -1.2, -0.42, -1.3, -1.28], None)
    assert check.rise_step == 2 and check.largest_rise_ev == pytest.approx(0.78)
    (flag,) = check.flags
    assert flag.startswith("ionic step 2 raised the energy by 0.780 eV (more than 0.05 eV")
    assert check_relaxation([0.0, UPHILL_STEP_EV * 0.99], None).flags == ()


def test_a_start_structure_alone_has_no_step_to_judge():
    assert check_relaxation([-3.0], None) == check_relaxation([], None)
    assert check_relaxation([-3.0], None).largest_rise_ev is None


def test_buckling_is_the_layers_span_and_flagged_beyond_the_bound():
    structure = build_site(load_study("demo_gpaw"), "bridge")
    atoms = structure.atoms
    as_record = {"symbols": atoms.get_chemical_symbols(), "cell_angstrom": atoms.cell.array.tolist(),
                 "positions_angstrom": atoms.positions.tolist()}
    assert layer_buckling(as_record, "Tb") == pytest.approx(0.0, abs=1e-9)  # the flat start layer
    carbon = atoms.get_chemical_symbols().index("C")
    as_record["positions_angstrom"][carbon][2] += 0.3  # one carbon pulled 0.3 Å towards Tb
    assert layer_buckling(as_record, "Tb") == pytest.approx(0.3)
    (flag,) = check_relaxation([0.0, -0.1], 0.3).flags
    assert flag.startswith(f"the layer buckled by 0.30 Å (more than {BUCKLING_ANGSTROM:g} Å")
    assert layer_buckling({**as_record, "symbols": ["C"] * len(atoms)}, None) is None  # no adatom: no layer frame


def test_a_real_vasp_relaxation_gives_every_steps_free_energy_to_the_check():
    # custodian's FeO relaxation (IBRION 2): its conjugate-gradient trial steps rise by 33 and 35 meV
    text = (FEO / "vasprun.xml").read_text()
    calculations = re.findall(r"<calculation>.*?</calculation>", text, re.S)
    energies = [float(re.findall(r'<i name="e_fr_energy">\s*(\S+)', block)[-1]) for block in calculations]
    rises = [after - before for before, after in zip(energies, energies[1:])]
    record = parse_vasp_run(FEO)
    assert record["status"] == "ok" and record["ionic_steps"] == len(energies) == 28
    assert record["largest_energy_rise_ev"] == pytest.approx(max(rises), abs=1e-8)
    assert record["energy_rise_step"] == 1 + rises.index(max(rises)) == 9
    assert record["relaxation_flags"] == []  # below 0.05 eV
    assert record["layer_buckling_angstrom"] is None  # no lanthanide on a carbon layer
    assert check_relaxation(energies, None, uphill_ev=0.03).flags[0].startswith("ionic step 9 raised the energy")
