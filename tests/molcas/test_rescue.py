"""The rescue ladder of a RASSCF that stops at its iteration limit (issue 30): settings and inputs (pure), and a real
OpenMolcas Tb3+ on benzene held to 4 iterations, restarted from its last orbitals until it converges."""

import json
from pathlib import Path

import pytest

from adatom_wf.molcas.rescue import RESCUE_LADDER, RasscfSettings, attempt_settings, unconverged
from adatom_wf.spec import Rasscf, SpecError, load_study_text


def test_the_default_settings_leave_the_input_as_it_was():
    assert RasscfSettings().keywords() == []
    assert attempt_settings(Rasscf(), 0) == RasscfSettings()


def test_the_ladder_raises_the_level_shift_then_damps_then_iterates_longer():
    rasscf = Rasscf(iterations=30, rescue=3)
    steps = [attempt_settings(rasscf, n) for n in range(4)]
    assert [s.iterations for s in steps] == [30, 30, 30, 120]
    assert [s.levshft for s in steps] == [None, 1.0, 1.5, 1.5] and [s.sxdamp for s in steps] == [None, None, .002, .002]
    assert steps[3].keywords() == ["ITERations = 120 100", "LEVShft = 1.5", "SXDAmp = 0.002"]
    assert attempt_settings(Rasscf(), 3).iterations == 200  # OpenMolcas's most
    assert len(RESCUE_LADDER) == 3


def test_the_convergence_line_names_the_start_and_the_rung():
    from adatom_wf.molcas.rescue import convergence_text

    once = {"convergence": "converged", "orbital_start": "Tb2p.guessorb.h5",
            "rasscf_attempts": [{"settings": {}, "rasscf": [{"iterations": 20}, {"iterations": 15}]}]}
    assert convergence_text(once) == "; guess picked by character, converged (20/15 iterations)"
    rescued = {"convergence": "converged after rescue (attempt 2)", "orbital_start": "restart Tb2p.RasOrb",
               "rasscf_attempts": [{"settings": {}, "rasscf": [{"iterations": 200}]},
                                   {"settings": {"levshft": 1.0}, "rasscf": [{"iterations": 9}, {"iterations": 14}]}]}
    assert convergence_text(rescued) == ("; restart Tb2p.RasOrb, converged after rescue (attempt 2) "
                                         "(LEVShft 1, 9/14 iterations)")
    assert convergence_text({"convergence": None}) == ""  # a run from elsewhere


def test_only_a_rasscf_that_stopped_at_its_limit_is_rescued():
    converged = {"multiplicity": 8, "converged": True, "iterations": 20}
    stopped = {"multiplicity": 6, "converged": False, "iterations": 200}
    crashed = {"multiplicity": 6, "converged": False, "iterations": None}
    assert unconverged([converged, stopped]) == 6
    assert unconverged([converged]) is None and unconverged([converged, crashed]) is None


@pytest.mark.parametrize("block, words", [
    ("rasscf: {iterations: 0}", "iterations"), ("rasscf: {iterations: 500}", "iterations"),
    ("rasscf: {rescue: 4}", "rescue"), ("rasscf: {levelshift: 1}", "levelshift"),
])
def test_bad_rasscf_settings_are_refused(block, words):
    study_text = _demo_text().replace("  cholesky: true", f"  cholesky: true\n  {block}")
    with pytest.raises(SpecError, match=words):
        load_study_text(study_text)


def _demo_text() -> str:
    from adatom_wf.spec import resolve_study_path

    return resolve_study_path("demo_tb_benzene").read_text()


@pytest.mark.molcas
@pytest.mark.skipif(not Path("/usr/bin/pymolcas").is_file(), reason="OpenMolcas is not installed")
def test_a_rasscf_held_to_4_iterations_converges_after_rescue_from_its_last_orbitals(tmp_path):
    """Tb3+ (CAS(8,7), 7 roots) needs ~18 iterations from the guess; with ITERations 4 the first attempt stops
    unconverged, and each rescue restarts from the orbitals it stopped with, with the next rung's settings."""
    from molcas_helpers import tb_benzene

    from adatom_wf.commands.show import _line
    from adatom_wf.molcas.integrals import run_integrals
    from adatom_wf.molcas.node import ClusterSource, run_oxidation_state
    from adatom_wf.molcas.results import parse_molcas_run
    from adatom_wf.store import read_store, write_runs

    text = _demo_text().replace("  cholesky: true", "  cholesky: true\n  rasscf: {iterations: 4, rescue: 3}")
    study, cluster = load_study_text(text), ClusterSource(tb_benzene(), "test geometry")
    integrals = run_integrals(study, tmp_path, directory=tmp_path / "integrals" / "hollow-1", cluster=cluster,
                              nprocs=2, mem_mb=2000)
    assert integrals.status == "ok"
    state = run_oxidation_state(study, tmp_path, "Tb3+", integrals=tmp_path / "integrals" / "hollow-1",
                                cluster=cluster, nprocs=2, mem_mb=2000)
    directory = tmp_path / "molcas" / "Tb3+"
    status = json.loads((directory / "status.json").read_text())
    attempts = status["rasscf_attempts"]
    assert state.status == "ok", state.failure
    assert 2 <= len(attempts) <= 4 and status["convergence"] == f"converged after rescue (attempt {len(attempts)})"
    first, last = attempts[0], attempts[-1]
    assert first["status"] == "failed" and first["rasscf"] == [{"multiplicity": 7, "converged": False, "iterations": 4}]
    assert last["status"] == "ok" and last["rasscf"][0]["converged"] and last["rasscf"][0]["iterations"] <= 16
    assert attempts[1]["settings"]["levshft"] == 1.0 and attempts[1]["starts"] == {"7": "Tb3p.m7.stopped1.RasOrb"}
    rescue = (directory / "Tb3p.rescue1.input").read_text()
    assert "LEVShft = 1" in rescue and ">> COPY $CurrDir/Tb3p.m7.stopped1.RasOrb INPORB" in rescue
    assert "ITERations = 4 100" in (directory / "Tb3p.casscf.input").read_text()
    # the first attempt's log is kept; the last one is the state's log, which parse reads
    assert "No convergence after  4 iterations" in (directory / "Tb3p.casscf.1.log").read_text()
    parsed = parse_molcas_run(directory, label="Tb3+")
    record = parsed.record
    assert record["status"] == "ok" and record["rasscf"][0]["iterations"] == last["rasscf"][0]["iterations"]
    # the store and show keep how it converged
    store = tmp_path / "results.h5"
    write_runs(store, [parsed])
    stored = read_store(store)["runs"][0]
    assert stored["convergence"] == status["convergence"] and len(stored["rasscf_attempts"]) == len(attempts)
    assert stored["orbital_start"] == "Tb3p.guessorb.h5"
    line = _line(stored)
    assert f"guess picked by character, converged after rescue (attempt {len(attempts)}) (LEVShft 1.5" in line
    # without the ladder the same state fails at once, with one line that says so
    strict = load_study_text(text.replace("rescue: 3", "rescue: 0"))
    failed = run_oxidation_state(strict, tmp_path, "Tb3+", integrals=tmp_path / "integrals" / "hollow-1",
                                 directory=tmp_path / "strict", cluster=cluster, nprocs=2, mem_mb=2000)
    assert failed.status == "failed" and failed.failure.startswith("not converged after 1 attempt: rasscf did not "
                                                                   "converge: rc=_RC_NOT_CONVERGED_")
