"""The local executor: the same graph and node scripts as Slurm, run as subprocesses; status and resume."""

import json
import time

import pytest
from studies import potcar_library, standin_calls, write_control, write_profiles, write_study

from adatom_wf.errors import ProgramNotFound, SpecError
from adatom_wf.execution.local import LocalTask, run_local
from adatom_wf.spec import load_study
from adatom_wf.workflow.runner import run_study, study_status

# The fake POTCARs (tests/fake_potcars.py) are unknown to pymatgen's hash table, by design.
pytestmark = pytest.mark.filterwarnings("ignore:POTCAR data with symbol")


def sleeper(tmp_path, name, seconds, exit_code=0):
    script = tmp_path / f"{name}.sh"
    script.write_text(f"date +%s.%N > {tmp_path / name}.start\nsleep {seconds}\n"
                      f"date +%s.%N > {tmp_path / name}.end\nexit {exit_code}\n")
    return str(script)


def test_topological_order_parallel_limit_and_skipping(tmp_path):
    tasks = [LocalTask("a", (), sleeper(tmp_path, "a", 0.5), str(tmp_path / "a.log")),
             LocalTask("b", (), sleeper(tmp_path, "b", 0.5), str(tmp_path / "b.log")),
             LocalTask("c", (), sleeper(tmp_path, "c", 0.5, exit_code=1), str(tmp_path / "c.log")),
             LocalTask("d", ("a", "b"), sleeper(tmp_path, "d", 0.1), str(tmp_path / "d.log")),
             LocalTask("e", ("c",), sleeper(tmp_path, "e", 0.1), str(tmp_path / "e.log")),
             LocalTask("f", ("e",), sleeper(tmp_path, "f", 0.1), str(tmp_path / "f.log"))]
    events = []
    start = time.monotonic()
    outcome = run_local(tasks, 2, lambda name, code: code == 0, lambda name, fields: events.append((name, fields)))
    elapsed = time.monotonic() - start
    assert outcome == {"a": "ok", "b": "ok", "c": "failed", "d": "ok", "e": "skipped", "f": "skipped"}
    stamp = {n: float((tmp_path / f"{n}.{k}").read_text()) for n in "abcd" for k in ("start",)}
    ends = {n: float((tmp_path / f"{n}.end").read_text()) for n in "abd"}
    assert stamp["d"] >= max(ends["a"], ends["b"])  # d waited for both of its needs
    assert stamp["c"] >= min(ends["a"], ends["b"]) - 0.05  # only two at once
    assert 1.0 <= elapsed < 3.0
    assert ("e", {"state": "skipped", "reason": "needs c, which did not succeed"}) in events
    assert not (tmp_path / "e.start").exists()


@pytest.fixture
def relax_study(tmp_path):
    """Tb on benzene, relaxed geometry: relax.hollow, relax.top (VASP stand-in), carve.hollow-1 (real carving)."""
    control = write_control(tmp_path / "control.json", {})
    profiles = write_profiles(tmp_path, control)
    study = write_study(tmp_path, "local_relax", sites=("hollow", "top"))
    return {"study": study, "control": control, "profiles": profiles, "runs": tmp_path / "runs",
            "potcars": potcar_library(tmp_path), "root": tmp_path / "runs" / "local_relax"}


def run(ctx, **options):
    return run_study(load_study(ctx["study"]), ctx["runs"], executor="local", profile="test",
                     profiles_file=ctx["profiles"], potcar_dir=ctx["potcars"], **options)


def states(ctx):
    return {s.node: s.state for s in study_status(load_study(ctx["study"]), ctx["runs"])}


def test_local_run_failure_skips_descendants_then_resume_completes(relax_study, cli):
    ctx = relax_study
    write_control(ctx["control"], {"hollow": {"recording": "c_diamond_vasp630", "killed": True}})
    report = run(ctx)
    assert report.outcome == {"relax.hollow": "failed", "relax.top": "ok", "carve.hollow-1": "skipped",
                              "parse": "skipped", "report": "skipped"}
    result = cli("status", ctx["study"], "--runs-dir", ctx["runs"], "--json")
    assert result.returncode == 0, result.stderr
    nodes = {n["node"]: n for n in json.loads(result.stdout)["nodes"]}
    assert nodes["relax.hollow"]["state"] == "FAILED"
    assert nodes["relax.hollow"]["reason"] == "vasprun.xml ends inside an <scstep>: VASP was stopped mid-run"
    assert nodes["relax.top"]["state"] == "COMPLETED" and nodes["relax.top"]["executor"] == "local"
    assert nodes["carve.hollow-1"]["state"] == "SKIPPED"
    text = cli("status", ctx["study"], "--runs-dir", ctx["runs"]).stdout
    assert "relax.hollow    FAILED" in text and "local" in text

    write_control(ctx["control"], {})
    result = cli("resume", ctx["study"], "--runs-dir", ctx["runs"], "--profiles", ctx["profiles"])
    assert result.returncode == 0, result.stderr
    assert "completed, not redone: relax.top" in result.stdout
    assert "run relax.hollow (attempt 2; was FAILED; restarts from attempt 1's CONTCAR" in result.stdout
    assert states(ctx) == {"relax.hollow": "COMPLETED", "relax.top": "COMPLETED", "carve.hollow-1": "COMPLETED",
                           "parse": "COMPLETED", "report": "COMPLETED"}
    shown = json.loads(cli("show", ctx["root"] / "results.h5", "--json").stdout)
    assert sorted((r["site"], r["status"]) for r in shown["runs"]) == [("hollow", "ok"), ("top", "ok")]
    assert (ctx["root"] / "report" / "table1.md").is_file()
    assert standin_calls(ctx["root"] / "dft" / "top") == 1  # never redone
    assert standin_calls(ctx["root"] / "dft" / "hollow") == 2
    assert (ctx["root"] / "dft" / "hollow" / "attempt-1" / "vasprun.xml").is_file()
    assert (ctx["root"] / "cluster" / "hollow-1" / "cluster.xyz").is_file()
    again = cli("resume", ctx["study"], "--runs-dir", ctx["runs"], "--profiles", ctx["profiles"])
    assert again.returncode == 0 and "nothing to resume: every node is completed" in again.stdout
    assert "every node is completed" in run(ctx).message


def test_dry_run_writes_scripts_and_runs_nothing(relax_study):
    report = run(relax_study, dry_run=True)
    root = relax_study["root"]
    assert [p.name for p in report.planned] == ["relax.hollow", "relax.top", "carve.hollow-1", "parse", "report"]
    assert (root / "workflow" / "scripts" / "relax.top.sh").is_file() and (root / "workflow" / "study.yaml").is_file()
    assert not (root / "workflow" / "jobs.json").exists() and not (root / "dft").exists()
    assert set(states(relax_study).values()) == {"NOT_SUBMITTED"}


def test_a_dry_run_without_a_vasp_command_shows_its_plan_and_warns(relax_study):
    from adatom_wf.commands.present import report_lines

    report = run_study(load_study(relax_study["study"]), relax_study["runs"], dry_run=True)
    assert [p.name for p in report.planned][:2] == ["relax.hollow", "relax.top"]
    lines = report_lines(report)
    assert lines[1].startswith("  warning: a real run would stop here: study ") and "no vasp.command" in lines[1]
    assert not (relax_study["root"] / "dft").exists()


def test_bad_input_is_refused_before_anything_runs(relax_study, tmp_path, cli):
    ctx = relax_study
    study = load_study(ctx["study"])
    with pytest.raises(SpecError, match="runs VASP .* but the local executor without --profile has no vasp.command"):
        run_study(study, ctx["runs"])
    with pytest.raises(SpecError, match="unknown profile 'nope'"):
        run_study(study, ctx["runs"], profile="nope", profiles_file=ctx["profiles"])
    with pytest.raises(SpecError, match="--executor slurm needs --profile NAME"):
        run_study(study, ctx["runs"], executor="slurm")
    with pytest.raises(Exception, match="no POTCAR and no POTCAR library is set"):
        run_study(study, ctx["runs"], profile="test", profiles_file=ctx["profiles"])
    assert not (ctx["root"] / "workflow" / "jobs.json").exists()
    result = cli("resume", ctx["study"], "--runs-dir", ctx["runs"])
    assert result.returncode == 2 and result.stderr.startswith("adatom-wf: error: nothing to resume: study local_relax")
    assert len(result.stderr.strip().splitlines()) == 1
    with pytest.raises(ProgramNotFound, match="sbatch not found: .* use --executor local"):
        _without_slurm(lambda: run_study(study, ctx["runs"], executor="slurm", profile="test",
                                         profiles_file=ctx["profiles"]))


def _without_slurm(call):
    import os

    old = os.environ["PATH"]
    os.environ["PATH"] = "/nonexistent"
    try:
        return call()
    finally:
        os.environ["PATH"] = old


def test_a_changed_study_is_not_mixed_with_completed_nodes(relax_study):
    run(relax_study)
    changed = relax_study["study"].read_text().replace("rings: 1", "rings: 2")
    relax_study["study"].write_text(changed)
    with pytest.raises(SpecError, match="study local_relax changed since it was run"):
        run(relax_study)


def test_node_verb_records_failure_and_never_redoes_success(relax_study, cli):
    ctx = relax_study
    run(ctx)
    snapshot = ctx["root"] / "workflow" / "study.yaml"
    result = cli("node", snapshot, "carve.hollow-1", "--runs-dir", ctx["runs"])
    assert result.returncode == 0 and "already completed" in result.stdout
    result = cli("node", snapshot, "relax.nowhere", "--runs-dir", ctx["runs"])
    assert result.returncode == 2 and "no node 'relax.nowhere'" in result.stderr
    (ctx["root"] / "workflow" / "results" / "relax.top.json").unlink()
    (ctx["root"] / "dft" / "top" / "vasprun.xml").unlink()
    result = cli("node", snapshot, "relax.top", "--runs-dir", ctx["runs"], "--vasp-exit-code", "3")
    assert (result.returncode == 1
            and "relax.top: failed: VASP exited with code 3; VASP wrote no vasprun.xml" in result.stdout)
    assert json.loads((ctx["root"] / "workflow" / "results" / "relax.top.json").read_text())["state"] == "failed"


def test_a_vasp_only_study_runs_its_relax_nodes_through_run(relax_study, cli):
    """No molcas section: `adatom-wf run` walks relax → carve → parse → report (the VASP stand-in checks its inputs
    against the golden ones)."""
    ctx = relax_study
    result = cli("run", ctx["study"], "--runs-dir", ctx["runs"], "--profile", "test", "--profiles", ctx["profiles"],
                 "--potcar-dir", ctx["potcars"])
    assert result.returncode == 0, result.stderr
    assert "finished in" in result.stdout and "5 ok, 0 failed" in result.stdout
    assert set(states(ctx).values()) == {"COMPLETED"}
    assert standin_calls(ctx["root"] / "dft" / "hollow") == 1 and standin_calls(ctx["root"] / "dft" / "top") == 1


def test_a_supplied_structure_feeds_the_carve_node_and_force_carves_again(relax_study, cli, tmp_path):
    """--structure replaces the relaxation as the carve node's input; a completed carve is redone only with
    --force, its earlier cluster kept in attempt-<n>/."""
    ctx = relax_study
    first = tmp_path / "first" / "CONTCAR"
    first.parent.mkdir()
    build = cli("build", ctx["study"], "--runs-dir", tmp_path / "built", "--site", "hollow")
    assert build.returncode == 0, build.stderr
    first.write_text((tmp_path / "built" / "local_relax" / "dft" / "hollow" / "POSCAR").read_text())
    result = cli("run", ctx["study"], "--runs-dir", ctx["runs"], "--structure", first, "--json")
    assert result.returncode == 0, result.stderr
    assert [p["name"] for p in json.loads(result.stdout)["planned"]] == ["carve.hollow-1"]  # no relax node needed
    carved = ctx["root"] / "cluster" / "hollow-1"
    assert (carved / "supplied" / "CONTCAR").read_text() == first.read_text()
    assert json.loads((carved / "cluster.json").read_text())["source"] == "CONTCAR"
    moved = tmp_path / "moved" / "CONTCAR"
    moved.parent.mkdir()
    lines = first.read_text().splitlines()
    lines[0] = "the same cell, another file"
    moved.write_text("\n".join(lines) + "\n")
    refused = cli("run", ctx["study"], "--runs-dir", ctx["runs"], "--structure", moved)
    assert refused.returncode == 2 and "carve.hollow-1 is completed" in refused.stderr and "--force" in refused.stderr
    forced = cli("run", ctx["study"], "--runs-dir", ctx["runs"], "--structure", moved, "--force")
    assert forced.returncode == 0, forced.stderr
    assert "forced: the completed outputs moved to attempt-1/" in forced.stdout
    assert ((carved / "attempt-1" / "cluster.xyz").is_file()
            and (carved / "attempt-1" / "supplied" / "CONTCAR").is_file())
    assert (carved / "supplied" / "CONTCAR").read_text() == moved.read_text()
    status = {n["node"]: n
              for n in json.loads(cli("status", ctx["study"], "--runs-dir", ctx["runs"], "--json").stdout)["nodes"]}
    assert status["carve.hollow-1"]["state"] == "COMPLETED" and status["carve.hollow-1"]["attempt"] == 2
    assert status["relax.hollow"]["state"] == "NOT_SUBMITTED"


def test_a_state_too_long_or_too_large_for_this_machine_is_refused_before_anything_runs(tmp_path, monkeypatch):
    """--max-hours bounds each state's estimate; a memory estimate beyond the machine's is refused: one line each,
    pointing to Slurm, nothing written."""
    from adatom_wf import preflight

    study = load_study("tb_benzene_paper_basis")  # Tb0 ~10 min on one core, ~0.6 GB
    with pytest.raises(SpecError, match=r"Tb0 is estimated at ~0\.\d\d h on one core \(200 basis functions.*more than "
                                        r"--max-hours 0\.05: run it on Slurm"):
        run_study(study, tmp_path / "runs", states=["Tb0"], max_hours=0.05)
    run_study(study, tmp_path / "runs", states=["Tb0"], max_hours=1, dry_run=True)  # fits
    monkeypatch.setattr(preflight, "machine_memory_mb", lambda: 100)
    with pytest.raises(SpecError, match=r"Tb0 needs ~\d+ MB of memory .* but this machine has 100 MB: run it on Slurm"):
        run_study(study, tmp_path / "other", states=["Tb0"], dry_run=True)
    assert not (tmp_path / "other").exists()
