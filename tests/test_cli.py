import json
import re
import subprocess
import sys

import pytest
from conftest import WORKFLOWS, adatom_wf_command

HEAVY = ("ase", "pymatgen", "pyscf", "h5py", "spglib", "numpy", "matplotlib")


@pytest.mark.parametrize("args", [["--help"], ["validate", str(WORKFLOWS / "tb_graphene.yaml")], ["build", "--help"]])
def test_light_commands_import_no_heavy_package(args):
    probe = (
        "import sys\n"
        "from adatom_wf.cli import main\n"
        "try:\n"
        f"    main({args!r})\n"
        "except SystemExit as exit:\n"
        "    assert exit.code == 0, exit.code\n"
        f"heavy = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_help_lists_every_verb_with_help(cli):
    result = cli("--help")
    assert result.returncode == 0
    for verb in ("validate", "build"):
        assert verb in result.stdout
        assert cli(verb, "--help").returncode == 0


def test_validate_prints_a_summary_and_json(cli):
    result = cli("validate", WORKFLOWS / "tb_graphene.yaml")
    assert result.returncode == 0, result.stderr
    assert "Tb on 8x8 graphene (valid)" in result.stdout and "Tb2+: charge +2, CAS(9,10)" in result.stdout
    data = json.loads(cli("validate", "demo_tb_benzene", "--json").stdout)
    assert data["name"] == "demo_tb_benzene" and data["oxidation_states"]["Tb0"]["active_space"] == "CAS(11,10)"
    seconds = data["oxidation_states"]["Tb0"]["cost"]["seconds"]  # the time model (docs/benchmarks.md)
    assert (sorted(seconds) == ["rasscf", "rassi", "single_aniso", "total"]
            and sorted(seconds["rasscf"]) == ["10", "4", "6", "8"])
    assert data["integrals"]["seconds"] > 0
    assert re.search(r"Tb0:.*\n    cost: .*, ~[\d.]+ (s|min|h) on one core \(extrapolated: the time model is "
                     r"calibrated up to \d+ basis functions, docs/benchmarks.md\); starts projected: pre-run "
                     r"~[\d.]+ min after its integrals ~[\d.]+ min \(shared\)\n", result.stdout)


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"colour": "red"}, ["unknown key 'colour'"]),
        ({"adatom": "Fe"}, ["not a lanthanide"]),
        ({"adatom": "Q"}, ["unknown element 'Q'"]),
        ({"sites": {"centre": {"height_angstrom": 2.0}}}, ["'centre'", "'hollow', 'top' or 'bridge'"]),
        ({"sites.hollow.height_angstrom": -2.0}, ["height_angstrom", "-2.0"]),
        ({"substrate.vacuum_angstrom": 9.0}, ["vacuum 9 Å", "only 6.62 Å", "use vacuum_angstrom >= 12.38"]),
        ({"substrate.supercell": [3, 3]}, ["supercell 3x3", "use at least 5x5"]),
        ({"name": "../outside"}, ["name", "runs/<name>"]),
        ({"substrate.supercell": "8x8"}, ["supercell", "8x8"]),
    ],
)
def test_bad_input_gives_one_line_exit_2_and_writes_nothing(cli, study_file, tmp_path, changes, words):
    path = study_file("tb_graphene", changes)
    result = cli("build", path, "--runs-dir", "runs")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("adatom-wf: error: "), result.stderr
    for word in words:
        assert word in lines[0]
    assert not (tmp_path / "runs").exists()
    assert not (tmp_path.parent / "outside").exists()


def test_missing_study_and_missing_potcar_library(cli, tmp_path):
    result = cli("validate", "nowhere.yaml")
    assert result.returncode == 2 and "study file 'nowhere.yaml' not found" in result.stderr
    result = cli("build", WORKFLOWS / "tb_graphene.yaml", "--runs-dir", "r", "--potcar-dir", tmp_path / "none")
    assert result.returncode == 2 and "is not a directory" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "r").exists()


def test_build_never_changes_inputs_of_a_site_that_has_run(cli, study_file, tmp_path):
    assert cli("build", WORKFLOWS / "tb_graphene.yaml", "--runs-dir", "r", "--site", "hollow").returncode == 0
    folder = tmp_path / "r" / "tb_graphene" / "dft" / "hollow"
    (folder / "OUTCAR").write_text("a finished VASP run\n")
    before = (folder / "POSCAR").read_bytes()
    changed = study_file("tb_graphene", {"sites.hollow.height_angstrom": 2.5})
    result = cli("build", changed, "--runs-dir", "r", "--site", "hollow")
    assert result.returncode == 2 and "already holds results (OUTCAR)" in result.stderr
    assert (folder / "POSCAR").read_bytes() == before and (folder / "OUTCAR").exists()
    # the same study again is harmless: identical bytes
    assert cli("build", WORKFLOWS / "tb_graphene.yaml", "--runs-dir", "r", "--site", "hollow").returncode == 0


def test_unknown_site_option(cli):
    result = cli("build", "demo_tb_benzene", "--site", "top")
    assert result.returncode == 2 and "site 'top' is not in study demo_tb_benzene" in result.stderr


def test_console_script_is_installed():
    assert adatom_wf_command()[0]
