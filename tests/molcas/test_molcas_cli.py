"""``adatom-wf molcas`` and the input checks of ``adatom-wf run`` through the graph (no OpenMolcas run needed)."""

import json
from pathlib import Path

import pytest

from adatom_wf.molcas.basis import basis_library_dir

STATES = "molcas.oxidation_states"


def test_molcas_renders_every_state_of_the_paper(cli, tmp_path):
    result = cli("molcas", "tb_graphene", "--runs-dir", "runs")
    assert result.returncode == 0, result.stderr
    assert "SEWARD runs: 1 (one for the cluster)" in result.stdout and "preview" in result.stdout
    root = tmp_path / "runs" / "tb_graphene"
    names = sorted(p.relative_to(root / "molcas").as_posix() for p in (root / "molcas").rglob("*.input"))
    assert names == [f"{label}/{project}.{kind}.input" for label, project in
                     (("Tb0", "Tb0"), ("Tb1+", "Tb1p"), ("Tb2+", "Tb2p"), ("Tb3+", "Tb3p"))
                     for kind in ("casscf", "expbas")]
    golden = Path(__file__).parent / "golden" / "tb_graphene"
    for name in names:
        assert (root / "molcas" / name).read_bytes() == (golden / name).read_bytes(), name
    shared = root / "integrals" / "hollow-3" / "hollow3.integrals.input"
    assert shared.read_bytes() == (golden / "integrals" / "hollow3.integrals.input").read_bytes()
    manifest = json.loads((root / "manifest.json").read_text())
    assert manifest["stages"]["molcas"]["seward_runs"] == 1
    assert manifest["stages"]["molcas"]["states"]["Tb2+"]["active_space"] == "CAS(9,10)"
    # the paper's basis starts projected: the pre-runs' inputs, in ANO-RCC-MB
    prerun = manifest["stages"]["molcas"]["prerun"]
    assert prerun["basis"] == "ANO-RCC-MB" and prerun["states"]["Tb0"] == "orbitals/Tb0/Tb0.casscf.input"
    assert "Tb.ANO-RCC-MB" in (root / prerun["integrals"]).read_text()
    assert "&RASSI" not in (root / prerun["states"]["Tb0"]).read_text()


def test_molcas_json_and_one_state(cli):
    result = cli("molcas", "demo_tb_benzene", "--state", "Tb2+", "--json", "--runs-dir", "runs")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert list(data["states"]) == ["Tb2+"] and data["seward_runs"] == 1
    assert data["integrals"].endswith("integrals/hollow-1/hollow1.integrals.input")
    state = data["states"]["Tb2+"]
    assert state["inactive"] == 48 and state["so_states"] == 294 and state["crystal_field"] is None
    assert state["files"] == ["Tb2p.casscf.input"]


BAD = [
    ({f"{STATES}.Tb3+.spin_states": [{"multiplicity": 6, "roots": 7}]}, [], ["multiplicity 6", "8 active electrons"]),
    ({f"{STATES}.Tb3+.active_space": {"electrons": 16, "orbitals": 7}}, [], ["16 electrons in 7 orbitals"]),
    ({f"{STATES}.Tb3+.spin_states": [{"multiplicity": 7, "roots": 9}]}, [], ["9 roots", "only 7 CSFs"]),
    ({f"{STATES}.Tb3+.multiplet_size": 51}, [], ["multiplet_size 51", "49 spin-orbit states"]),
    ({}, ["--state", "Tb4+"], ["'Tb4+' is not defined", "Tb3+", "Tb0"]),
    ({}, ["--structure", "no-such-CONTCAR"], ["no-such-CONTCAR", "not found"]),
    ({f"{STATES}.Tb2+.active_space": {"electrons": 9, "orbitals": 10, "character": ["4f", "5dxy"]}}, [],
     ["describes 8 orbitals", "10"]),
]


@pytest.mark.parametrize("verb", ["molcas", "run"])
@pytest.mark.parametrize(("changes", "args", "words"), BAD)
def test_bad_input_gives_one_line_exit_2_and_writes_nothing(cli, study_file, tmp_path, verb, changes, args, words):
    path = study_file("demo_tb_benzene", changes)
    result = cli(verb, path, "--runs-dir", "runs", *args)
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("adatom-wf: error: "), result.stderr
    for word in words:
        assert word in lines[0], (word, lines[0])
    assert not (tmp_path / "runs").exists()


@pytest.mark.skipif(basis_library_dir() is None, reason="no OpenMolcas basis library installed")
@pytest.mark.parametrize("verb", ["molcas", "run"])
def test_unknown_basis_is_refused(cli, study_file, tmp_path, verb):
    result = cli(verb, study_file("demo_tb_benzene", {"molcas.basis.Tb": "ANO-RCC-VXZP"}), "--runs-dir", "runs")
    assert result.returncode == 2
    assert "no basis 'ANO-RCC-VXZP' for Tb" in result.stderr and "ANO-rcc-VTZP" in result.stderr
    assert not (tmp_path / "runs").exists()


def test_a_relaxed_study_without_its_cluster_cannot_run(cli, tmp_path):
    """A state of a relaxed study needs its carve node, which needs the relaxation: VASP, from a profile."""
    for args in (["--state", "Tb3+"], []):
        result = cli("run", "tb_graphene", "--runs-dir", "runs", *args)
        assert result.returncode == 2 and "has no vasp.command" in result.stderr and "relax.hollow" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1 and not (tmp_path / "runs").exists()


def test_inputs_of_a_state_that_ran_are_not_replaced(cli, study_file, tmp_path):
    assert cli("molcas", "demo_tb_benzene", "--runs-dir", "runs").returncode == 0
    state = tmp_path / "runs" / "demo_tb_benzene" / "molcas" / "Tb3+"
    (state / "status.json").write_text('{"status": "ok"}\n')
    before = (state / "Tb3p.casscf.input").read_bytes()
    path = study_file("demo_tb_benzene", {f"{STATES}.Tb3+.spin_states": [{"multiplicity": 7, "roots": 5}]})
    result = cli("molcas", path, "--runs-dir", "runs")
    assert result.returncode == 2 and "already holds results (status.json)" in result.stderr
    assert (state / "Tb3p.casscf.input").read_bytes() == before
    result = cli("run", path, "--runs-dir", "runs", "--state", "Tb3+")
    assert result.returncode == 2 and "other inputs" in result.stderr and "--force" in result.stderr


@pytest.mark.molcas
@pytest.mark.skipif(not Path("/usr/bin/pymolcas").is_file(), reason="OpenMolcas is not installed")
def test_a_finished_state_is_not_run_again(cli, tmp_path):
    """A state whose status.json says ok (with the same inputs; e.g. run before its study had a graph) is
    skipped by its node; the cluster's integrals, which it needs, run for real (~45 s)."""
    assert cli("molcas", "demo_tb_benzene", "--runs-dir", "runs", "--state", "Tb3+").returncode == 0
    state = tmp_path / "runs" / "demo_tb_benzene" / "molcas" / "Tb3+"
    (state / "status.json").write_text(json.dumps({"status": "ok", "wall_seconds": {"total": 90.0}}))
    result = cli("run", "--runs-dir", "runs", "--state", "Tb3+", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)["states"]["Tb3+"]
    assert data["status"] == "ok" and data["skipped"] is True
    assert sorted(p.name for p in state.iterdir()) == ["Tb3p.casscf.input", "scratch", "status.json"]
    assert not any((state / "scratch").iterdir())  # the node script's empty $MOLCAS_WORKDIR: nothing was run
