"""The bad-input figure: malformed studies and CLI values, each through `validate`, `build` and `molcas`.

Every case must end with exit code 2, one line on stderr (``adatom-wf: error: …``), no traceback and nothing
written under the runs folder. The verbs run in-process (adatom_wf.cli.main, as the console script does).
"""

import copy
import math

import pytest
import yaml
from conftest import WORKFLOWS

from adatom_wf.cli import main

DEMO = yaml.safe_load((WORKFLOWS / "demo_tb_benzene.yaml").read_text())
TB3 = ("molcas", "oxidation_states", "Tb3+")

# (case id, dotted path as a tuple, new value); DELETE removes the key
DELETE = object()
MUTATIONS = [
    ("name-traversal", ("name",), "../../etc"), ("name-absolute", ("name",), "/tmp/x"),
    ("name-slash", ("name",), "a/b"), ("name-semicolon", ("name",), "x;rm -rf ~"),
    ("name-backtick", ("name",), "`reboot`"), ("name-dollar", ("name",), "$(id)"),
    ("name-space", ("name",), "a b"), ("name-empty", ("name",), ""), ("name-number", ("name",), 42),
    ("name-dots", ("name",), ".."), ("name-newline", ("name",), "a\nb"), ("name-missing", ("name",), DELETE),
    ("adatom-unknown", ("adatom",), "Xx"), ("adatom-not-ln", ("adatom",), "Fe"), ("adatom-list", ("adatom",), ["Tb"]),
    ("unknown-top-key", ("colour",), "red"), ("unknown-nested-key", ("substrate", "supercel"), [8, 8]),
    ("supercell-1x1", ("substrate", "supercell"), [1, 1]), ("supercell-3x3", ("substrate", "supercell"), [3, 3]),
    ("supercell-rect", ("substrate", "supercell"), [8, 6]), ("supercell-zero", ("substrate", "supercell"), [0, 8]),
    ("supercell-three", ("substrate", "supercell"), [8, 8, 1]), ("supercell-text", ("substrate", "supercell"), "8x8"),
    ("supercell-float", ("substrate", "supercell"), [8.5, 8.5]),
    ("lattice-nan", ("substrate", "lattice_constant_angstrom"), math.nan),
    ("lattice-inf", ("substrate", "lattice_constant_angstrom"), math.inf),
    ("lattice-negative", ("substrate", "lattice_constant_angstrom"), -2.46),
    ("vacuum-small", ("substrate", "vacuum_angstrom"), 10.0),
    ("vacuum-huge", ("substrate", "vacuum_angstrom"), 1e9), ("vacuum-nan", ("substrate", "vacuum_angstrom"), math.nan),
    ("height-nan", ("sites", "hollow", "height_angstrom"), math.nan),
    ("height-inf", ("sites", "hollow", "height_angstrom"), -math.inf),
    ("height-text", ("sites", "hollow", "height_angstrom"), "high"),
    ("height-bool", ("sites", "hollow", "height_angstrom"), True),
    ("site-unknown", ("sites",), {"centre": {"height_angstrom": 2.3}}), ("sites-empty", ("sites",), {}),
    ("sites-list", ("sites",), ["hollow"]),
    ("incar-abc", ("dft", "incar", "ENCUT"), "abc"), ("incar-unknown", ("dft", "incar", "ENCUTT"), 500),
    ("incar-lower", ("dft", "incar", "encut"), 500), ("incar-nan", ("dft", "incar", "EDIFFG"), math.nan),
    ("incar-ispin", ("dft", "incar", "ISPIN"), 3), ("incar-int-float", ("dft", "incar", "NSW"), 2.5),
    ("incar-list", ("dft", "incar", "ENCUT"), [500]),
    ("kpoints-zero", ("dft", "kpoints", "grid"), [0, 4, 1]), ("kpoints-style", ("dft", "kpoints", "style"), "random"),
    ("potcar-element", ("dft", "potcars", "Qq"), "Qq"), ("functional", ("dft", "potcar_functional"), "LDA_99"),
    ("rings-zero", ("cluster", "rings"), 0), ("rings-too-many", ("cluster", "rings"), 9),
    ("rings-text", ("cluster", "rings"), "three"), ("cluster-site-absent", ("cluster", "site"), "top"),
    ("geometry", ("cluster", "geometry"), "optimised"), ("ch-bond", ("cluster", "ch_bond_angstrom"), 5.0),
    ("basis-unknown", ("molcas", "basis", "Tb"), "ANO-RCC-NOPE"), ("basis-traversal", ("molcas", "basis", "C"), "../x"),
    ("basis-missing-h", ("molcas", "basis", "H"), DELETE), ("relativity", ("molcas", "relativity"), "X2C"),
    ("orbitals-nothing-to-project", ("molcas", "orbitals"), {"guess": "projected"}),
    ("orbitals-guess-unknown", ("molcas", "orbitals"), {"guess": "hueckel"}),
    ("orbitals-project-from-cc", ("molcas", "orbitals"), {"project_from": "cc-pVDZ"}),
    ("orbitals-state-key", TB3 + ("orbitals",), {"start": "core"}),
    ("state-tb9", ("molcas", "oxidation_states", "Tb9+"), {}), ("state-dy", ("molcas", "oxidation_states", "Dy3+"), {}),
    ("state-garbage", ("molcas", "oxidation_states", "Tb+++"), {}),
    ("electrons-too-many", (*TB3, "active_space"), {"electrons": 16, "orbitals": 7}),
    ("orbitals-zero", (*TB3, "active_space"), {"electrons": 8, "orbitals": 0}),
    ("multiplicity-parity", (*TB3, "spin_states"), [{"multiplicity": 6, "roots": 7}]),
    ("roots-too-many", (*TB3, "spin_states"), [{"multiplicity": 7, "roots": 8}]),
    ("roots-negative", (*TB3, "spin_states"), [{"multiplicity": 7, "roots": -1}]),
    ("multiplet-too-big", (*TB3, "multiplet_size"), 500),
    ("charge-parity", (*TB3, "charge"), 2),  # 8 active electrons but an odd number left for the inactive orbitals
    ("character-unknown", (*TB3, "active_space", "character"), ["5g"]),
    ("min-character-nan", ("molcas", "min_character"), {"4f": math.nan}),
    ("relax-text", ("execution",), {"relax": "yes"}),
]
TEXTS = [  # (case id, file bytes)
    ("yaml-unclosed", b"name: [unclosed\n"), ("yaml-tab", b"name: x\n\tadatom: Tb\n"),
    ("yaml-duplicate-top", b"name: a\nname: b\nadatom: Tb\nsites: {hollow: {height_angstrom: 2.3}}\n"),
    ("yaml-duplicate-nested", b"name: a\nadatom: Tb\nsites: {hollow: {height_angstrom: 2.3, height_angstrom: 2.4}}\n"),
    ("yaml-empty", b""), ("yaml-comment-only", b"# nothing\n"), ("yaml-list", b"- a\n- b\n"),
    ("yaml-scalar", b"42\n"), ("yaml-python-tag", b"!!python/object/apply:os.system ['true']\n"),
    ("binary-gzip", bytes.fromhex("1f8b0800000000000003") + bytes(range(256))),
    ("binary-nul", b"name: x\x00\x01\x02\nadatom: Tb\n"), ("latin1", "name: caf\xe9\n".encode("latin-1")),
]


def mutated(path, value) -> dict:
    data = copy.deepcopy(DEMO)
    node = data
    for key in path[:-1]:
        node = node.setdefault(key, {})
    if value is DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return data


def refused(tmp_path, capsys, *args) -> str:
    """Run ``adatom-wf ARGS`` in-process; it must exit 2 with one error line and write nothing."""
    runs = tmp_path / "runs"
    with pytest.raises(SystemExit) as exit:
        main([str(a) for a in args] + ["--runs-dir", str(runs)] * (args[0] != "validate"))
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert exit.value.code == 2, (args, captured.err)
    assert len(lines) == 1 and lines[0].startswith("adatom-wf: error: "), captured.err
    assert "Traceback" not in captured.err and not captured.out
    assert not runs.exists()
    return lines[0]


def study_file(tmp_path, content) -> str:
    path = tmp_path / "study.yaml"
    path.write_bytes(content if isinstance(content, bytes) else yaml.safe_dump(content).encode())
    return str(path)


@pytest.mark.parametrize("verb", ["validate", "build", "molcas"])
@pytest.mark.parametrize(("case", "path", "value"), MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_malformed_study_is_refused_by_every_verb(tmp_path, capsys, verb, case, path, value):
    refused(tmp_path, capsys, verb, study_file(tmp_path, mutated(path, value)))


@pytest.mark.parametrize("verb", ["validate", "build", "molcas"])
@pytest.mark.parametrize(("case", "content"), TEXTS, ids=[t[0] for t in TEXTS])
def test_malformed_file_is_refused_by_every_verb(tmp_path, capsys, verb, case, content):
    refused(tmp_path, capsys, verb, study_file(tmp_path, content))


def test_bad_cli_values_are_refused(tmp_path, capsys):
    demo = study_file(tmp_path, DEMO)
    binary = tmp_path / "cell.bin"
    binary.write_bytes(bytes(range(256)) * 4)
    assert "passwd" in refused(tmp_path, capsys, "validate", "../../etc/passwd")  # read (if there), refused
    assert "bundled studies" in refused(tmp_path, capsys, "build", tmp_path / "missing.yaml")
    assert "site 'top' is not in study" in refused(tmp_path, capsys, "build", demo, "--site", "top")
    assert "is not a directory" in refused(tmp_path, capsys, "build", demo, "--potcar-dir", tmp_path / "none")
    assert "'Tb9+' is not defined" in refused(tmp_path, capsys, "molcas", demo, "--state", "Tb9+")
    assert "not found" in refused(tmp_path, capsys, "molcas", demo, "--structure", "../../nowhere/CONTCAR")
    assert "not a readable structure file" in refused(tmp_path, capsys, "molcas", demo, "--structure", binary)
    assert len(MUTATIONS) + len(TEXTS) + 7 >= 60  # the figure the issue asks for
