"""GPAW for real: the relax node of a tiny study (Tb on 3x3 graphene, 4f in the core, a few BFGS steps) run by
``adatom-wf run`` locally, judged, resumed from its last geometry, parsed and reported (docs/gpaw.md)."""

import json
import shutil
from pathlib import Path

import pytest
import yaml

pytest.importorskip("gpaw", reason="GPAW is not installed: bash .ci/setup installs it")

TINY = Path(__file__).with_name("tiny_gpaw.yaml")


def study(tmp_path: Path, name: str, **gpaw) -> Path:
    data = yaml.safe_load(TINY.read_text())
    data["name"] = name
    data["dft"]["gpaw"].update(gpaw)
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_max_steps_fails_the_node_and_resume_continues_from_the_last_geometry(cli, tmp_path):
    path = study(tmp_path, "tiny_gpaw")
    first = cli("run", path, "--runs-dir", "runs")
    assert first.returncode == 1, first.stdout + first.stderr
    assert "wrote inputs POSCAR Tb.4fcore.PBE Tb.4fcore.dzp.basis gpaw.json" in first.stdout
    site = tmp_path / "runs" / "tiny_gpaw" / "dft" / "hollow"
    status = cli("status", path, "--runs-dir", "runs", "--json")
    nodes = {n["node"]: n for n in json.loads(status.stdout)["nodes"]}
    assert nodes["relax.hollow"]["state"] == "FAILED"
    assert nodes["relax.hollow"]["reason"].startswith("ionic relaxation not converged within max_steps = 4 steps")
    assert nodes["carve.hollow-1"]["state"] == "COMPLETED" and nodes["parse"]["state"] == "SKIPPED"
    last_geometry = (site / "CONTCAR").read_bytes()

    again = cli("resume", path, "--runs-dir", "runs")
    assert "restarts from attempt 1's CONTCAR (kept in attempt-1/)" in again.stdout, again.stdout
    assert (site / "attempt-1" / "CONTCAR").read_bytes() == last_geometry == (site / "POSCAR").read_bytes()
    assert again.returncode == 0, again.stdout + again.stderr
    record = json.loads((site / "relax.json").read_text())
    assert record["status"] == "converged" and record["max_force_ev_per_angstrom"] < 0.3

    stored = json.loads(cli("show", tmp_path / "runs" / "tiny_gpaw" / "results.h5", "--json").stdout)["runs"]
    (run,) = stored
    assert run["kind"] == "gpaw" and run["status"] == "ok" and run["converged"] is True
    assert run["energy_sigma0_ev"] == pytest.approx(record["energy_sigma0_ev"], abs=1e-9)
    table = (tmp_path / "runs" / "tiny_gpaw" / "report" / "table1.md").read_text().splitlines()
    assert table[0] == "| site | program | status | E − E(hollow) (meV) | height (Å) | paper (meV) | paper (Å) |"
    assert table[2].startswith("| hollow | gpaw | ok | 0.0 | ") and table[2].endswith(" | 0 | 2.28 |")


def test_an_scf_that_does_not_converge_fails_the_node_with_the_reason(cli, tmp_path):
    path = study(tmp_path, "tiny_gpaw_scf", max_scf_iterations=5)
    done = cli("run", path, "--runs-dir", "runs")
    assert done.returncode == 1
    status = json.loads(cli("status", path, "--runs-dir", "runs", "--json").stdout)
    reason = next(n["reason"] for n in status["nodes"] if n["node"] == "relax.hollow")
    assert reason.startswith("SCF not converged in 5 iterations at ionic step 0"), reason


def test_build_writes_the_generated_setup_once_and_the_same_bytes_again(cli, tmp_path):
    path = study(tmp_path, "tiny_gpaw_build")
    assert cli("build", path, "--runs-dir", "a").returncode == 0
    assert cli("build", path, "--runs-dir", "b").returncode == 0
    for relative in ("dft/setups/Tb.4fcore.PBE", "dft/setups/Tb.4fcore.dzp.basis", "dft/hollow/gpaw.json",
                     "dft/hollow/POSCAR"):
        first = (tmp_path / "a" / "tiny_gpaw_build" / relative).read_bytes()
        assert first == (tmp_path / "b" / "tiny_gpaw_build" / relative).read_bytes(), relative
    setup = (tmp_path / "a" / "tiny_gpaw_build" / "dft" / "setups" / "Tb.4fcore.PBE").read_text()
    assert 'core="54.0"' in setup and 'valence="11.0"' in setup  # [Xe]4f8 in the core; 5s2 5p6 5d1 6s2 valence
    manifest = json.loads((tmp_path / "a" / "tiny_gpaw_build" / "manifest.json").read_text())
    assert "dft/setups/Tb.4fcore.PBE" in manifest["stages"]["build"]["files"]
    shutil.rmtree(tmp_path / "b")


def test_a_step_that_goes_uphill_is_flagged_in_the_store_show_and_table1(cli, tmp_path):
    # an absurd first step: BFGS told the atoms are ten times softer than its default guess, steps up to 0.3 Å
    path = study(tmp_path, "tiny_gpaw_uphill", optimizer="bfgs", initial_hessian_ev_per_angstrom2=10.0,
                 maxstep_angstrom=0.3, max_steps=2)
    assert cli("run", path, "--runs-dir", "runs").returncode == 1  # two steps do not converge
    site = tmp_path / "runs" / "tiny_gpaw_uphill" / "dft" / "hollow"
    assert json.loads((site / "gpaw.json").read_text())["optimizer"]["name"] == "BFGS"
    energies = [float(line.split()[3]) for line in (site / "relax.log").read_text().splitlines()[1:]]
    rises = [after - before for before, after in zip(energies, energies[1:])]
    assert max(rises) > 1.0  # the first step overshot by eV, not meV (relax.log: ASE's own table)
    parsed = cli("parse", path, "--runs-dir", "runs")
    assert parsed.returncode == 1 and "stored with their reasons" in parsed.stdout + parsed.stderr  # a failed run
    store = tmp_path / "runs" / "tiny_gpaw_uphill" / "results.h5"
    (run,) = json.loads(cli("show", store, "--json").stdout)["runs"]
    assert run["largest_energy_rise_ev"] == pytest.approx(max(rises), abs=2e-6)  # relax.log rounds to 1e-6 eV
    assert run["energy_rise_step"] == 1 + rises.index(max(rises))
    (flag,) = run["relaxation_flags"]
    assert flag.startswith(f"ionic step {run['energy_rise_step']} raised the energy by {max(rises):.3f} eV")
    assert "FLAGGED: ionic step" in cli("show", store).stdout
    assert cli("report", path, "--runs-dir", "runs", "--format", "png").returncode == 0
    table = (tmp_path / "runs" / "tiny_gpaw_uphill" / "report" / "table1.md").read_text()
    assert f"flagged: ionic step {run['energy_rise_step']} raised the energy" in table


def test_the_guarded_bfgs_halves_that_step_and_takes_none_uphill(cli, tmp_path):
    # the same absurd first step; bfgs-guarded (the preset) halves it until the energy does not rise
    path = study(tmp_path, "tiny_gpaw_guarded", optimizer="bfgs-guarded", initial_hessian_ev_per_angstrom2=10.0,
                 maxstep_angstrom=0.3, max_steps=2)
    cli("run", path, "--runs-dir", "runs")
    site = tmp_path / "runs" / "tiny_gpaw_guarded" / "dft" / "hollow"
    log = (site / "relax.log").read_text()
    assert "step 1 would raise the energy by" in log and "halved, Hessian reset" in log
    outcome = json.loads((site / "relax.json").read_text())
    assert outcome["optimizer"] == "GuardedBFGS" and outcome["rejected_steps"] >= 1
    energies = [float(line.split()[3]) for line in log.splitlines()[1:] if line.startswith("GuardedBFGS:")]
    assert len(energies) == 3 and max(b - a for a, b in zip(energies, energies[1:])) <= 0.05
    cli("parse", path, "--runs-dir", "runs")
    (run,) = json.loads(cli("show", tmp_path / "runs" / "tiny_gpaw_guarded" / "results.h5", "--json").stdout)["runs"]
    assert run["largest_energy_rise_ev"] <= 0.05 and run["relaxation_flags"] == []
