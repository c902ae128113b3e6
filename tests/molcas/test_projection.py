"""Projected starting orbitals (issue 30): the strategy in the study, the graph's pre-run nodes and their cost, the
inputs, and a real OpenMolcas run of the workflow: Tb3+ with Tb ANO-RCC-VDZP started from its ANO-RCC-MB pre-run
through EXPBAS, checked by character; a projection that lost a 4f orbital is refused in one line."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from molcas_helpers import tb_benzene

from adatom_wf.errors import ParseError
from adatom_wf.spec import SpecError, load_study, load_study_text, resolve_study_path
from adatom_wf.workflow.graph import study_graph

FIXTURES = Path(__file__).parent / "fixtures"
DEMO_BASIS = "basis: {Tb: ANO-RCC-MB, C: ANO-RCC-MB, H: ANO-RCC-MB}"


def _text(basis: str = "Tb: ANO-RCC-VDZP, C: ANO-RCC-MB, H: ANO-RCC-MB", extra: str = "") -> str:
    text = resolve_study_path("demo_tb_benzene").read_text()
    assert DEMO_BASIS in text
    text = text.replace(DEMO_BASIS, f"basis: {{{basis}}}")
    return text.replace("  cholesky: true", f"  cholesky: true\n{extra}") if extra else text


def test_auto_projects_a_basis_larger_than_the_minimal_one_and_leaves_the_demo_alone():
    demo, larger = load_study("demo_tb_benzene"), load_study_text(_text())
    assert {demo.orbital_start(label) for label in demo.molcas.oxidation_states} == {"core"}
    assert demo.projection_basis() is None
    assert {larger.orbital_start(label) for label in larger.molcas.oxidation_states} == {"projected"}
    assert larger.projection_basis() == "ANO-RCC-MB"
    # the new key at its default leaves the study's hash (and its run folder) as it was
    written = load_study_text(_text(basis="Tb: ANO-RCC-MB, C: ANO-RCC-MB, H: ANO-RCC-MB",
                                    extra="  orbitals: {guess: auto, project_from: ANO-RCC-MB}"))
    assert written.sha256() == demo.sha256()


def test_a_state_may_keep_the_guess_while_the_others_project():
    text = _text().replace("      multiplet_size: 13", "      multiplet_size: 13\n      orbitals: {guess: core}")
    study = load_study_text(text)
    assert study.orbital_start("Tb3+") == "core" and study.orbital_start("Tb2+") == "projected"
    names = study_graph(study).names
    assert "orbitals.Tb2+" in names and "orbitals.Tb3+" not in names


@pytest.mark.parametrize("basis, extra, words", [
    ("Tb: ANO-RCC-MB, C: ANO-RCC-MB, H: ANO-RCC-MB", "  orbitals: {guess: projected}", "nothing to project"),
    ("Tb: ANO-RCC-VDZP, C: cc-pVDZ, H: ANO-RCC-MB", "  orbitals: {guess: projected}", "C cc-pVDZ"),
    ("Tb: ANO-RCC-VDZP, C: ANO-RCC-MB, H: ANO-RCC-MB", "  orbitals: {project_from: cc-pVDZ}", "ANO-RCC"),
    ("Tb: ANO-RCC-VDZP, C: ANO-RCC-MB, H: ANO-RCC-MB", "  orbitals: {guess: chained}", "guess"),
])
def test_a_projection_that_cannot_work_is_refused_with_the_fix(basis, extra, words):
    with pytest.raises(SpecError, match=words):
        load_study_text(_text(basis, extra))


def test_two_project_from_bases_are_refused():
    text = _text(extra="  orbitals: {project_from: ANO-RCC-VDZ}").replace(
        "      multiplet_size: 13", "      multiplet_size: 13\n      orbitals: {project_from: ANO-RCC-MB}")
    with pytest.raises(SpecError, match="one project_from"):
        load_study_text(text)


def test_the_graph_runs_the_pre_runs_before_their_states_and_costs_them():
    from adatom_wf.workflow.plan import estimated_seconds

    study = load_study_text(_text())
    graph = study_graph(study)
    assert graph["orbitals-integrals.hollow-1"].needs == ("carve.hollow-1",)
    assert (graph["orbitals.Tb2+"].needs == ("orbitals-integrals.hollow-1",)
            and graph["orbitals.Tb2+"].stage == "orbitals")
    assert graph["molcas.Tb2+"].needs == ("integrals.hollow-1", "orbitals.Tb2+")
    assert graph["orbitals.Tb2+"].directory == "orbitals/Tb2+"
    seconds = estimated_seconds(study, graph, graph.names)
    # the pre-run basis (79 functions) is cheaper than the state's (104), and the pre-run is one multiplicity
    assert 0 < seconds["orbitals-integrals.hollow-1"] < seconds["integrals.hollow-1"]
    assert 0 < seconds["orbitals.Tb2+"] < seconds["molcas.Tb2+"] / 2
    assert not any(name.startswith("orbitals") for name in study_graph(load_study("demo_tb_benzene")).names)


def test_the_inputs_of_a_projected_state_and_of_its_pre_run():
    from adatom_wf.molcas.projection import prerun_study
    from adatom_wf.molcas.render import render_integrals, render_state

    study, atoms = load_study_text(_text()), tb_benzene()
    state = render_state(study, "Tb2+", atoms)
    assert state.expbas_input == "Tb2p.expbas.input"
    expbas = state.files["Tb2p.expbas.input"]
    assert ">> COPY $CurrDir/Tb2p.m8.ANO-RCC-MB.PrerunOrb INPORB\n&EXPBAS\n" in expbas
    assert "converged 2S+1 = 8 orbitals of the ANO-RCC-MB pre-run" in state.files["Tb2p.casscf.input"]
    prerun = render_state(prerun_study(study, "Tb2+"), "Tb2+", atoms, rasscf_only=True)
    text = prerun.files["Tb2p.casscf.input"]
    assert text.count("&RASSCF") == 1 and "&RASSI" not in text and "&SINGLE_ANISO" not in text
    assert prerun.expbas_input is None and "picked by character" in text
    assert "Tb.ANO-RCC-MB" in render_integrals(prerun_study(study), atoms).files["hollow1.integrals.input"]
    # the same study gives the same bytes
    assert render_state(study, "Tb2+", atoms).files == state.files


def test_an_inporb_file_reads_back_as_written(tmp_path):
    from adatom_wf.molcas.active_space import plan_state
    from adatom_wf.molcas.orbitals import inporb_text, pick_start_orbitals, read_orbitals
    from adatom_wf.molcas.projection import read_inporb

    guess = read_orbitals(FIXTURES / "Tb2p.guessorb.h5")
    plan = plan_state(load_study("demo_tb_benzene"), "Tb2+", tb_benzene().numbers)
    start = pick_start_orbitals(guess, plan, 65)
    path = tmp_path / "Tb2p.StartOrb"
    path.write_text(inporb_text(guess, start, plan.active_electrons, "round trip"))
    read = read_inporb(path, guess)
    np.testing.assert_allclose(read.coefficients, guess.coefficients[list(start.order)], rtol=1e-13, atol=1e-99)
    assert read.type_indices.count("2") == 10 and read.type_indices[:48] == ("I",) * 48
    path.write_text(path.read_text().replace("#OCC", "#OC"))
    with pytest.raises(ParseError, match="not a readable INPORB"):
        read_inporb(path, guess)


@pytest.mark.molcas
@pytest.mark.skipif(not Path("/usr/bin/pymolcas").is_file(), reason="OpenMolcas is not installed")
def test_a_vdzp_state_starts_from_its_projected_minimal_basis_orbitals(tmp_path, cli):
    """The workflow as a user runs it: `run FILE --state Tb3+` with Tb ANO-RCC-VDZP runs the MB integrals and the
    septet pre-run, then EXPBAS and the VDZP septet from those orbitals; then a projection whose 4f orbital was
    swapped out is refused before any RASSCF."""
    from adatom_wf.molcas.node import ClusterSource, run_oxidation_state
    from adatom_wf.molcas.rescue import convergence_text
    from adatom_wf.molcas.results import parse_molcas_run

    (tmp_path / "vdzp.yaml").write_text(_text().replace("name: demo_tb_benzene", "name: vdzp"))
    done = cli("run", "vdzp.yaml", "--state", "Tb3+", "--nprocs", "1")
    assert done.returncode == 0, done.stdout + done.stderr
    root = tmp_path / "runs" / "vdzp"
    results = {p.stem: json.loads(p.read_text())["state"] for p in (root / "workflow" / "results").glob("*.json")}
    assert results == {"carve.hollow-1": "ok", "integrals.hollow-1": "ok", "orbitals-integrals.hollow-1": "ok",
                       "orbitals.Tb3+": "ok", "molcas.Tb3+": "ok"}
    prerun = json.loads((root / "orbitals" / "Tb3+" / "status.json").read_text())
    assert prerun["status"] == "ok" and len(prerun["rasscf_attempts"][0]["rasscf"]) == 1
    assert "&RASSI" not in (root / "orbitals" / "Tb3+" / "Tb3p.casscf.input").read_text()
    state_dir = root / "molcas" / "Tb3+"
    status = json.loads((state_dir / "status.json").read_text())
    start = status["start_orbitals"]
    assert start["source"] == "projected from ANO-RCC-MB (orbitals/Tb3+/Tb3p.m7.RasOrb)"
    assert start["check"]["ok"] and min(o["weight"] for o in start["check"]["active_orbitals"]) > 0.99
    assert status["convergence"] == "converged"
    iterations = status["rasscf_attempts"][0]["rasscf"][0]["iterations"]
    assert iterations <= 30
    record = parse_molcas_run(state_dir, label="Tb3+").record
    assert record["orbital_start"] == start["source"]
    assert convergence_text(record) == (f"; projected from ANO-RCC-MB (orbitals/Tb3+/Tb3p.m7.RasOrb), converged "
                                        f"({iterations} iterations)")
    # a pre-run whose first active (4f) orbital swapped places with the first secondary one is refused at once
    # (EXPBAS keeps the places: TypeIndex from the occupations, not from the file's #INDEX)
    study = load_study_text(_text())
    doctored = tmp_path / "doctored"
    shutil.copytree(root / "orbitals" / "Tb3+", doctored)
    orbitals = doctored / "Tb3p.m7.RasOrb"
    lines = orbitals.read_text().splitlines()
    heads = [n for n, line in enumerate(lines) if line.startswith("* ORBITAL")] + [lines.index("#OCC")]
    first_active = (104 - 8) // 2 + 1  # Tb3+ on benzene: 104 electrons, 48 inactive: the 49th orbital is 4f
    block = {k: lines[heads[k - 1] + 1:heads[k]] for k in (first_active, first_active + 7)}
    lines[heads[first_active - 1] + 1:heads[first_active]] = block[first_active + 7]
    lines[heads[first_active + 6] + 1:heads[first_active + 7]] = block[first_active]
    orbitals.write_text("\n".join(lines) + "\n")
    refused = run_oxidation_state(study, root, "Tb3+", integrals=root / "integrals" / "hollow-1",
                                  directory=tmp_path / "refused", cluster=ClusterSource(tb_benzene(), "test"),
                                  projection=doctored, nprocs=1, mem_mb=2000)
    assert refused.status == "failed"
    assert refused.failure.startswith("the projected starting orbitals lost their character (Tb3p.ExpOrb: active "
                                      "space drifted: the active space's 7 best 4f orbitals")
    assert not (tmp_path / "refused" / "Tb3p.casscf.log").exists()  # no RASSCF ran


def test_the_bundled_paper_basis_study_on_benzene_projects_every_state():
    """workflows/tb_benzene_paper_basis.yaml: the demo's cluster and active spaces in the paper's basis."""
    study, demo = load_study("tb_benzene_paper_basis"), load_study("demo_tb_benzene")
    assert study.molcas.basis == {"Tb": "ANO-RCC-VTZP", "C": "ANO-RCC-VDZP", "H": "ANO-RCC-VDZ"}
    assert study.molcas.oxidation_states == demo.molcas.oxidation_states and study.cluster == demo.cluster
    names = study_graph(study).names
    assert [name for name in names if name.startswith("orbitals")] == [
        "orbitals-integrals.hollow-1", "orbitals.Tb3+", "orbitals.Tb2+", "orbitals.Tb1+", "orbitals.Tb0"]


def test_a_forced_attempt_starts_as_the_study_says_not_from_an_older_stopped_attempts_orbitals(tmp_path):
    """A completed state that once restarted from a stopped attempt's orbitals (restart/) is redone with --force from
    its study's start: the restart orbitals go to attempt-<n>/ with the completed outputs; scratch/ stays."""
    from adatom_wf.workflow.actions import _restart_file, restart_molcas, start_over
    from adatom_wf.workflow.graph import Node

    node = Node("molcas.Tb2+", "molcas", "molcas/Tb2+", oxidation_state="Tb2+")
    folder = tmp_path / "molcas" / "Tb2+"
    folder.mkdir(parents=True)
    (folder / "Tb2p.m8.stopped1.RasOrb").write_text("#INPORB 2.2\n")
    assert restart_molcas(tmp_path, node, 1) == "restarts from Tb2p.m8.stopped1.RasOrb of attempt 1"
    (folder / "Tb2p.m8.stopped1.RasOrb").unlink()
    (folder / "Tb2p.casscf.log").write_text("the completed attempt\n")
    (folder / "scratch").mkdir()
    assert _restart_file(folder) is not None
    assert start_over(tmp_path, node) == "forced: the completed outputs moved to attempt-1/"
    assert _restart_file(folder) is None and (folder / "scratch").is_dir()
    assert (folder / "attempt-1" / "restart" / "Tb2p.m8.stopped1.RasOrb").is_file()
    assert (folder / "attempt-1" / "Tb2p.casscf.log").is_file()


def test_the_bundled_paper_basis_study_on_coronene_is_benzenes_with_two_rings():
    """workflows/tb_coronene_paper_basis.yaml: the benzene study's basis, active spaces and roots on C24H12."""
    coronene, benzene = load_study("tb_coronene_paper_basis"), load_study("tb_benzene_paper_basis")
    assert coronene.cluster.rings == 2 and benzene.cluster.rings == 1
    assert coronene.molcas == benzene.molcas
    assert coronene.cluster.model_copy(update={"rings": 1}) == benzene.cluster


def test_a_restart_never_takes_the_pre_runs_orbitals_for_the_states_own(tmp_path):
    """The pre-run's orbitals (another basis) sit in the state folder as EXPBAS's input: a stopped state restarts from
    its own newest RasOrb, or from its start, never from them."""
    import os

    from adatom_wf.workflow.actions import restart_molcas
    from adatom_wf.workflow.graph import Node

    node = Node("molcas.Tb2+", "molcas", "molcas/Tb2+", oxidation_state="Tb2+")
    folder = tmp_path / "molcas" / "Tb2+"
    folder.mkdir(parents=True)
    prerun = folder / "Tb2p.m8.ANO-RCC-MB.PrerunOrb"
    prerun.write_text("#INPORB 2.2\n")
    assert restart_molcas(tmp_path, node, 1).startswith("starts again as the study says")
    own = folder / "Tb2p.RasOrb"
    own.write_text("#INPORB 2.2\n")
    os.utime(own, (1, 1))  # older than the pre-run's file
    assert restart_molcas(tmp_path, node, 1) == "restarts from Tb2p.RasOrb of attempt 1"
