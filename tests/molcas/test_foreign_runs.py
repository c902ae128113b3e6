"""Runs adatom-wf did not write, parsed by content (fixtures/run_tbfree*, run_459: real OpenMolcas 22.10 outputs,
PROVENANCE.md in each). Expected numbers are read from the logs' own lines with plain regexes."""

import gzip
import re

import numpy as np
import pytest
from foreign_runs import FIXTURES, unpack

from adatom_wf.molcas.results_aniso import aniso_format, read_aniso
from adatom_wf.parse import parse_directory
from adatom_wf.store import read_store, write_runs


def printed_roots(text):
    modules = text.split("--- Start Module: rasscf")[1:]
    return [[float(x) for x in re.findall(r"^::    RASSCF root number\s+\d+ Total energy: (\S+)$", m, re.M)]
            for m in modules]


def printed_g(text):
    return [float(v) for v in re.findall(r"^ g[XYZ] =\s+(\S+)", text, re.M)[:3]]


def printed_so_energies(text):
    """SINGLE_ANISO's list of every SO energy (cm^-1, 14 decimals), as printed."""
    return [float(e) for e in re.findall(r"^ENERGY OF THE SPIN-ORBIT STATE \(\s*\d+\) =\s+(\S+)$", text, re.M)]


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


def test_the_log_alone(tbfree, tmp_path):
    """No h5 and no .aniso: the SO energies as SINGLE_ANISO lists them in the log, as many as the .aniso file
    gives; no doublets (MLTP 1 / 13 has no multiplet of 2 states) and no spectrum (no L, S)."""
    (unpacked := unpack("run_tbfree", tmp_path / "aniso")).joinpath("TbFree.rassi.h5").unlink()
    from_aniso = parse_directory(unpacked).record["so_energies_cm1"]
    for path in tbfree.iterdir():
        if path.suffix in (".h5", ".aniso"):
            path.unlink()
    text = (tbfree / "TbFree.log").read_text()
    record = parse_directory(tbfree).record
    assert record["status"] == "ok", record["failure"]
    assert record["multiplets"][0]["g_main"] == printed_g(text)
    assert len(record["so_energies_cm1"]) == len(from_aniso) == 74
    assert record["so_energies_cm1"] == pytest.approx(printed_so_energies(text), abs=1e-3)
    assert record["so_energies_cm1"] == pytest.approx(from_aniso, abs=1e-3)
    assert record["doublets"] == [] and record["spectrum"] is None
    assert any(w.startswith("no rassi.h5 and no SINGLE_ANISO ASCII file (.aniso): the 74 SO energies are read from "
                            "TbFree.log") and "no spectrum" in w for w in record["warnings"])
    assert "TbFree.log: no SINGLE_ANISO multiplet of 2 states (MLTP): no doublets" in record["warnings"]


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


def test_single_aniso_restart_whose_ascii_file_is_gone(tmp_path):
    """The REST 2 run with TbFree.old.aniso deleted (a data file that lived elsewhere): its SO energies from the
    log, equal in number and value to what the ASCII file gives; the log's multiplet and CRYS as before."""
    with_file = parse_directory(unpack("run_tbfree_restart", tmp_path / "with")).record
    run = unpack("run_tbfree_restart", tmp_path / "without")
    (run / "TbFree.old.aniso").unlink()
    text = (run / "TbFree.restart.log").read_text()
    record = parse_directory(run).record
    assert record["status"] == "ok", record["failure"]
    assert len(record["so_energies_cm1"]) == len(with_file["so_energies_cm1"]) == 74
    assert record["so_energies_cm1"] == pytest.approx(printed_so_energies(text), abs=1e-3)
    assert record["so_energies_cm1"] == pytest.approx(with_file["so_energies_cm1"], abs=1e-3)
    assert record["multiplets"] == with_file["multiplets"]
    assert record["crystal_field_j"] == with_file["crystal_field_j"]
    assert record["doublets"] == [] and record["spectrum"] is None  # MLTP 1 / 13: no multiplet of 2 states
    assert set(record["sources"]) == {"TbFree.restart.log"}


def test_doublets_from_the_log_are_those_of_the_ascii_file(tmp_path):
    """Test 459 (SINGLE_ANISO restarted from an ASCII file, MLTP 1 / 2) parsed with its test459.old.aniso (full
    analysis of the SO states) and without it (the log): the same doublet to the printed digits; stored and read
    back, the log's doublet keeps its numbers and jz_abs (not printed) is NaN."""
    full = parse_directory(unpack("run_459", tmp_path / "with")).record
    run = unpack("run_459", tmp_path / "without")
    (run / "test459.old.aniso").unlink()
    text = (run / "test459.log").read_text()
    result = parse_directory(run)
    record = result.record
    assert record["status"] == "ok", record["failure"]
    assert record["spectrum"] is None and full["spectrum"] is not None
    assert record["so_energies_cm1"] == pytest.approx(printed_so_energies(text), abs=1e-3)
    assert record["so_energies_cm1"] == pytest.approx(full["so_energies_cm1"], abs=1e-3)
    (ours,), (theirs,) = record["doublets"], full["doublets"]
    assert ours["energy_cm1"] == pytest.approx(theirs["energy_cm1"], abs=1e-6)
    assert ours["tunnel_splitting_cm1"] == pytest.approx(theirs["tunnel_splitting_cm1"], abs=1e-6)
    assert ours["g_principal"] == pytest.approx(theirs["g_principal"], abs=1e-8)  # the log prints 14 digits
    assert ours["g_main"] == pytest.approx(theirs["g_main"], abs=1e-8) and ours["g_main"] == max(printed_g(text))
    assert ours["jz_abs"] is None and theirs["jz_abs"] > 0
    assert "test459.log: 1 doublet(s) from SINGLE_ANISO's multiplets of 2 states (MLTP): energies from that list, " \
           "g as printed, |Jz| not printed (null)" in record["warnings"]
    write_runs(tmp_path / "store.h5", [result])
    (stored,) = read_store(tmp_path / "store.h5")["runs"]
    (back,) = stored["doublets"]
    assert {k: back[k] for k in ("energy_cm1", "tunnel_splitting_cm1", "g_main", "g_principal")} == \
        {k: ours[k] for k in ("energy_cm1", "tunnel_splitting_cm1", "g_main", "g_principal")}
    assert back["jz_abs"] is None and stored["spectrum"] is None  # stored NaN, read back null
    assert stored["so_energies_cm1"] == record["so_energies_cm1"]


def test_non_kramers_doublets_from_the_log_are_those_of_the_rassi_states(tmp_path):
    """SINGLE_ANISO alone on the Tb3+ rassi.h5, MLTP 7 / 2 2 2 2 2 2 1 (fixtures/Tb3p.doublets.log.gz), with
    that file gone: its six doublets (tunnel splittings from 1e-12 to 0.64 cm^-1) as the full analysis of the
    same rassi.h5 in run_tb3p gives them."""
    run = tmp_path / "doublets"
    run.mkdir()
    text = gzip.decompress((FIXTURES / "Tb3p.doublets.log.gz").read_bytes()).decode()
    (run / "Tb3p.doublets.log").write_text(text)
    record = parse_directory(run).record
    full = parse_directory(unpack("run_tb3p", tmp_path)).record
    assert record["status"] == "ok", record["failure"]
    assert len(record["so_energies_cm1"]) == len(full["so_energies_cm1"]) == 49
    assert record["so_energies_cm1"] == pytest.approx(full["so_energies_cm1"], abs=1e-3)
    assert len(record["doublets"]) == len(full["doublets"]) == 6
    for ours, theirs in zip(record["doublets"], full["doublets"]):
        assert ours["energy_cm1"] == pytest.approx(theirs["energy_cm1"], abs=1e-6)
        assert ours["tunnel_splitting_cm1"] == pytest.approx(theirs["tunnel_splitting_cm1"], abs=1e-6)
        assert ours["g_principal"] == pytest.approx(theirs["g_principal"], abs=1e-6)
        assert ours["jz_abs"] is None
    assert record["doublets"][3]["tunnel_splitting_cm1"] == pytest.approx(0.6373107, abs=1e-7)


def cut_list(text, state, rest):
    """``text`` with SINGLE_ANISO's SO energy list cut before ``state``'s line: then ``rest`` (a splice of the
    log, or nothing: the log ends there)."""
    return text[:text.index(f"ENERGY OF THE SPIN-ORBIT STATE ({state:4d})")] + rest


@pytest.mark.parametrize("how, failure", [
    ("the log ends inside the list", "single_aniso started but never finished (killed?) in TbFree.restart.log"),
    ("the list is cut, the log goes on",
     "TbFree.restart.log: SINGLE_ANISO's SO energies (LOW-LYING SPIN-ORBIT ENERGIES): cut after 39 states: "
     "'[lines cut here]' (expected 'ENERGY OF THE SPIN-ORBIT STATE (  40) = <cm-1>' or 'LOW-LYING SPIN-FREE "
     "ENERGIES:')"),
    ("a state's energy is not a number",
     "TbFree.restart.log: SINGLE_ANISO's SO energies (LOW-LYING SPIN-ORBIT ENERGIES): energy of SO state 40: "
     "'*************************' is not a number"),
])
def test_a_log_whose_so_energy_list_is_cut_is_a_failed_run(tmp_path, how, failure):
    run = unpack("run_tbfree_restart", tmp_path)
    (run / "TbFree.old.aniso").unlink()
    log = run / "TbFree.restart.log"
    text = log.read_text()
    after = text[text.index("ENERGY OF THE SPIN-ORBIT STATE (  41)"):]
    log.write_text({"the log ends inside the list": cut_list(text, 40, "ENERGY OF THE SPIN-ORB"),
                    "the list is cut, the log goes on": cut_list(text, 40, "[lines cut here]\n" + after),
                    "a state's energy is not a number": cut_list(text, 40, "ENERGY OF THE SPIN-ORBIT STATE (  40) ="
                                                                           + "*" * 25 + "\n" + after)}[how])
    record = parse_directory(run).record
    assert record["status"] == "failed" and "\n" not in record["failure"]  # one line, naming the log
    assert record["failure"] == failure
    assert record["so_energies_cm1"] == [] and record["doublets"] == [] and record["spectrum"] is None


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
