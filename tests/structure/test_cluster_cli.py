"""``adatom-wf carve``: what a user runs, what it writes, and how it refuses bad input."""

import hashlib
import json
import subprocess
import sys

import ase.io
import numpy as np
import pytest
from test_cluster import ideal_cell, relaxed_like, translated

from adatom_wf.cli import main

PAPER = "tb_graphene"


def run(*args):
    """``adatom-wf ARGS`` in this process (output goes to capsys); returns the exit code."""
    with pytest.raises(SystemExit) as exit_info:
        main([str(a) for a in args])
    return exit_info.value.code


def write_contcar(path, atoms):
    ase.io.write(path, atoms, format="vasp", direct=True)
    return path


def test_demo_study_as_a_user_runs_it(cli, tmp_path):
    result = cli("carve", "demo_tb_benzene", "--runs-dir", "runs")
    assert result.returncode == 0, result.stderr
    assert "TbC6H6" in result.stdout and "point group C6v" in result.stdout
    assert "largest deviation from C6v 0.0000 Å" in result.stdout
    folder = tmp_path / "runs" / "demo_tb_benzene" / "cluster" / "hollow-1"
    xyz, meta = (folder / "cluster.xyz").read_bytes(), json.loads((folder / "cluster.json").read_text())
    assert xyz.splitlines()[0] == b"13" and xyz.splitlines()[2].startswith(b"Tb ")
    assert meta["formula"] == "TbC6H6" and meta["source"] == "ideal" and meta["symmetrized"] is True
    manifest = json.loads((tmp_path / "runs" / "demo_tb_benzene" / "manifest.json").read_text())
    record = manifest["stages"]["carve"]
    assert record["files"]["cluster/hollow-1/cluster.xyz"] == hashlib.sha256(xyz).hexdigest()
    assert record["rings"] == 1 and record["ch_bond_angstrom"] == 1.09 and record["point_group"] == "C6v"


def test_relaxed_structure_with_rings_override_as_json(cli, tmp_path):
    relaxed = relaxed_like(ideal_cell("hollow"), 0.01, seed=7)
    relaxed = translated(relaxed, -relaxed.positions[-1] + [0.05, 0.05, 7.0])  # Tb at the cell's corner
    contcar = write_contcar(tmp_path / "CONTCAR", relaxed)
    result = cli("carve", PAPER, "--structure", contcar, "--rings", 2, "--runs-dir", "runs", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["formula"] == "TbC24H12" and data["point_group"] == "C6v" and data["rings"] == 2
    assert data["source"] == "CONTCAR" and data["source_sha256"] == hashlib.sha256(contcar.read_bytes()).hexdigest()
    assert 0 < data["max_symmetry_deviation_angstrom"] < 0.1 and data["symmetrized"] is True
    assert data["directory"].endswith("runs/tb_graphene/cluster/hollow-2")
    meta = json.loads((tmp_path / data["directory"] / "cluster.json").read_text())
    assert meta["source_sha256"] == data["source_sha256"]
    manifest = json.loads((tmp_path / "runs" / "tb_graphene" / "manifest.json").read_text())
    assert manifest["stages"]["carve"]["source_sha256"] == data["source_sha256"]


def test_same_input_same_bytes(tmp_path, capsys):
    contcar = write_contcar(tmp_path / "relaxed.CONTCAR", relaxed_like(ideal_cell("hollow"), 0.01, seed=2))
    for runs in ("a", "b"):
        assert run("carve", PAPER, "--structure", contcar, "--runs-dir", tmp_path / runs) == 0
    for name in ("cluster.xyz", "cluster.json", "../../manifest.json"):
        first = (tmp_path / "a/tb_graphene/cluster/hollow-3" / name).read_bytes()
        assert first == (tmp_path / "b/tb_graphene/cluster/hollow-3" / name).read_bytes()


def test_no_symmetrize_writes_the_carved_positions(tmp_path, capsys):
    contcar = write_contcar(tmp_path / "CONTCAR", relaxed_like(ideal_cell("hollow"), 0.01, seed=2))
    runs = tmp_path / "runs"
    assert run("carve", PAPER, "--structure", contcar, "--runs-dir", runs, "--no-symmetrize") == 0
    assert "not symmetrised" in capsys.readouterr().out
    meta = json.loads((runs / "tb_graphene/cluster/hollow-3/cluster.json").read_text())
    assert meta["symmetrized"] is False and meta["symmetrization_displacement_max_angstrom"] == 0.0


def test_last_image_of_a_trajectory_is_carved(tmp_path, capsys):
    start = ideal_cell("hollow").copy()
    start.positions[-1, :2] += [0.6, 0.2]  # first image: Tb well off the hexagon centre
    trajectory = tmp_path / "relax.extxyz"
    ase.io.write(trajectory, [start, ideal_cell("hollow")], format="extxyz")
    assert run("carve", PAPER, "--structure", trajectory, "--rings", 1, "--runs-dir", tmp_path / "runs") == 0
    written = ase.io.read(tmp_path / "runs/tb_graphene/cluster/hollow-1/cluster.xyz")
    assert np.allclose(written.positions[0], [0, 0, 2.28])


def bad_inputs(tmp_path, study_file):
    garbage = tmp_path / "garbage.dat"
    garbage.write_text("this is not a structure\n")
    empty = tmp_path / "CONTCAR_empty"
    empty.write_text("")
    far = ideal_cell("hollow").copy()
    far.positions[-1, 2] += 3.5
    nitrogen = ideal_cell("hollow").copy()
    nitrogen.symbols[0] = "N"
    strict = study_file("tb_graphene", {"cluster.symmetry_tolerance_angstrom": 0.01}, name="strict.yaml")
    relaxed = write_contcar(tmp_path / "CONTCAR_relaxed", relaxed_like(ideal_cell("hollow"), 0.02, seed=4))
    two = ideal_cell("hollow") + ideal_cell("top")[-1:]
    return {
        "structure file": ["--structure", tmp_path / "missing" / "CONTCAR"],
        "not a readable structure file": ["--structure", garbage],
        "CONTCAR_empty: not a readable": ["--structure", empty],
        "no Tb adatom": ["--structure", write_contcar(tmp_path / "POSCAR_bare", ideal_cell("hollow")[:-1])],
        "2 Tb atoms": ["--structure", write_contcar(tmp_path / "POSCAR_two", two)],
        "too far to be an adatom": ["--structure", write_contcar(tmp_path / "POSCAR_far", far)],
        "substrate is not graphene": ["--structure", write_contcar(tmp_path / "POSCAR_BN", nitrogen)],
        "not at the hollow site": ["--structure", write_contcar(tmp_path / "POSCAR_top", ideal_cell("top"))],
        "rings must be at least 1": ["--rings", 0],
        "at most 3 rings fit": ["--rings", 4],
        "beyond cluster.symmetry_tolerance_angstrom = 0.01 Å": ["--structure", relaxed, "--study", strict],
    }  # fmt: skip


@pytest.mark.parametrize("expected", [
    "structure file", "not a readable structure file", "CONTCAR_empty: not a readable", "no Tb adatom", "2 Tb atoms",
    "too far to be an adatom", "substrate is not graphene", "not at the hollow site", "rings must be at least 1",
    "at most 3 rings fit", "beyond cluster.symmetry_tolerance_angstrom = 0.01 Å",
])  # fmt: skip
def test_bad_input_one_line_exit_2_nothing_written(tmp_path, study_file, capsys, expected):
    args = bad_inputs(tmp_path, study_file)[expected]
    study = PAPER
    if "--study" in args:
        study = args[args.index("--study") + 1]
        args = args[: args.index("--study")]
    runs = tmp_path / "runs"
    assert run("carve", study, *args, "--runs-dir", runs) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and err.startswith("adatom-wf: error: ")
    assert expected in err
    assert not runs.exists()


def test_help_lists_carve_without_heavy_imports():
    code = (
        "import sys; from adatom_wf.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('ase', 'pymatgen', 'scipy') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "carve" in result.stdout and result.stdout.strip().endswith("[]")
