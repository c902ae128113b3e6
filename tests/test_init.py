"""``adatom-wf init``: every study it writes validates and renders; the Dy3+ numbers; the Tb paper reproduced."""

import subprocess
import sys

import pytest
import yaml
from conftest import WORKFLOWS, adatom_wf_command

from adatom_wf.errors import SpecError
from adatom_wf.lanthanides import f_count_trivalent, hund_term_f
from adatom_wf.molcas.node import load_cluster
from adatom_wf.molcas.render import render_integrals, render_study
from adatom_wf.new_study import CHARGES, OPEN_4F, parse_states, study_text
from adatom_wf.spec import load_study, load_study_text


@pytest.mark.parametrize("scale", ["demo", "paper"])
@pytest.mark.parametrize("adatom", OPEN_4F)
def test_every_study_init_writes_validates_and_renders(adatom, scale, tmp_path):
    text = study_text(adatom, CHARGES, scale=scale)
    study = load_study_text(text, source=f"init {adatom}")
    cluster = load_cluster(study, tmp_path, ideal_fallback=True)  # what the molcas verb renders from
    rendered = render_study(study, cluster.atoms, cluster_source=cluster.description)
    assert render_integrals(study, cluster.atoms).input_name == ("hollow3" if scale == "paper" else "hollow1") + \
        ".integrals.input"
    assert list(rendered) == [f"{adatom}3+", f"{adatom}2+", f"{adatom}1+", f"{adatom}0"]
    term = hund_term_f(f_count_trivalent(adatom))
    trivalent = rendered[f"{adatom}3+"].plan
    assert trivalent.multiplet_size == int(2 * term.total + 1) and trivalent.crystal_field_element == adatom
    for inputs in rendered.values():
        plan = inputs.plan
        assert plan.active_electrons == f_count_trivalent(adatom) + 3 - plan.charge
        assert plan.multiplet_size <= plan.so_states
        assert not plan.kramers or plan.multiplet_size % 2 == 0
        assert f"MLTP\n    1\n    {plan.multiplet_size}\n" in inputs.files[inputs.casscf_input]
    # every part of the file is a comment or data: the text of a study of each single state validates too
    for charge in CHARGES:
        assert list(load_study_text(study_text(adatom, [charge], scale=scale)).molcas.oxidation_states) == \
            [f"{adatom}{charge}+" if charge else f"{adatom}0"]


def test_tb_at_paper_scale_is_the_bundled_paper_study_but_for_the_tb1p_roots():
    written = load_study_text(study_text("Tb", CHARGES, scale="paper")).model_dump()
    paper = load_study(WORKFLOWS / "tb_graphene.yaml").model_dump()
    for study in (written, paper):
        study.pop("description")
        study["molcas"]["oxidation_states"]["Tb1+"].pop("spin_states")
    assert written == paper
    assert "paper took 14 roots for Tb1+" in study_text("Tb", [1], scale="paper")


def test_init_piped_into_validate_and_the_dy3p_inputs(tmp_path):
    init = adatom_wf_command() + ["init", "--adatom", "Dy", "--states", "3+"]
    validate = adatom_wf_command() + ["validate", "-"]
    written = subprocess.run(init, capture_output=True, text=True, cwd=tmp_path, check=True).stdout
    checked = subprocess.run(validate, input=written, capture_output=True, text=True, cwd=tmp_path)
    assert checked.returncode == 0, checked.stderr
    assert "Dy3+: charge +3, CAS(9,7), 2S+1=6 x 21 roots, multiplet of 16" in checked.stdout
    study = tmp_path / "dy.yaml"
    assert subprocess.run(init + ["-o", study], capture_output=True, text=True, cwd=tmp_path).returncode == 0
    again = subprocess.run(init + ["-o", study], capture_output=True, text=True, cwd=tmp_path)
    assert again.returncode == 2 and "never overwrites" in again.stderr
    molcas = subprocess.run(adatom_wf_command() + ["molcas", study, "--runs-dir", "runs"], capture_output=True,
                            text=True, cwd=tmp_path)
    assert molcas.returncode == 0, molcas.stderr
    text = (tmp_path / "runs/demo_dy_benzene/molcas/Dy3+/Dy3p.casscf.input").read_text()
    assert "CAS(9,7) over 4f" in text and "Spin = 6\n" in text and "CIRoot = 21 21 1\n" in text
    assert "21 roots of 21 CSFs" in text and "MLTP\n    1\n    16\n" in text and "CRYS\n    Dy\n" in text


@pytest.mark.parametrize(("args", "words"), [
    (["--adatom", "Lu"], ["Lu3+", "closed 4f shell", "Ce, Pr"]),
    (["--adatom", "Fe"], ["'Fe' is not a lanthanide"]),
    (["--adatom", "Dy", "--states", "3+,4+"], ["'4+'", "allowed: 3+, 2+, 1+, 0"]),
    (["--adatom", "Dy", "--scale", "huge"], ["huge", "demo", "paper"]),
])
def test_bad_init_arguments_give_one_line(args, words, tmp_path):
    result = subprocess.run(adatom_wf_command() + ["init", *args], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr and not result.stdout
    for word in words:
        assert word in result.stderr, (word, result.stderr)


def test_states_accept_bare_and_full_labels():
    assert parse_states("Dy", "3+, Dy2+,0") == [3, 2, 0]
    with pytest.raises(SpecError, match="given twice"):
        parse_states("Dy", "3+,Dy3+")
    assert yaml.safe_load(study_text("Er", [3]))["molcas"]["oxidation_states"]["Er3+"]["multiplet_size"] == 16


def test_init_and_validate_from_stdin_import_no_heavy_package():
    probe = (
        "import io, sys, contextlib\n"
        "from adatom_wf.cli import main\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        "    try:\n"
        "        main(['init', '--adatom', 'Ho'])\n"
        "    except SystemExit as exit:\n"
        "        assert exit.code == 0, exit.code\n"
        "heavy = [m for m in ('ase', 'pymatgen', 'h5py', 'numpy', 'matplotlib') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
        "assert 'name: demo_ho_benzene' in out.getvalue()\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("scale, mode", [("paper", "pw"), ("demo", "lcao")])
def test_init_for_gpaw_writes_plane_waves_at_paper_scale_and_lcao_at_demo_scale(scale, mode):
    study = load_study_text(study_text("Tb", [3], scale=scale, dft_program="gpaw"))
    assert study.dft.program == "gpaw" and study.dft.gpaw.mode == mode and study.dft.incar == {}
    if mode == "pw":  # the measured cutoff, and the 4x4 cell's converged k density in the 8x8 cell
        assert study.dft.gpaw.ecut_ev == 400 and list(study.dft.kpoints.grid) == [2, 2, 1]
        assert study.dft.gpaw.fmax_ev_per_angstrom == 0.01
    vasp = load_study_text(study_text("Tb", [3], scale=scale)).model_dump()
    gpaw = study.model_dump()
    for data in (vasp, gpaw):  # everything but the DFT program's own section is the same study
        data.pop("dft")
    assert gpaw == vasp
