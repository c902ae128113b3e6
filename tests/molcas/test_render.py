"""Rendered OpenMolcas inputs: golden files of the paper's study (the shared integrals and all four states),
and what they must hold.

Regenerate the golden files after an intended change with
``ADATOM_WF_UPDATE_GOLDEN=1 pytest tests/molcas/test_render.py`` and review the diff.
"""

import os
import re
from pathlib import Path

import jinja2
import pytest
from molcas_helpers import tb_benzene

from adatom_wf.molcas.node import load_cluster
from adatom_wf.molcas.render import render_integrals, render_state, render_study, seward_count
from adatom_wf.molcas.templates import environment
from adatom_wf.spec import load_study

GOLDEN = Path(__file__).parent / "golden"
LABELS = ("Tb3+", "Tb2+", "Tb1+", "Tb0")


@pytest.fixture(scope="module")
def paper_inputs(tmp_path_factory):
    study = load_study("tb_graphene")
    cluster = load_cluster(study, tmp_path_factory.mktemp("runs") / study.name, ideal_fallback=True)
    inputs = render_study(study, cluster.atoms, cluster_source=cluster.description)
    inputs["integrals"] = render_integrals(study, cluster.atoms, cluster_source=cluster.description)
    return inputs


def test_paper_inputs_match_the_golden_files(paper_inputs):
    update = os.environ.get("ADATOM_WF_UPDATE_GOLDEN") == "1"
    for folder, inputs in paper_inputs.items():
        for name, text in inputs.files.items():
            golden = GOLDEN / "tb_graphene" / folder / name
            if update:
                golden.parent.mkdir(parents=True, exist_ok=True)
                golden.write_text(text)
            assert golden.read_text() == text, f"{golden} differs from the rendered input"
    written = {p.relative_to(GOLDEN / "tb_graphene").as_posix() for p in (GOLDEN / "tb_graphene").rglob("*.input")}
    assert written == {f"{folder}/{name}" for folder, inputs in paper_inputs.items() for name in inputs.files}


def test_rendering_twice_gives_the_same_bytes(paper_inputs):
    study = load_study("tb_graphene")
    atoms = tb_benzene()
    first = render_study(study, atoms)
    second = render_study(study, atoms.copy())
    assert {k: v.files for k, v in first.items()} == {k: v.files for k, v in second.items()}
    assert render_integrals(study, atoms).files == render_integrals(study, atoms.copy()).files


def test_one_seward_for_the_cluster_and_every_multiplicity_in_rassi(paper_inputs):
    """GATEWAY + SEWARD once for every state (nothing in them depends on the charge)."""
    integrals = paper_inputs["integrals"].files["hollow3.integrals.input"]
    assert seward_count(*paper_inputs.values()) == 1 and integrals.count("&SEWARD") == 1 and "&RASSCF" not in integrals
    assert "charge" not in integrals.lower().replace("depends on the charge", "")
    for label in LABELS:
        inputs = paper_inputs[label]
        casscf = inputs.files[inputs.casscf_input]
        assert "&SEWARD" not in casscf and "&GATEWAY" not in casscf and "hollow3.integrals.input" in casscf
        spins = inputs.plan.spins
        assert casscf.count("&RASSCF") == len(spins)
        jobiphs = re.findall(r">> COPY \$Project.JobIph (JOB\d{3})", casscf)
        assert jobiphs == [f"JOB{i:03d}" for i in range(1, len(spins) + 1)]
        kept = re.findall(r"\$CurrDir/(\S+\.JobIph)", casscf)
        assert len(set(kept)) == len(spins)  # every JobIph kept under its own name
        header = casscf.split("Nr of JobIph")[1].split("\n")[1].split()
        assert header == [str(len(spins)), *(str(s.roots) for s in spins)]
        for spin in spins:
            assert f"Spin = {spin.multiplicity}\n" in casscf and f"CIRoot = {spin.roots} {spin.roots} 1" in casscf


@pytest.mark.parametrize(("label", "cas", "size", "crys"), [
    ("Tb3+", "nActEl = 8 0 0", 13, True), ("Tb2+", "nActEl = 9 0 0", 14, False),
    ("Tb1+", "nActEl = 10 0 0", 9, False), ("Tb0", "nActEl = 11 0 0", 14, False),
])
def test_paper_settings(paper_inputs, label, cas, size, crys):
    inputs = paper_inputs[label]
    integrals, casscf = paper_inputs["integrals"].files["hollow3.integrals.input"], inputs.files[inputs.casscf_input]
    assert "Tb.ANO-RCC-VTZP" in integrals and "C.ANO-RCC-VDZP" in integrals and "H.ANO-RCC-VDZ\n" in integrals
    assert "AMFI" in integrals and "Relativistic = R02O02" in integrals
    assert ("  RICD\n" in integrals
            and "(molcas.cholesky: auto, 896 basis functions >= 100)" in integrals)  # 104 + 54×14 + 18×2
    assert "Symmetry" not in integrals and "AngMom\n    0.0000000000 0.0000000000 4.3085755641" in integrals
    assert integrals.count(" Angstrom\n") == 1 + 54 + 18
    assert cas in casscf and "Inactive = 198" in casscf and "Spin Orbit" in casscf and "Ejob" in casscf
    assert "MEES" in casscf and "'AngMom' 3" in casscf
    assert f"MLTP\n    1\n    {size}\n" in casscf
    assert ("CRYS\n    Tb" in casscf) == crys


def test_demo_switches_on_ricd_and_the_minimal_basis():
    study = load_study("demo_tb_benzene")
    integrals = render_integrals(study, tb_benzene()).files["hollow1.integrals.input"]
    assert "RICD" in integrals and "(molcas.cholesky: true)" in integrals
    assert "Tb.ANO-RCC-MB" in integrals and "Tb1 " in integrals
    assert "Inactive = 48" in render_state(study, "Tb2+", tb_benzene()).files["Tb2p.casscf.input"]


def test_auto_keeps_conventional_integrals_for_a_small_basis():
    """79 basis functions: below the RICD threshold of molcas.cholesky: auto (docs/molcas.md, "Integrals")."""
    import yaml

    from adatom_wf.spec import parse_study

    data = yaml.safe_load(Path(__file__).parents[2].joinpath("workflows", "demo_tb_benzene.yaml").read_text())
    data["molcas"]["cholesky"] = "auto"
    integrals = render_integrals(parse_study(data), tb_benzene()).files["hollow1.integrals.input"]
    assert "RICD" not in integrals and "(molcas.cholesky: auto, 79 basis functions < 100)" in integrals


def test_long_root_lists_are_wrapped():
    inputs = render_state(load_study("demo_tb_benzene"), "Tb2+", tb_benzene())
    lines = inputs.files["Tb2p.casscf.input"].split("Nr of JobIph\n")[1].split("  Spin Orbit")[0].splitlines()
    assert lines[1].split() == [str(i) for i in range(1, 21)] and lines[2].split() == ["21"]


def test_the_environment_refuses_a_missing_variable():
    with pytest.raises(jinja2.UndefinedError):
        environment().get_template("casscf.input.j2").render(project="Tb3p")


def test_a_cluster_without_the_adatom_first_is_refused():
    from adatom_wf.errors import StructureError

    atoms = tb_benzene()
    with pytest.raises(StructureError, match="adatom Tb at index 0"):
        render_state(load_study("demo_tb_benzene"), "Tb3+", atoms[::-1])
