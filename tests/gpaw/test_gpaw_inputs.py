"""GPAW inputs of a site (adatom_wf.gpaw.inputs) and the study's dft.program / dft.gpaw checks."""

import json
from pathlib import Path

import pytest
import yaml

from adatom_wf.errors import SpecError
from adatom_wf.gpaw.inputs import gpaw_parameters, relax_settings, site_files
from adatom_wf.spec import load_study, parse_study

TINY = Path(__file__).with_name("tiny_gpaw.yaml")


def tiny(**gpaw) -> dict:
    data = yaml.safe_load(TINY.read_text())
    data["dft"]["gpaw"] = {**data["dft"]["gpaw"], **gpaw}
    return data


def test_the_preset_fills_what_the_study_leaves_out():
    parameters = gpaw_parameters(load_study(TINY))
    assert parameters["basis"] == "sz(dzp)" and parameters["grid_spacing_angstrom"] == 0.3  # the study's
    assert parameters["mode"] == "lcao" and parameters["smearing_ev"] == 0.1 and parameters["f_in_core"] is True


def test_f_in_core_is_the_papers_model_non_spin_polarised_with_the_generated_setup():
    settings = relax_settings(load_study(TINY), "hollow")
    calculator = settings["calculator"]
    assert calculator["setups"] == {"Tb": "4fcore"} and calculator["spinpol"] is False
    assert settings["setup_paths"] == ["../setups"] and settings["magnetic_moments"] == {}
    assert calculator["kpts"] == {"size": [1, 1, 1], "gamma": True}
    assert calculator["occupations"] == {"name": "fermi-dirac", "width": 0.1}
    assert settings["optimizer"] == {"name": "GuardedBFGS", "maxstep_angstrom": 0.2, "uphill_ev": 0.05,
                                     "fmax_ev_per_angstrom": 0.3,
                                     "max_steps": 4}


def test_4f_in_valence_is_spin_polarised_from_the_hund_moment_with_u_on_4f():
    study = parse_study(tiny(f_in_core=False, hubbard_u_ev=6.0))
    settings = relax_settings(study, "hollow")
    assert settings["calculator"]["spinpol"] is True
    assert settings["calculator"]["setups"] == {"Tb": ":f,6"}
    assert settings["magnetic_moments"] == {"Tb": 6.0}  # Tb3+ 4f8: 7F, 2S = 6
    assert settings["setup_paths"] == []


def test_plane_waves_take_the_cutoff():
    data = tiny(mode="pw", ecut_ev=450.0)
    del data["dft"]["gpaw"]["basis"]
    calculator = relax_settings(parse_study(data), "hollow")["calculator"]
    assert calculator["mode"] == {"name": "pw", "ecut": 450.0} and "basis" not in calculator


def test_the_same_study_gives_byte_identical_inputs():
    study = load_study(TINY)
    first, record = site_files(study, "hollow")
    second, _ = site_files(study, "hollow")
    assert first == second and sorted(first) == ["dft/hollow/POSCAR", "dft/hollow/gpaw.json"]
    assert json.loads(first["dft/hollow/gpaw.json"])["site"] == "hollow"
    assert record["program"] == "gpaw" and record["point_group"] == "C6v" and record["natoms"] == 19


@pytest.mark.parametrize("change, words", [
    ({"dft.program": "vasp"}, "dft.gpaw is set but dft.program is 'vasp'"),
    ({"dft.incar": {"ENCUT": 500}}, "dft.incar is VASP's but dft.program is 'gpaw'"),
    ({"dft.gpaw.hubbard_u_ev": 6.0}, "hubbard_u_ev acts on the 4f shell"),
    ({"dft.gpaw.mode": "pw"}, "dft.gpaw.basis is the LCAO basis but dft.gpaw.mode is 'pw'"),
    ({"dft.gpaw.basis": "tzp"}, "basis"),
    ({"dft.gpaw.grid_spacing_angstrom": 0.6}, "grid_spacing_angstrom"),
    ({"dft.gpaw.smearing": 0.1}, "unknown key 'smearing'"),
    ({"dft.gpaw.optimizer": "fire", "dft.gpaw.initial_hessian_ev_per_angstrom2": 30.0},
     "initial_hessian_ev_per_angstrom2 is the BFGS optimisers' starting Hessian but dft.gpaw.optimizer is 'fire'"),
    ({"dft.gpaw.optimizer": "lbfgs"}, "optimizer"),
    ({"dft.gpaw.maxstep_angstrom": 2.0}, "maxstep_angstrom"),
    ({"dft.program": "quantum-espresso"}, "program"),
    ({"adatom": "La"}, "La3+ has no 4f electron to keep in the core; set f_in_core: false"),
])
def test_a_study_never_silently_ignores_a_dft_setting(change, words):
    data = tiny()
    for dotted, value in change.items():
        *parents, last = dotted.split(".")
        node = data
        for key in parents:
            node = node[key]
        node[last] = value
    with pytest.raises(SpecError) as caught:
        parse_study(data)
    assert words in str(caught.value)


def test_validate_prints_and_returns_the_gpaw_settings(cli):
    done = cli("validate", TINY)
    assert done.returncode == 0, done.stderr
    assert "GPAW: LCAO sz(dzp), h 0.3 Å, k-points gamma [1, 1, 1], 4f in the core (generated setup)" in done.stdout
    data = json.loads(cli("validate", TINY, "--json").stdout)
    assert data["dft_program"] == "gpaw" and data["gpaw"]["fmax_ev_per_angstrom"] == 0.3
    assert data["potcars"] == {} and data["incar"] == {}


def test_the_bundled_gpaw_demo_validates(cli):
    done = cli("validate", "demo_gpaw")
    assert done.returncode == 0, done.stderr
    assert "GPAW: LCAO dzp" in done.stdout


def test_validate_estimates_a_relaxations_cost_from_the_measured_reference(cli, tmp_path):
    demo = json.loads(cli("validate", "demo_gpaw", "--json").stdout)["gpaw_cost"]
    # the reference itself: 4x4, 2x2 k, LCAO at h 0.2: 4.7 s per SCF iteration, ten per step, 30 steps
    assert demo["seconds_per_scf_iteration"] == 4.7 and demo["relaxation_hours"] == pytest.approx(0.39, abs=0.01)
    paper = tmp_path / "tb_graphene_gpaw.yaml"
    assert cli("init", "--adatom", "Tb", "--scale", "paper", "--dft-program", "gpaw", "-o", paper).returncode == 0
    done = cli("validate", paper)
    assert done.returncode == 0, done.stderr
    assert "GPAW: plane waves 400 eV" in done.stdout and "cost per site: ~" in done.stdout
    estimate = json.loads(cli("validate", paper, "--json").stdout)["gpaw_cost"]
    assert estimate["relaxation_hours"] > 10 * demo["relaxation_hours"]  # 129 atoms in plane waves
    assert 1.0 < estimate["memory_gb"] < 24.0
