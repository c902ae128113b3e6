"""Parsing VASP run directories on real recorded outputs (tests/fixtures/vasp, see PROVENANCE.md).

Expected numbers are read from the recorded files here with plain regular expressions, never copied from the
parser. Broken runs are made at test time from the real files (cut, emptied, corrupted).
"""

import hashlib
import json
import re
from pathlib import Path

import numpy as np
import pytest
from ase import Atoms
from ase.io import write

from adatom_wf.errors import ParseError
from adatom_wf.structure.substrate import graphene_supercell
from adatom_wf.vasp.results import (
    is_vasp_run,
    outcar_electronic_converged,
    outcar_energies,
    outcar_last_ionic_step,
    outcar_tag,
    parse_vasp_run,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "vasp"
VASPRUN = FIXTURES / "c_diamond_vasp630" / "vasprun.xml"
OUTCAR = FIXTURES / "ni18_vasp533" / "OUTCAR"
MOLCAS_RUN = Path(__file__).resolve().parents[1] / "molcas" / "fixtures" / "run_tb3p"
RESULT_NUMBERS = ("energy_ev", "energy_sigma0_ev", "max_force_ev_per_angstrom", "adatom_height_angstrom",
                  "final_structure")
KBAR_CUBIC_ANGSTROM_EV = 1e-22 / 1.602176634e-19


def run_dir(tmp_path: Path, name: str = "hollow", vasprun: str | None = None, outcar: str | None = None) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    if vasprun is not None:
        (folder / "vasprun.xml").write_text(vasprun, encoding="latin-1")
    if outcar is not None:
        (folder / "OUTCAR").write_text(outcar, encoding="latin-1")
    return folder


def vasprun_text() -> str:
    return VASPRUN.read_text(encoding="latin-1")


def outcar_text() -> str:
    return OUTCAR.read_text(encoding="latin-1")


def plain(value) -> bool:
    """Only JSON's own types, all the way down (no numpy scalars)."""
    if isinstance(value, dict):
        return all(isinstance(k, str) and plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(plain(v) for v in value)
    return value is None or type(value) in (str, int, float, bool)


# --- vasprun.xml ----------------------------------------------------------------------------------------------

def test_a_complete_vasprun_gives_the_energies_of_its_last_blocks(tmp_path):
    text = vasprun_text()
    folder = run_dir(tmp_path, vasprun=text)
    record = parse_vasp_run(folder)
    # the file's own numbers: the <calculation>-level <energy> block (an enthalpy: it includes PSTRESS·V),
    # and the last <scstep>'s energies (no PV term)
    calculation = text[text.rfind("<calculation>"):]
    ionic = calculation[calculation.rfind("<energy>"):]
    last_scstep = calculation[calculation.rfind("<scstep>"):calculation.rfind("</scstep>")]

    def number(block, name):
        return float(re.search(rf'<i name="{name}">\s*(\S+)\s*</i>', block).group(1))

    pstress = float(re.search(r'<i name="PSTRESS">\s*(\S+)\s*</i>', text).group(1))
    volume = float(re.findall(r'<i name="volume">\s*(\S+)\s*</i>', calculation)[-1])
    free_energy = number(ionic, "e_fr_energy") - pstress * volume * KBAR_CUBIC_ANGSTROM_EV

    assert record["status"] == "ok" and record["failure"] is None
    assert record["kind"] == "vasp" and record["site"] == "hollow" and record["path"] == str(folder.resolve())
    assert record["vasp_version"] == "6.3.0" and record["natoms"] == 2 and record["ionic_steps"] == 1
    assert record["energy_ev"] == pytest.approx(free_energy, abs=1e-7)
    assert record["energy_ev"] == pytest.approx(number(last_scstep, "e_fr_energy"), abs=1e-7)  # = OUTCAR's TOTEN
    assert record["energy_sigma0_ev"] == pytest.approx(number(last_scstep, "e_0_energy"), abs=1e-7)
    # not the <calculation>-level e_0_energy (PV included; wrong in VASP 5): pymatgen's final_energy is that one
    assert abs(record["energy_sigma0_ev"] - number(ionic, "e_0_energy")) > 1e-3
    assert record["converged"] is True and record["nsw"] == 0 and record["ediffg"] == 0.001
    assert record["max_force_ev_per_angstrom"] == 0.0
    assert record["structure_source"] == "vasprun.xml" and record["final_structure"]["symbols"] == ["C", "C"]
    assert record["sources"] == {"vasprun.xml": hashlib.sha256(VASPRUN.read_bytes()).hexdigest()}
    assert record["warnings"] == ["VASP wrote no CONTCAR: final structure from vasprun.xml"]
    assert record["adatom"] is None and record["adatom_height_angstrom"] is None
    assert plain(record.as_dict()) and json.loads(json.dumps(record.as_dict())) == record.as_dict()


def test_a_run_outside_a_site_folder_has_no_site(tmp_path):
    assert parse_vasp_run(run_dir(tmp_path, "relax_1", vasprun=vasprun_text()))["site"] is None


# --- OUTCAR fallback ------------------------------------------------------------------------------------------

def test_an_outcar_alone_is_read_when_it_has_its_timing_footer(tmp_path):
    text = outcar_text()
    record = parse_vasp_run(run_dir(tmp_path, outcar=text))
    final = text[text.rfind("FREE ENERGIE OF THE ION-ELECTRON SYSTEM"):]
    toten = float(re.search(r"free\s+energy\s+TOTEN\s*=\s*(\S+)", final).group(1))
    sigma0 = float(re.search(r"energy\(sigma->0\)\s*=\s*(\S+)", final).group(1))
    force_block = text[text.rfind("TOTAL-FORCE"):].split("\n")[2:]
    forces = []
    for line in force_block:
        if line.strip().startswith("---"):
            break
        forces.append([float(x) for x in line.split()[3:6]])

    assert record["status"] == "ok", record["failure"]
    assert record["vasp_version"] == "5.3.3" and record["natoms"] == 18 == len(forces)
    assert record["ionic_steps"] == text.count("FREE ENERGIE OF THE ION-ELECTRON SYSTEM") == 1
    assert record["energy_ev"] == toten and record["energy_sigma0_ev"] == sigma0
    assert record["max_force_ev_per_angstrom"] == pytest.approx(np.linalg.norm(forces, axis=1).max(), abs=1e-9)
    assert record["converged"] is True and record["nsw"] == 0 and record["ediffg"] == 0.001
    assert record["structure_source"] == "OUTCAR" and set(record["final_structure"]["symbols"]) == {"Ni"}
    assert list(record["sources"]) == ["OUTCAR"] and plain(record.as_dict())


def test_outcar_blocks():
    text = outcar_text()
    header = text.split("- Iteration", 1)[0]
    assert [outcar_tag(header, tag) for tag in ("NSW", "IBRION", "EDIFFG", "NELM")] == ["0", "-1", "0.1E-02", "120"]
    assert outcar_tag(header, "NOSUCHTAG") is None
    count, last = outcar_last_ionic_step(text, OUTCAR)
    assert count == 1 and last.startswith(" vasp.5.3.3")  # the only step runs from the start of the file
    assert outcar_energies(last, OUTCAR) == (-68.22868532, -68.23102426)
    assert outcar_electronic_converged(last)
    with pytest.raises(ParseError, match="OUTCAR: no 'FREE ENERGIE OF THE ION-ELECTRON SYSTEM' block"):
        outcar_last_ionic_step(text.split("- Iteration", 1)[0], OUTCAR)


def test_an_empty_vasprun_falls_back_to_a_finished_outcar_and_says_so(tmp_path):
    record = parse_vasp_run(run_dir(tmp_path, vasprun="", outcar=outcar_text()))
    assert record["status"] == "ok" and record["structure_source"] == "OUTCAR"
    assert "vasprun.xml is empty: results read from OUTCAR" in record["warnings"]
    assert set(record["sources"]) == {"vasprun.xml", "OUTCAR"}


# --- failed runs: a reason, no numbers, never an exception ---------------------------------------------------

def killed_vasprun() -> str:
    text = vasprun_text()
    cut = text.rfind("<scstep>") + len("<scstep>")
    return text[:cut] + "\n   <time name=\"dav\">"


def unfinished_outcar() -> str:
    text = outcar_text()
    return text[: text.find("General timing")]


FAILED = {
    "vasprun killed inside an scstep": (
        lambda: {"vasprun": killed_vasprun()},
        "vasprun.xml ends inside an <scstep>: VASP was stopped mid-run"),
    "vasprun killed, outcar unfinished": (
        lambda: {"vasprun": killed_vasprun(), "outcar": unfinished_outcar()},
        "vasprun.xml ends inside an <scstep>: VASP was stopped mid-run; "
        "OUTCAR has no timing footer: VASP did not finish"),
    "outcar without its timing footer": (
        lambda: {"outcar": unfinished_outcar()},
        "OUTCAR has no timing footer: VASP did not finish"),
    "empty vasprun, outcar unfinished": (
        lambda: {"vasprun": "", "outcar": unfinished_outcar()},
        "vasprun.xml is empty; OUTCAR has no timing footer: VASP did not finish"),
    "vasprun with a chunk missing (malformed XML)": (
        lambda: {"vasprun": vasprun_text()[:20000] + vasprun_text()[21000:]},
        "vasprun.xml is unreadable ("),
    "vasprun with a Fortran overflow for the energy": (
        lambda: {"vasprun": vasprun_text().replace("-20.23985977", "************")},
        "vasprun.xml: last <calculation> block: e_fr_energy is not a number"),
    "vasprun not converged electronically (NELM lowered to 5)": (
        lambda: {"vasprun": vasprun_text().replace('name="NELM">    60<', 'name="NELM">     5<')},
        "electronic self-consistency not reached in the last ionic step (NELM = 5)"),
    "finished outcar with its ionic blocks cut out": (
        lambda: {"outcar": outcar_text()[:outcar_text().find("Iteration") - 100]
                 + outcar_text()[outcar_text().find("General timing") - 100:]},
        "OUTCAR: no 'FREE ENERGIE OF THE ION-ELECTRON SYSTEM' block"),
    "outcar not converged electronically (its 'EDIFF is reached' line removed, as VASP 5 leaves it at NELM)": (
        lambda: {"outcar": re.sub(r".*aborting loop because EDIFF is reached.*\n", "", outcar_text())},
        "electronic self-consistency not reached in the last ionic step (NELM = 120)"),
    "garbage vasprun, outcar unfinished": (
        lambda: {"vasprun": "\x00\x17not xml at all " * 50, "outcar": unfinished_outcar()},
        "vasprun.xml is unreadable (no <generator> naming program vasp at its start); "
        "OUTCAR has no timing footer: VASP did not finish"),
}


@pytest.mark.parametrize("case", FAILED, ids=list(FAILED))
def test_a_broken_run_is_a_failed_record_with_a_reason_and_no_numbers(tmp_path, case):
    make, reason = FAILED[case]
    record = parse_vasp_run(run_dir(tmp_path, **make()))
    assert record["status"] == "failed"
    assert record["failure"].startswith(reason), record["failure"]
    assert all(record[key] is None for key in RESULT_NUMBERS)
    assert record["structure_source"] is None and record["converged"] in (False, None)
    assert record["sources"] and plain(record.as_dict())


def test_a_failed_run_keeps_what_is_known_about_it(tmp_path):
    text = vasprun_text().replace('name="NELM">    60<', 'name="NELM">     5<')
    record = parse_vasp_run(run_dir(tmp_path, vasprun=text))
    assert record["ionic_steps"] == 1 and record["natoms"] == 2 and record["converged"] is False
    assert record["vasp_version"] == "6.3.0" and record["nsw"] == 0


def test_a_garbage_vasprun_beside_a_finished_outcar_is_read_from_the_outcar(tmp_path):
    record = parse_vasp_run(run_dir(tmp_path, vasprun="\x00\x17not xml " * 50, outcar=outcar_text()))
    assert record["status"] == "ok" and record["structure_source"] == "OUTCAR"
    assert record["warnings"][0] == ("vasprun.xml is unreadable (no <generator> naming program vasp at its start): "
                                     "results read from OUTCAR")


# --- detection by content -------------------------------------------------------------------------------------

def test_detection_is_by_content_not_by_name(tmp_path):
    assert is_vasp_run(run_dir(tmp_path, "diamond", vasprun=vasprun_text()))
    assert is_vasp_run(run_dir(tmp_path, "ni18", outcar=outcar_text()))
    assert is_vasp_run(run_dir(tmp_path, "killed", vasprun=killed_vasprun()))
    assert not is_vasp_run(MOLCAS_RUN)  # a real OpenMolcas run
    assert not is_vasp_run(run_dir(tmp_path, "empty"))
    assert not is_vasp_run(tmp_path / "missing")
    assert not is_vasp_run(run_dir(tmp_path, "named_only", vasprun="<modeling>\n</modeling>\n", outcar="OUTCAR\n"))
    for folder in (MOLCAS_RUN, tmp_path / "empty", tmp_path / "named_only"):
        with pytest.raises(ParseError, match="not a VASP run"):
            parse_vasp_run(folder)


# --- final structure and adatom height ------------------------------------------------------------------------

HEIGHT = 2.2345678


def tb_on_graphene(tilt=(0.0, 0.0)) -> Atoms:
    """4×4 graphene (32 C) buckled ±0.05 Å about z = 0, so half the layer wraps to the top of the cell, with Tb
    at a hexagon centre HEIGHT above the mean plane; optionally a c vector tilted in-plane."""
    atoms = graphene_supercell(4, 4, 2.467, 15.0, 0.0)
    atoms.positions[:, 2] = [0.05 if i % 2 else -0.05 for i in range(len(atoms))]
    cell = atoms.cell.array.copy()
    cell[2, :2] = tilt
    atoms.set_cell(cell)
    centre = (cell[0] + cell[1]) / 4  # a lattice point of the primitive cell: a hexagon centre
    atoms += Atoms("Tb", positions=[(centre[0], centre[1], HEIGHT)])
    atoms.wrap()
    return atoms


@pytest.mark.parametrize("tilt", [(0.0, 0.0), (1.3, -0.7)], ids=["upright c", "tilted c"])
def test_adatom_height_from_contcar_with_the_layer_straddling_the_cell_boundary(tmp_path, tilt):
    atoms = tb_on_graphene(tilt)
    assert atoms.positions[:, 2].max() > 14.9  # half the layer sits at the top of the cell
    folder = run_dir(tmp_path, "top", vasprun=vasprun_text())
    write(folder / "CONTCAR", atoms, format="vasp", direct=True)
    record = parse_vasp_run(folder)
    assert record["status"] == "ok" and record["site"] == "top"
    assert record["adatom"] == "Tb" and record["structure_source"] == "CONTCAR" and record["natoms"] == 33
    assert record["adatom_height_angstrom"] == pytest.approx(HEIGHT, abs=1e-6)
    assert "CONTCAR has 33 atoms but vasprun.xml 2" in record["warnings"]
    assert set(record["sources"]) == {"vasprun.xml", "CONTCAR"}
    structure = record["final_structure"]
    assert structure["symbols"] == atoms.get_chemical_symbols()
    assert np.allclose(structure["positions_angstrom"], atoms.positions, atol=1e-6)


def test_adatom_given_by_name_and_other_substrates(tmp_path):
    folder = run_dir(tmp_path, "hollow", vasprun=vasprun_text())
    write(folder / "CONTCAR", tb_on_graphene(), format="vasp", direct=True)
    assert parse_vasp_run(folder, adatom="Tb")["adatom_height_angstrom"] == pytest.approx(HEIGHT, abs=1e-6)
    absent = parse_vasp_run(folder, adatom="Dy")
    assert absent["adatom"] == "Dy" and absent["adatom_height_angstrom"] is None
    assert "0 Dy atoms in the final structure: no adatom height" in absent["warnings"]
    boron = parse_vasp_run(folder, substrate_element="B")
    assert boron["adatom_height_angstrom"] is None and "no B atoms in the final structure" in boron["warnings"][-1]


def test_an_unreadable_contcar_leaves_the_vasprun_structure(tmp_path):
    folder = run_dir(tmp_path, "bridge", vasprun=vasprun_text())
    (folder / "CONTCAR").write_text("not a POSCAR\n")
    record = parse_vasp_run(folder)
    assert record["status"] == "ok" and record["structure_source"] == "vasprun.xml" and record["natoms"] == 2
    assert record["warnings"][0].startswith("CONTCAR is unreadable (")
    assert "CONTCAR" not in record["sources"]


# --- Table 1 (adatom_wf.report.table1) on real runs -------------------------------------------------------

def test_table1_from_three_real_site_runs(tmp_path):
    from adatom_wf.report import table1

    records = [parse_vasp_run(run_dir(tmp_path, site, vasprun=vasprun_text())) for site in ("bridge", "hollow", "top")]
    rows = table1(records)
    assert [row["site"] for row in rows] == ["hollow", "top", "bridge"]
    assert all(row["e_ads_rel_mev"] == 0.0 and row["status"] == "ok" for row in rows)
