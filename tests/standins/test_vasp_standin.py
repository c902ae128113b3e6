"""The VASP stand-in refuses inputs that differ from the golden ones, and places its recording otherwise.

Each test runs tests/standins/vasp_standin.py as the workflow does (a subprocess under this interpreter, in
a site directory, driven by ADATOM_WF_VASP_STANDIN), against the golden inputs of tests/vasp/golden/.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TESTS / "execution"))
from studies import STANDIN, write_control, write_study  # noqa: E402

from adatom_wf.spec import load_study  # noqa: E402
from adatom_wf.structure.sites import build_site  # noqa: E402
from adatom_wf.vasp.inputs import vasp_inputs  # noqa: E402

GOLDEN = TESTS / "vasp" / "golden"
SITES = ("hollow", "top", "bridge")
INPUTS = ("INCAR", "KPOINTS", "POSCAR")
CHECK_EVERY_SITE = {"default": {"recording": "c_diamond_vasp630", "golden": "tb_graphene/{site}"}}


def site_dir(tmp_path: Path, site: str = "hollow", study: str = "tb_graphene") -> Path:
    """A run directory named after the site (the stand-in looks its behaviour up by that name), golden inputs."""
    directory = tmp_path / site
    directory.mkdir()
    for name in INPUTS:
        shutil.copyfile(GOLDEN / study / site / name, directory / name)
    return directory


def run_standin(directory: Path, control: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "ADATOM_WF_VASP_STANDIN": str(control)}
    return subprocess.run([sys.executable, str(STANDIN)], cwd=directory, env=env, capture_output=True, text=True,
                          timeout=60)


def control(tmp_path: Path, behaviours: dict | None = None) -> Path:
    return write_control(tmp_path / "control.json", CHECK_EVERY_SITE if behaviours is None else behaviours)


def assert_refused(result, directory: Path, *words: str) -> None:
    """Exit 97 with one stderr line naming ``words``, and nothing of a VASP run left behind."""
    assert result.returncode == 97, (result.returncode, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0], f"{word!r} not in: {lines[0]}"
    left = sorted(path.name for path in directory.iterdir())
    assert left == sorted(INPUTS), f"the stand-in wrote {sorted(set(left) - set(INPUTS))} after refusing"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize("site", SITES)
def test_matching_inputs_get_the_recording(tmp_path, site):
    directory = site_dir(tmp_path, site)
    result = run_standin(directory, control(tmp_path))
    assert result.returncode == 0, result.stderr
    assert (directory / "vasprun.xml").stat().st_size > 0
    assert (directory / "CONTCAR").read_text() == (directory / "POSCAR").read_text()
    assert len((directory / ".vasp_standin_calls").read_text().splitlines()) == 1


def test_a_changed_encut_is_refused_naming_incar_and_encut(tmp_path):
    directory = site_dir(tmp_path)
    edit(directory / "INCAR", "ENCUT = 500.0", "ENCUT = 520")
    assert_refused(run_standin(directory, control(tmp_path)), directory, "INCAR", "ENCUT = 520", "500.0")


def test_a_moved_atom_is_refused_naming_poscar_and_the_atom(tmp_path):
    directory = site_dir(tmp_path)
    # the Tb adatom (atom 129) 0.015 Å higher: 0.001 of the 15 Å cell
    edit(directory / "POSCAR", "0.5000000000    0.5000000000    0.5760000000 Tb",
         "0.5000000000    0.5000000000    0.5770000000 Tb")
    assert_refused(run_standin(directory, control(tmp_path)), directory, "POSCAR", "atom 129 (Tb)", "0.015 Å")


@pytest.mark.parametrize(("name", "old", "new", "message"), [
    ("INCAR", "LASPH = True\n", "", "LASPH is missing here"),
    ("INCAR", "ISMEAR = 0", "ISMEAR = -5", "ISMEAR = -5 here, 0 in the golden"),
    ("KPOINTS", "4 4 1", "3 3 1", "KPOINTS: line 4 is '3 3 1' here, '4 4 1'"),
    ("POSCAR", "  19.7360000000    0.0000000000", "  19.7400000000    0.0000000000", "lattice vector 1"),
    ("POSCAR", "C Tb\n128 1", "C Dy\n128 1", "species ['C', 'Dy']"),
], ids=["missing-tag", "changed-smearing", "changed-grid", "changed-lattice", "changed-species"])
def test_other_differences_are_refused_naming_the_file(tmp_path, name, old, new, message):
    directory = site_dir(tmp_path)
    edit(directory / name, old, new)
    assert_refused(run_standin(directory, control(tmp_path)), directory, name, message)


def test_the_same_inputs_written_differently_pass(tmp_path):
    """Tag order, case, spacing, comments, 500 vs 500.0, .TRUE. vs True, Cartesian POSCAR: all VASP-equal."""
    from pymatgen.io.vasp.inputs import Poscar

    directory = site_dir(tmp_path)
    incar = (directory / "INCAR").read_text().splitlines()
    rewritten = [line.replace(" = ", "=").replace("500.0", "500").replace("True", ".TRUE.") for line in incar[::-1]]
    rewritten[0] = rewritten[0].lower() + "   # comment"
    (directory / "INCAR").write_text("\n".join(rewritten) + "\nSYSTEM = another study's title\n")
    (directory / "KPOINTS").write_text("a different comment\n 0\nGamma\n  4   4   1 \n\n")
    poscar = Poscar.from_file(directory / "POSCAR")
    (directory / "POSCAR").write_text(poscar.get_str(direct=False, significant_figures=12))
    result = run_standin(directory, control(tmp_path))
    assert result.returncode == 0, result.stderr
    assert (directory / "vasprun.xml").is_file()


def test_a_missing_golden_folder_is_a_loud_failure(tmp_path):
    directory = site_dir(tmp_path)
    missing = tmp_path / "no_such_golden"
    result = run_standin(directory, control(tmp_path, {"hollow": {"recording": "c_diamond_vasp630",
                                                                  "golden": str(missing)}}))
    assert_refused(result, directory, str(missing), "has no INCAR")


def test_without_golden_the_inputs_are_not_checked(tmp_path):
    """The key is opt-in (tests/execution/studies.write_control sets it by default; a control without it)."""
    directory = site_dir(tmp_path)
    edit(directory / "INCAR", "ENCUT = 500.0", "ENCUT = 520")
    path = tmp_path / "control.json"
    path.write_text(json.dumps({"default": {"recording": "c_diamond_vasp630"}}))
    result = run_standin(directory, path)
    assert result.returncode == 0, result.stderr


def test_the_demo_like_test_studies_match_the_paper_goldens(tmp_path):
    """write_study's Tb-on-benzene studies share the paper's 8x8 cell, heights and INCAR (all but the title).

    So a workflow test built on them can opt in with ``"golden": "tb_graphene/{site}"`` without goldens of its
    own; this test fails the day that stops being true.
    """
    study = load_study(write_study(tmp_path, "optin_check", sites=SITES))
    for site in SITES:
        directory = tmp_path / site
        directory.mkdir()
        for name, text in vasp_inputs(study, build_site(study, site), None).files.items():
            (directory / name).write_text(text)
        result = run_standin(directory, control(tmp_path))
        assert result.returncode == 0, f"{site}: {result.stderr}"
