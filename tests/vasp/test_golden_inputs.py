"""VASP inputs of the paper's study, site by site: golden files, and what they must hold.

The golden files ``tests/vasp/golden/tb_graphene/<site>/{INCAR,KPOINTS,POSCAR,POTCAR.spec}`` are what
``adatom-wf build workflows/tb_graphene.yaml`` writes without a POTCAR library (hence POTCAR.spec, the
potentials to fetch, instead of the licensed POTCAR). They are also the references the VASP stand-in
checks its inputs against (``"golden": "tb_graphene/{site}"`` in its control file; see
tests/standins/vasp_standin.py). The demo-like studies of tests/execution/studies.py need no goldens of
their own: their inputs differ from these only in the study's name (INCAR SYSTEM, POSCAR comment), which
the stand-in does not compare.

Regenerate the golden files after an intended change with
``ADATOM_WF_UPDATE_GOLDEN=1 pytest tests/vasp/test_golden_inputs.py`` and review the diff.
"""

import os
import subprocess
from pathlib import Path

import pytest
from conftest import WORKFLOWS, adatom_wf_command

GOLDEN = Path(__file__).parent / "golden" / "tb_graphene"
SITES = ("hollow", "top", "bridge")
FILES = ("INCAR", "KPOINTS", "POSCAR", "POTCAR.spec")
REGENERATE = "ADATOM_WF_UPDATE_GOLDEN=1 pytest tests/vasp/test_golden_inputs.py"

# shared/REFERENCE.md, paper 1: the DFT step and Table 1 (Tb height above the layer per site).
PAPER_INCAR = {"ENCUT": 500.0, "ENAUG": 645.0, "EDIFFG": -0.01, "ISPIN": 1.0, "IBRION": 2.0, "ISIF": 2.0}
PAPER_HEIGHT_ANGSTROM = {"hollow": 2.28, "top": 2.32, "bridge": 2.38}
GRAPHENE_LATTICE_ANGSTROM = 2.467
SUPERCELL = 8
VACUUM_ANGSTROM = 15.0


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """``adatom-wf build`` of the paper's study as a user runs it, with no POTCAR library anywhere.

    An empty pymatgen config file and no PMG_VASP_PSP_DIR make sure a library on this machine cannot turn
    POTCAR.spec into a POTCAR. Returns runs/tb_graphene/dft/.
    """
    root = tmp_path_factory.mktemp("golden_build")
    (root / "pmgrc.yaml").write_text("")
    env = {k: v for k, v in os.environ.items() if k not in ("PMG_VASP_PSP_DIR", "VASP_PSP_DIR")}
    env["PMG_CONFIG_FILE"] = str(root / "pmgrc.yaml")
    result = subprocess.run(
        adatom_wf_command() + ["build", str(WORKFLOWS / "tb_graphene.yaml"), "--runs-dir", str(root / "runs")],
        capture_output=True, text=True, cwd=root, env=env, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return root / "runs" / "tb_graphene" / "dft"


def first_difference(golden: str, built: str) -> str:
    """Where two texts first differ, as 'line N: golden ... / built ...' (the line a reviewer must look at)."""
    golden_lines, built_lines = golden.splitlines(keepends=True), built.splitlines(keepends=True)
    for number, (theirs, mine) in enumerate(zip(golden_lines, built_lines), start=1):
        if theirs != mine:
            return f"line {number}: golden {theirs!r} / built {mine!r}"
    return f"golden has {len(golden_lines)} lines, built {len(built_lines)} (same up to the shorter)"


@pytest.mark.parametrize("site", SITES)
def test_built_inputs_match_the_golden_files_byte_for_byte(built, site):
    update = os.environ.get("ADATOM_WF_UPDATE_GOLDEN") == "1"
    made = sorted(path.name for path in (built / site).iterdir())
    assert made == sorted(FILES), f"adatom-wf build wrote {made} for {site}, expected {sorted(FILES)}"
    for name in FILES:
        golden, text = GOLDEN / site / name, (built / site / name).read_bytes()
        if update:
            golden.parent.mkdir(parents=True, exist_ok=True)
            golden.write_bytes(text)
        assert golden.is_file(), f"{golden} is missing (ADATOM_WF_UPDATE_GOLDEN=1 writes it)"
        if golden.read_bytes() != text:
            pytest.fail(f"{golden} differs from what adatom-wf build writes, first at "
                        f"{first_difference(golden.read_text(), text.decode())}; if intended, regenerate with "
                        f"{REGENERATE}")


def test_no_stray_golden_files():
    """Only the built files are golden: a leftover (a renamed site, an old POTCAR) would mislead reviewers."""
    present = {path.relative_to(GOLDEN).as_posix() for path in GOLDEN.rglob("*") if path.is_file()}
    assert present == {f"{site}/{name}" for site in SITES for name in FILES}


# --- the paper's settings, read from the golden text with plain parsing (not with the code under test) -----

def incar_numbers(text: str) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in text.splitlines() if "=" in line)
    return {key.strip(): value.strip() for key, value in pairs}


def poscar_fields(text: str) -> dict:
    """Lattice rows (Å), species, counts and fractional positions of a POSCAR written with scale 1 and Direct."""
    lines = [line.split() for line in text.splitlines()]
    assert float(lines[1][0]) == 1.0 and lines[7][0].lower().startswith("d"), "expected scale 1.0 and Direct"
    counts = [int(n) for n in lines[6]]
    return {
        "lattice": [[float(x) for x in lines[i]] for i in (2, 3, 4)],
        "species": lines[5],
        "counts": counts,
        "fractional": [[float(x) for x in line[:3]] for line in lines[8:8 + sum(counts)]],
        "symbols": [line[3] for line in lines[8:8 + sum(counts)]],
    }


@pytest.mark.parametrize("site", SITES)
def test_golden_incar_holds_the_paper_settings(site):
    tags = incar_numbers((GOLDEN / site / "INCAR").read_text())
    assert {key: float(tags[key]) for key in PAPER_INCAR} == PAPER_INCAR
    assert tags["SYSTEM"] == f"tb_graphene {site}"
    assert "GGA" not in tags  # PBE comes from the PBE POTCARs (LEXCH = PE), not from an INCAR override


@pytest.mark.parametrize("site", SITES)
def test_golden_kpoints_are_a_gamma_centred_4x4x1_grid(site):
    lines = (GOLDEN / site / "KPOINTS").read_text().splitlines()
    assert lines[1].split() == ["0"]  # automatic generation
    assert lines[2].strip().upper().startswith("G")  # Gamma-centred, not Monkhorst-Pack
    assert lines[3].split() == ["4", "4", "1"]
    assert all(not line.strip() or line.split() == ["0", "0", "0"] for line in lines[4:])  # no shift


@pytest.mark.parametrize("site", SITES)
def test_golden_poscar_is_128_carbon_and_one_tb_at_the_table_1_height(site):
    poscar = poscar_fields((GOLDEN / site / "POSCAR").read_text())
    assert poscar["species"] == ["C", "Tb"] and poscar["counts"] == [128, 1]
    assert poscar["symbols"] == ["C"] * 128 + ["Tb"]
    a_angstrom = SUPERCELL * GRAPHENE_LATTICE_ANGSTROM
    (ax, ay, az), (bx, by, bz), (cx, cy, cz) = poscar["lattice"]
    assert (ax, ay, az) == pytest.approx((a_angstrom, 0, 0), abs=1e-8)
    assert (bx, by, bz) == pytest.approx((a_angstrom / 2, a_angstrom * 3 ** 0.5 / 2, 0), abs=1e-8)
    assert (cx, cy, cz) == pytest.approx((0, 0, VACUUM_ANGSTROM), abs=1e-8)
    carbon_z = {round(f[2] * cz, 8) for f in poscar["fractional"][:128]}
    assert len(carbon_z) == 1, "the graphene layer is flat before relaxation"
    tb_height_angstrom = poscar["fractional"][128][2] * cz - carbon_z.pop()
    assert tb_height_angstrom == pytest.approx(PAPER_HEIGHT_ANGSTROM[site], abs=1e-8)


@pytest.mark.parametrize("site", SITES)
def test_golden_potcar_spec_lists_pbe_c_and_the_open_core_tb_3(site):
    """One line per POSCAR species, in POSCAR order: C, then Tb_3 (4f^8 frozen in the core)."""
    assert (GOLDEN / site / "POTCAR.spec").read_text() == "C\nTb_3\n"
