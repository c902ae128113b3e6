"""Runs adatom-wf did not write, parsed by content (fixtures/run_tbfree*, run_459: real OpenMolcas 22.10 outputs,
PROVENANCE.md in each). Expected numbers are read from the logs' own lines with plain regexes."""

import re

import numpy as np
import pytest
from foreign_runs import unpack

from adatom_wf.molcas.results_aniso import aniso_format, read_aniso
from adatom_wf.parse import parse_directory


def printed_roots(text):
    modules = text.split("--- Start Module: rasscf")[1:]
    return [[float(x) for x in re.findall(r"^::    RASSCF root number\s+\d+ Total energy: (\S+)$", m, re.M)]
            for m in modules]


def printed_g(text):
    return [float(v) for v in re.findall(r"^ g[XYZ] =\s+(\S+)", text, re.M)[:3]]


def printed_crys(text):
    block = text[text.index("GROUND ATOMIC MULTIPLET J"):]
    block = block[block.index("(K)^2"):]
    block = block[:block.index("------------------------------------------------|", 200)]
    return [float(b) for b in re.findall(r"^\s+\d+ \|\s+-?\d+ \|\s+\S+\s+\|\s+(\S+)\s+\|$", block, re.M)]


@pytest.fixture
def tbfree(tmp_path):
    return unpack("run_tbfree", tmp_path)


def check_against_log(record, text):
    assert record["status"] == "ok", record["failure"]
    assert [r["multiplicity"] for r in record["rasscf"]] == [7, 5]
    for run, printed in zip(record["rasscf"], printed_roots(text)):
        assert run["root_energies_hartree"] == pytest.approx(printed, abs=5e-9)  # the log prints 8 decimals
    (multiplet,) = record["multiplets"]
    assert multiplet["size"] == 13 and multiplet["g_main"] == printed_g(text)
    assert [p["b_cm1"] for p in record["crystal_field_j"]["cf_parameters"]] == printed_crys(text)
    assert len(record["so_energies_cm1"]) == 7 * 7 + 5 * 5
    assert len(record["spectrum"]["levels_cm1"]) == 13


def test_per_multiplicity_h5_files_under_their_own_names(tbfree):
    """$Project.spin7.rasscf.h5 / spin5 (the input's own >>COPY names), found by what they hold."""
    text = (tbfree / "TbFree.log").read_text()
    record = parse_directory(tbfree).record
    check_against_log(record, text)
    assert {"TbFree.spin7.rasscf.h5", "TbFree.spin5.rasscf.h5", "TbFree.rassi.h5"} <= set(record["sources"])
    checks = {c["quantity"]: c for c in record["cross_checks"]}
    assert checks["RASSCF 2S+1=7 root energies (Hartree)"]["files"] == ["TbFree.spin7.rasscf.h5", "TbFree.log"]
    assert checks["main g values of SINGLE_ANISO multiplet 1"]["max_deviation"] < 1e-8


def test_only_the_last_rasscf_h5_left(tbfree):
    """The common case: OpenMolcas overwrote $Project.rasscf.h5 with each RASSCF; the septets come from the log."""
    for name in ("TbFree.spin7.rasscf.h5", "TbFree.spin5.rasscf.h5"):
        (tbfree / name).unlink()
    text = (tbfree / "TbFree.log").read_text()
    record = parse_directory(tbfree).record
    check_against_log(record, text)
    assert any("RASSCF run 1 (2S+1=7): no rasscf.h5 holds its roots" in w for w in record["warnings"])
    assert "TbFree.rasscf.h5" in record["sources"]


def test_misleading_file_names_do_not_matter(tbfree):
    (tbfree / "TbFree.spin7.rasscf.h5").rename(tbfree / "TbFree.m5.rasscf.h5")
    (tbfree / "TbFree.spin5.rasscf.h5").rename(tbfree / "TbFree.m7.rasscf.h5")
    record = parse_directory(tbfree).record
    check_against_log(record, (tbfree / "TbFree.log").read_text())
    checks = {c["quantity"]: c for c in record["cross_checks"]}
    assert checks["RASSCF 2S+1=7 root energies (Hartree)"]["files"][0] == "TbFree.m5.rasscf.h5"


def test_without_rassi_h5_the_so_states_come_from_the_aniso_file(tbfree):
    (tbfree / "TbFree.rassi.h5").unlink()
    record = parse_directory(tbfree).record
    check_against_log(record, (tbfree / "TbFree.log").read_text())
    assert "TbFree.aniso" in record["sources"]
    assert any("SO states are read from SINGLE_ANISO's file TbFree.aniso" in w for w in record["warnings"])


def test_the_log_alone(tbfree):
    for path in tbfree.iterdir():
        if path.suffix in (".h5", ".aniso"):
            path.unlink()
    record = parse_directory(tbfree).record
    assert record["status"] == "ok", record["failure"]
    assert record["multiplets"][0]["g_main"] == printed_g((tbfree / "TbFree.log").read_text())
    assert record["so_energies_cm1"] == [] and record["doublets"] == [] and record["spectrum"] is None
    assert any("no rassi.h5 and no SINGLE_ANISO ASCII file" in w for w in record["warnings"])


def test_both_aniso_formats_hold_the_same_states(tbfree, tmp_path):
    restart = unpack("run_tbfree_restart", tmp_path / "r")
    new, old = read_aniso(tbfree / "TbFree.aniso"), read_aniso(restart / "TbFree.old.aniso")
    assert (new.file_format, old.file_format, new.molcas_version) == ("new", "old", "v22.10")
    assert np.abs(new.energies_cm1 - old.energies_cm1).max() < 1e-4  # Hartree (new) vs cm^-1 (old) digits
    assert np.abs(new.spin - old.spin).max() < 1e-12
    spin = old.spin  # a spin: [S_x, S_y] = i S_z on the whole SO space
    assert np.abs(spin[0] @ spin[1] - spin[1] @ spin[0] - 1j * spin[2]).max() < 1e-10
    assert aniso_format(tbfree / "TbFree.log") is None and aniso_format(tbfree / "TbFree.rassi.h5") is None


def test_single_aniso_restarted_from_its_ascii_file(tmp_path):
    run = unpack("run_tbfree_restart", tmp_path)
    text = (run / "TbFree.restart.log").read_text()
    record = parse_directory(run).record
    assert record["status"] == "ok", record["failure"]
    assert record["rasscf"] == [] and any("no RASSCF in the log" in w for w in record["warnings"])
    assert record["multiplets"][0]["g_main"] == printed_g(text)
    assert [p["b_cm1"] for p in record["crystal_field_j"]["cf_parameters"]] == printed_crys(text)
    checks = {c["quantity"]: c["max_deviation"] for c in record["cross_checks"]}
    assert checks["main g values of SINGLE_ANISO multiplet 1"] < 1e-8
    assert len(record["spectrum"]["levels_cm1"]) == 13 and record["spectrum"]["active_electrons"] is None


def test_openmolcas_test_459_single_aniso_only(tmp_path):
    """OpenMolcas's own test additional/459: SINGLE_ANISO from a molcas-8.0 aniso.input, no RASSCF, RASSI or h5."""
    run = unpack("run_459", tmp_path)
    text = (run / "test459.log").read_text()
    record = parse_directory(run).record
    assert record["status"] == "ok", record["failure"]
    (multiplet,) = record["multiplets"]
    assert multiplet["size"] == 2 and multiplet["g_main"] == printed_g(text)
    (doublet,) = record["doublets"]
    assert doublet["g_principal"] == pytest.approx(sorted(printed_g(text)), abs=1e-8)
    assert record["spectrum"]["kramers"] is True and record["crystal_field_j"] is None
    assert len(record["so_energies_cm1"]) == 14


def test_a_real_openmolcas_25_02_run_reads_as_the_log_prints_and_as_22_10_gave(tmp_path):
    """The demo's Tb3+ input run by Debian trixie's OpenMolcas 25.02 (fixtures/run_tb3p_v25.02/PROVENANCE.md):
    every number equal to what its log prints, and to the 22.10 run of the same input to the printed digits."""
    run = unpack("run_tb3p_v25.02", tmp_path)
    text = (run / "Tb3p.casscf.log").read_text()
    assert "version: v25.02" in text
    record = parse_directory(run).record
    assert record["status"] == "ok", record["failure"]
    assert record["molcas_version"] == "v25.02" and [r["multiplicity"] for r in record["rasscf"]] == [7]
    # the h5 holds them in full; the log prints 8 decimals (25.02: -11928.02591446 for ...025914466): one last digit
    assert record["rasscf"][0]["root_energies_hartree"] == pytest.approx(printed_roots(text)[0], abs=1e-8)
    (multiplet,) = record["multiplets"]
    assert multiplet["size"] == 13 and multiplet["g_main"] == printed_g(text)
    crys = [p["b_cm1"] for p in record["crystal_field_j"]["cf_parameters"]]
    assert crys == printed_crys(text)
    old = parse_directory(unpack("run_tb3p", tmp_path / "v22.10")).record
    assert old["molcas_version"] == "v22.10"
    assert multiplet["g_main"] == pytest.approx(old["multiplets"][0]["g_main"], abs=2e-6)  # 6 decimals printed
    # B(k,q) that C6v forbids are numerical noise (1e-10 … 1e-7 cm-1) and differ between the versions
    assert crys == pytest.approx([p["b_cm1"] for p in old["crystal_field_j"]["cf_parameters"]], rel=1e-4, abs=1e-6)
    assert record["so_energies_cm1"][:13] == pytest.approx(old["so_energies_cm1"][:13], abs=1e-3)
