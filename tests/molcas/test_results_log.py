"""The OpenMolcas log readers, one test per block, on trimmed real logs (fixtures/logs, see PROVENANCE.md).

Expected numbers are read from the fixture lines here with plain regexes or string slicing, never from the
readers themselves. Broken blocks are made by cutting or editing copies of the real text.
"""

import re
from pathlib import Path

import pytest

from adatom_wf.errors import ParseError
from adatom_wf.molcas.results_log import (
    crystal_field_j,
    molcas_version,
    multiplet_doublets,
    number,
    rasscf_runs,
    single_aniso_multiplets,
    spin_orbit_energies,
)

LOGS = Path(__file__).parent / "fixtures" / "logs"
MULTIPLET_1 = "CALCULATION OF PSEUDOSPIN HAMILTONIAN TENSORS FOR THE MULTIPLET 1"
CF_J = "CALCULATION OF CRYSTAL-FIELD PARAMETERS OF THE GROUND ATOMIC MULTIPLET"
ZFS_ESO = "The ZFS Hamiltonian:\n   ZFS = SUM_{k,q} * [ B(k,q) * O(k,q) ];"


def read(name):
    return (LOGS / name).read_text()


@pytest.fixture(scope="module")
def tb3p():
    return read("Tb3p.casscf.v22.10.trimmed.log")


@pytest.fixture(scope="module")
def tb2p():
    return read("Tb2p.casscf.v22.10.trimmed.log")


def printed_eso(text, after):
    """{(k, q): B} of the first 'k | q | K^2 | B' table after the text ``after``, by plain regex."""
    block = text[text.index(after):]
    title = re.search(r"^  k \|  q  \|    \((?:Knm|K)\)\^2 +\|         B\(k,q\)        \|$", block, re.M)
    table = block[title.end():block.index("-" * 48 + "|\n", title.end())]
    return {(int(k), int(q)): float(b) for k, q, b in re.findall(r"^\s*(\d+) \|\s*(-?\d+) \|\s*[\d.]+\s*\|\s*(\S+) \|$",
                                                                    table, re.M)}


def printed_g(text, after):
    """gX, gY, gZ and the Xm, Ym, Zm rows of the first g TENSOR table after ``after``."""
    row = r"^ g([XYZ]) =\s+(\S+) \| [XYZ]m \|\s+(\S+)\s+(\S+)\s+(\S+) \|$"
    rows = re.findall(row, text[text.index(after):], re.M)[:3]
    assert [row[0] for row in rows] == ["X", "Y", "Z"]
    return [float(row[1]) for row in rows], [[float(v) for v in row[2:]] for row in rows]


def printed_energies(text, after, count):
    return [float(x) for x in re.findall(r"^spin-orbit state\s*\d+[.;] energy\(\s*\d+\) =\s+(\S+) cm-1\.$",
                                         text[text.index(after):], re.M)[:count]]


# --- version ---------------------------------------------------------------------------------------

def test_version(tb3p):
    assert re.search(r"version: v22\.10 \?$", tb3p, re.M)
    assert molcas_version(tb3p) == "v22.10"
    assert molcas_version("OpenMolcas is distributed under the GNU LGPL version 2.1.") is None


# --- RASSCF ----------------------------------------------------------------------------------------

def test_rasscf_block(tb3p):
    (run,) = rasscf_runs(tb3p, "Tb3p.casscf.log")
    printed = [float(x) for x in re.findall(r"^::    RASSCF root number\s+\d+ Total energy: (\S+)$", tb3p, re.M)]
    assert len(printed) == 7
    assert run == {"multiplicity": 7, "converged": True, "iterations": 18, "root_energies_hartree": printed,
                   "active_electrons": 8}
    assert "Convergence after 18 iterations" in tb3p and "Spin quantum number                      3.0" in tb3p
    assert "Number of electrons in active shells       8" in tb3p


def test_rasscf_blocks_of_two_multiplicities_follow_the_input(tb2p):
    runs = rasscf_runs(tb2p, "Tb2p.casscf.log")
    spins = [int(s) for s in re.findall(r"^  Spin = (\d+)$", tb2p, re.M)]  # the input, echoed in the log
    assert [run["multiplicity"] for run in runs] == spins == [8, 6]
    modules = tb2p.split("--- Start Module: rasscf")[1:]
    for run, module in zip(runs, modules):
        assert run["converged"] is True
        assert run["iterations"] == int(re.search(r"Convergence after (\d+) iterations", module).group(1))
        assert run["root_energies_hartree"] == [float(x) for x in re.findall(r"Total energy: (\S+)", module)]
        assert len(run["root_energies_hartree"]) == 21


def test_a_rasscf_that_did_not_converge():
    text = read("Tb3p.notconverged.v22.10.trimmed.log")
    assert "/rc=_RC_NOT_CONVERGED_ ---" in text and "No convergence after  3 iterations" in text
    (run,) = rasscf_runs(text, "Tb3p.notconverged.log")
    assert run["multiplicity"] == 7 and run["converged"] is False and run["iterations"] == 3
    assert run["root_energies_hartree"] == [float(x) for x in re.findall(r"Total energy: (\S+)", text)]
    assert len(run["root_energies_hartree"]) == 7  # printed although not converged


def test_a_rasscf_that_stopped_at_200_iterations():
    """Real: Tb2+ on benzene in the paper's basis oscillated to RASSCF's limit; the count has no space before it."""
    text = read("Tb2p.notconverged200.v22.10.trimmed.log")
    assert "No convergence after200 iterations" in text
    (run,) = rasscf_runs(text, "Tb2p.notconverged200.log")
    assert run["multiplicity"] == 8 and run["converged"] is False and run["iterations"] == 200
    assert run["root_energies_hartree"] == [float(x) for x in re.findall(r"Total energy: (\S+)", text)]
    assert len(run["root_energies_hartree"]) == 21


def test_a_rasscf_cut_by_the_end_of_the_log_is_not_converged(tb3p):
    cut = tb3p[:tb3p.index("Convergence after 18 iterations")]
    assert rasscf_runs(cut, "x.log") == [{"multiplicity": 7, "converged": False, "iterations": None,
                                          "root_energies_hartree": [], "active_electrons": 8}]


def test_a_finished_rasscf_without_its_energies_is_an_error(tb3p):
    first, last = tb3p.index("::    RASSCF root number  5"), tb3p.index("::    RASSCF root number  7")
    with pytest.raises(ParseError, match=r"^Tb3p.casscf.log: RASSCF run 1: 4 'RASSCF root number N Total energy' "
                                         r"lines, expected 7"):
        rasscf_runs(tb3p[:first] + tb3p[tb3p.index("\n", last) + 1:], "Tb3p.casscf.log")
    garbled = tb3p.replace("Total energy: -11928.02541145", "Total energy: -11928.0254114X", 1)
    with pytest.raises(ParseError, match=r"RASSCF run 1: energy of root 6: '-11928.0254114X' is not a number"):
        rasscf_runs(garbled, "Tb3p.casscf.log")


# --- SINGLE_ANISO multiplets --------------------------------------------------------------------

def test_multiplet_block_non_kramers(tb3p):
    (multiplet,) = single_aniso_multiplets(tb3p, "Tb3p.casscf.log")
    assert "( effective S = 6)" in tb3p
    assert (multiplet["index"], multiplet["size"], multiplet["pseudospin"]) == (1, 13, "6")
    assert multiplet["energies_cm1"] == printed_energies(tb3p, MULTIPLET_1, 13)
    assert multiplet["energies_cm1"][2] == 155.864 and multiplet["energies_cm1"][-1] == 641.769
    assert (multiplet["g_main"], multiplet["g_axes"]) == printed_g(tb3p, MULTIPLET_1)
    parameters = {(p["k"], p["q"]): p["b_cm1"] for p in multiplet["cf_parameters"]}
    assert parameters == printed_eso(tb3p, ZFS_ESO)  # the ZFS table, not the magnetic moment's (odd k, "i")
    assert sorted({k for k, _ in parameters}) == [2, 4, 6, 8, 10, 12] and len(parameters) == 90
    assert parameters[(2, 0)] == -0.60746427059552e1


def test_multiplet_block_kramers(tb2p):
    (multiplet,) = single_aniso_multiplets(tb2p, "Tb2p.casscf.log")
    assert "( effective S = 13/2)" in tb2p
    assert (multiplet["index"], multiplet["size"], multiplet["pseudospin"]) == (1, 14, "13/2")
    assert multiplet["energies_cm1"] == printed_energies(tb2p, MULTIPLET_1, 14)
    assert (multiplet["g_main"], multiplet["g_axes"]) == printed_g(tb2p, MULTIPLET_1)
    assert {(p["k"], p["q"]): p["b_cm1"] for p in multiplet["cf_parameters"]} == printed_eso(tb2p, ZFS_ESO)
    assert len(multiplet["cf_parameters"]) == 90  # k = 2..12: "k = 12 may not be the highest rank"


def test_doublet_blocks_of_the_non_kramers_ion():
    text = read("Tb3p.doublets.v22.10.trimmed.log")
    doublets = single_aniso_multiplets(text, "Tb3p.doublets.log")
    headers = re.findall(r"MULTIPLET\s*(\d+) \( effective S =\s+(\S+)\)", text)
    assert [(d["index"], d["pseudospin"], d["size"]) for d in doublets] == [(int(i), s, 2) for i, s in headers]
    assert len(doublets) == 6  # MLTP 2 2 2 2 2 2 1: the size-1 "multiplet" is not printed
    g_rows = re.findall(r"^ g([XYZ]) =\s+(\S+) \|", text, re.M)
    assert [g for d in doublets for g in d["g_main"]] == [float(v) for _, v in g_rows]
    ground = doublets[0]
    assert ground["g_main"][:2] == [0.0, 0.0] and ground["g_main"][2] == pytest.approx(18.0, abs=0.1)  # Ising
    assert ground["g_axes"][2] == [float(v) for v in re.search(r"^ gZ = .*\| Zm \|\s+(\S+)\s+(\S+)\s+(\S+) \|$",
                                                              text, re.M).groups()]
    assert all(d["cf_parameters"] == [] for d in doublets)  # no ZFS for a doublet
    assert doublets[3]["energies_cm1"] == printed_energies(text, "MULTIPLET 4", 2) == [462.964, 463.601]


def test_doublet_blocks_of_the_kramers_ion():
    text = read("Tb2p.doublets.v22.10.trimmed.log")
    doublets = single_aniso_multiplets(text, "Tb2p.doublets.log")
    assert [d["index"] for d in doublets] == list(range(1, 8)) and {d["pseudospin"] for d in doublets} == {"1/2"}
    for doublet in doublets:
        after = f"FOR THE MULTIPLET {doublet['index']} "
        assert (doublet["g_main"], doublet["g_axes"]) == printed_g(text, after)
        assert doublet["energies_cm1"] == printed_energies(text, after, 2)
    assert doublets[0]["energies_cm1"] == [0.0, -0.0]  # "-0.000": a Kramers pair, exactly degenerate
    assert doublets[0]["g_main"][0] == pytest.approx(9.456, abs=1e-3)  # easy plane: gX = gY >> gZ


def test_a_log_that_ends_before_single_aniso_has_no_blocks(tb3p):
    cut = tb3p[:tb3p.index("--- Start Module: single_aniso")]
    assert single_aniso_multiplets(cut, "x.log") == [] and crystal_field_j(cut, "x.log") is None


# --- the CRYS block --------------------------------------------------------------------------------

def test_crystal_field_block(tb3p):
    crystal = crystal_field_j(tb3p, "Tb3p.casscf.log")
    assert "GROUND ATOMIC MULTIPLET J =  6." in tb3p
    assert crystal["j"] == "6"
    expected = printed_eso(tb3p, CF_J)  # the first "(K)^2" table after the CRYS header
    assert {(p["k"], p["q"]): p["b_cm1"] for p in crystal["cf_parameters"]} == expected
    assert len(crystal["cf_parameters"]) == 90
    # not the ESO table of the L term that follows (its B(2,0) is -2.63...), nor the ZFS table before it
    assert expected[(2, 0)] == -0.60746427059552e1 and expected[(4, 0)] == 0.35216457100758e-2


def test_no_crystal_field_block_without_crys(tb2p):
    assert CF_J not in tb2p and crystal_field_j(tb2p, "Tb2p.casscf.log") is None


# --- OpenMolcas >= 24.10 -----------------------------------------------------------------------------

def test_both_eso_header_spellings_and_number_formats(tb3p):
    newer = read("Tb3p.casscf.v24.10-style.trimmed.log")
    assert "(ESO)as defined in" in tb3p and "(ESO)as defined in" not in newer
    assert "(ESO) as defined in" in newer
    assert "| -0.60746427059552E+01 |" in tb3p and "| -6.07464270595520E+00 |" in newer
    assert single_aniso_multiplets(newer, "x.log") == single_aniso_multiplets(tb3p, "x.log")
    assert crystal_field_j(newer, "x.log") == crystal_field_j(tb3p, "x.log")
    doublets, newer_doublets = read("Tb3p.doublets.v22.10.trimmed.log"), read("Tb3p.doublets.v24.10-style.trimmed.log")
    assert "spin-orbit state 1. energy(1)" in doublets and "spin-orbit state 1; energy(1)" in newer_doublets
    assert single_aniso_multiplets(newer_doublets, "x.log") == single_aniso_multiplets(doublets, "x.log")


def test_fortran_numbers():
    assert number("-0.60746427059552E+01", "f", "b") == number("-6.07464270595520E+00", "f", "b") == -6.0746427059552
    assert number("0.12345678901234-100", "f", "b") == pytest.approx(0.12345678901234e-100, rel=1e-14)
    assert number("0.5D+01", "f", "b") == 5.0 and number("-0.000", "f", "b") == 0.0
    assert number("0.+404", "f", "b") == 0.0  # a zero mantissa with a lost 3-digit exponent
    for bad in ("NaN", "***********", "1.5.2", "0.1E+0x", "0.1E+400", "1.+404"):
        with pytest.raises(ParseError, match=r"^f: b: .* is not a"):
            number(bad, "f", "b")


# --- recognised blocks that cannot be read ---------------------------------------------------------

def cut_after(text, start, marker, occurrence=1):
    """``text`` up to the end of the ``occurrence``-th ``marker`` after ``start``."""
    position = text.index(start)
    for _ in range(occurrence):
        position = text.index(marker, position) + len(marker)
    return text[:position]


@pytest.mark.parametrize("marker, occurrence, message", [
    ("spin-orbit state 5;", 1, r"4 'spin-orbit state' lines, expected 13"),
    ("    g TENSOR:\n", 1,
     r"g TENSOR table: the table is cut before gX \(expected ' gX = <g> \| Xm \| <x> <y> <z> \|'\)"),
    (" gY =   1.5084532006", 1, r"g TENSOR table: cannot read 'gY =   1.5084532006' \(expected ' gY ="),
    ("CHECK-SIGN parameter", 1, r"no ESO table of the ZFS Hamiltonian \(expected 'The ZFS Hamiltonian"),
    ("(Knm)^2  |         B(k,q)        |\n----|-----|-------------|-----------------------|\n", 1,
     r"ZFS Hamiltonian: ESO table has no rows \(expected k \| q \| \(Knm\)\^2 \| B\(k,q\)\)"),
    ("  6 |   6 |      57.75  | -0.95271245123622E-05 |\n", 1,
     r"ZFS Hamiltonian: ESO table is cut after B\(6,6\) \(expected k \| q \| \(Knm\)\^2 \| B\(k,q\) rows up to k = 12"),
])
def test_a_multiplet_block_that_is_cut_is_an_error(tb3p, marker, occurrence, message):
    with pytest.raises(ParseError, match=r"^Tb3p.casscf.log: SINGLE_ANISO multiplet 1 \(effective S = 6\): " + message):
        single_aniso_multiplets(cut_after(tb3p, MULTIPLET_1, marker, occurrence), "Tb3p.casscf.log")


def replace_in_block(text, start, old, new):
    position = text.index(old, text.index(start))
    return text[:position] + new + text[position + len(old):]


@pytest.mark.parametrize("old, new, message", [
    ("  4 |   0 |       1.00  |  0.35216457100758E-02 |", "  4 |   0 |       1.00  |  0.35216457100758E-0x |",
     r"ZFS Hamiltonian: B\(4,0\): '0.35216457100758E-0x' is not a number"),
    ("  4 |   0 |       1.00  |  0.35216457100758E-02 |", "  4 |   0 |       1.00  |  0.35216457100758E-02 | 7.0 |",
     r"ZFS Hamiltonian: cannot read the ESO row '4 \|   0 \|       1.00  \|  0.35216457100758E-02 \| 7.0 \|' "
     r"\(expected k \| q \| \(Knm\)\^2 \| B\(k,q\)\)"),
    ("  4 |   0 |       1.00  |  0.35216457100758E-02 |\n", "",
     r"ZFS Hamiltonian: ESO table does not hold k = 2, 4, 6, 8, 10, 12 with q = -k..k \(B\(4, 0\) expected, "
     r"B\(4, 1\) found\)"),
    ("(ESO)as defined in", "(ESO) as given in",
     r"ZFS Hamiltonian: no 'O\(k,q\) = Extended Stevens Operators \(ESO\) as defined in' line"),
    (" gZ =   1.47638040891087 |", " gZ =   1.476380408910.7 |", r"gZ: '1.476380408910.7' is not a number"),
    (" | Zm | -0.00000000062355 -0.00000000027382  1.00000000000000 |", " | Zm | -0.00000000062355  1.00000 |",
     r"g TENSOR table: cannot read 'gZ =   1.47638040891087 \| Zm \| -0.00000000062355  1.00000 \|' "
     r"\(expected ' gZ = <g> \| Zm \| <x> <y> <z> \|'\)"),
    ("spin-orbit state 3; energy( 3) =     155.864", "spin-orbit state 3; energy( 3) =     ***********",
     r"energy of spin-orbit state 3: '\*\*\*\*\*\*\*\*\*\*\*' is not a number"),
])
def test_a_garbled_multiplet_block_is_an_error(tb3p, old, new, message):
    start = ZFS_ESO if "ESO" in old or "|   0 |" in old else MULTIPLET_1
    with pytest.raises(ParseError, match=r"^Tb3p.casscf.log: SINGLE_ANISO multiplet 1 \(effective S = 6\): " + message):
        single_aniso_multiplets(replace_in_block(tb3p, start, old, new), "Tb3p.casscf.log")


def test_a_doublet_block_that_is_cut_is_an_error():
    text = read("Tb3p.doublets.v22.10.trimmed.log")
    with pytest.raises(ParseError, match=r"^Tb3p.doublets.log: SINGLE_ANISO multiplet 3 \(effective S = 1/2\): "
                                         r"g TENSOR table: the table is cut before gX"):
        single_aniso_multiplets(cut_after(text, "FOR THE MULTIPLET 3 ", "    g TENSOR:\n"), "Tb3p.doublets.log")


CF_WHAT = r"^Tb3p.casscf.log: SINGLE_ANISO crystal field of the ground atomic multiplet J = 6: "


def test_a_crystal_field_block_that_is_cut_or_garbled_is_an_error(tb3p):
    table = tb3p.index("(K)^2    |         B(k,q)        |", tb3p.index(CF_J))
    row = tb3p.index("  8 |   0 |", table)
    end = tb3p.index("\n", row) + 1
    with pytest.raises(ParseError, match=CF_WHAT + r"ESO table is cut after B\(8,0\)"):
        crystal_field_j(tb3p[:end], "Tb3p.casscf.log")
    no_rows = r"ESO table has no rows \(expected k \| q \| \(K\)\^2 \| B\(k,q\)\)"
    with pytest.raises(ParseError, match=CF_WHAT + no_rows):
        crystal_field_j(tb3p[:tb3p.index("\n", tb3p.index("----|-----|", table)) + 1], "Tb3p.casscf.log")
    with pytest.raises(ParseError, match=CF_WHAT + r"cannot read the ESO row '8 \|   0 \|       1.00  \|' "
                                                   r"\(expected k \| q \| \(K\)\^2 \| B\(k,q\)\)"):
        crystal_field_j(tb3p[:row] + "  8 |   0 |       1.00  |\n" + tb3p[end:], "Tb3p.casscf.log")
    with pytest.raises(ParseError, match=CF_WHAT + r"B\(8,0\): 'NaN' is not a number"):
        nan_row = "  8 |   0 |       1.00  |                   NaN |\n"
        crystal_field_j(tb3p[:row] + nan_row + tb3p[end:], "Tb3p.casscf.log")


def test_a_crystal_field_block_without_its_eso_table_is_an_error(tb3p):
    start = tb3p.index(CF_J)
    eso = tb3p.index("The Crystal-Field Hamiltonian:\n   Hcf = SUM_{k,q} * [ B(k,q) * O(k,q) ];\nwhere:\n"
                     "   O(k,q) =  Ext", start)
    cut = tb3p[:eso]  # the log ends after the ITO tables of the J block
    with pytest.raises(ParseError, match=CF_WHAT + r"no ESO table \(expected 'The Crystal-Field Hamiltonian"):
        crystal_field_j(cut, "Tb3p.casscf.log")


# --- cases OpenMolcas documents in its source (atens.F90), made from the real doublet block --------

def test_a_multiplet_without_moment_gets_openmolcas_default_g(recwarn):
    text = read("Tb3p.doublets.v22.10.trimmed.log")
    start = text.index("    g TENSOR:", text.index("FOR THE MULTIPLET 2 "))
    end = text.index("CHECK-SIGN", start)
    zero = text[:start] + "Norm of the magnetic moment is zero.\nReturning the default (dummy) values\n" + text[end:]
    doublets = single_aniso_multiplets(zero, "x.log")
    assert doublets[1]["g_main"] == [0.0, 0.0, 0.0] and doublets[1]["g_axes"] == [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
    assert "magnetic moment is zero" in str(recwarn.pop(UserWarning).message)
    negative = text[:start] + "  ALL EIGENVALUES OF THE A-TENSOR ARE NEGATIVE\n" + text[end:]
    with pytest.raises(ParseError, match=r"multiplet 2 \(effective S = 1/2\): OpenMolcas says 'ALL EIGENVALUES"):
        single_aniso_multiplets(negative, "x.log")


def test_an_overflowing_pseudospin_is_counted_from_its_states(tb3p):
    overflow = tb3p.replace("( effective S = 6)", "( effective S = *)")  # I1 cannot print S >= 10
    (multiplet,) = single_aniso_multiplets(overflow, "x.log")
    assert (multiplet["size"], multiplet["pseudospin"]) == (13, "6")


# --- SINGLE_ANISO's list of every SO energy (the log-only fallback, tests/molcas/test_foreign_runs.py) ------------

def test_the_so_energy_list_trimmed_away_or_cut(tb3p, tb2p):
    assert spin_orbit_energies(tb3p, "Tb3p.casscf.log") is None  # the fixture trimmed the whole list away
    assert spin_orbit_energies(tb3p[:tb3p.index("--- Start Module: single_aniso")], "x.log") is None
    with pytest.raises(ParseError, match=r"^Tb2p.casscf.log: SINGLE_ANISO's SO energies \(LOW-LYING SPIN-ORBIT "
                                         r"ENERGIES\): cut after 3 states: '\[adatom-wf fixture: lines 21257-21680"):
        spin_orbit_energies(tb2p, "Tb2p.casscf.log")  # the fixture cut the list after state 3
    lines = "LOW-LYING SPIN-ORBIT ENERGIES:\nENERGY OF THE SPIN-ORBIT STATE (   1) =         0.00000000000000\n"
    swapped = tb2p.replace(lines, lines.replace("(   1)", "(   2)"))
    with pytest.raises(ParseError, match=r"\): state 2 where state 1 was expected$"):
        spin_orbit_energies(swapped, "Tb2p.casscf.log")


def test_doublets_follow_the_multiplets_up_the_so_list():
    """A multiplet of one state has no block: MLTP 3 / 2 1 2 prints blocks 1 and 3, on states 1-2 and 4-5."""
    def block(index, energies, g):
        return {"index": index, "size": len(energies), "energies_cm1": energies, "g_main": g}

    energies = [0.0, 0.001, 50.0, 100.0002, 100.0]
    first, second = multiplet_doublets([block(1, [0.0, 0.001], [0.0, 0.0, 17.9]),
                                        block(3, [100.0, 100.0], [0.1, 0.0, 12.0])], energies, "x.log")
    assert first == {"energy_cm1": 0.0005, "tunnel_splitting_cm1": 0.001, "g_main": 17.9,
                     "g_principal": [0.0, 0.0, 17.9], "jz_abs": None}
    assert second["energy_cm1"] == pytest.approx(100.0001) and second["tunnel_splitting_cm1"] == pytest.approx(2e-4)
    assert second["g_principal"] == [0.0, 0.1, 12.0]
    with pytest.raises(ParseError, match=r"^x.log: SINGLE_ANISO multiplet 2: its SO energies differ from states 3-4 "
                                         r"of SINGLE_ANISO's SO energies \(LOW-LYING SPIN-ORBIT ENERGIES\) by 50 cm"):
        multiplet_doublets([block(1, [0.0, 0.001], [0, 0, 1]), block(2, [100.0, 100.0], [0, 0, 1])], energies, "x.log")
    with pytest.raises(ParseError, match=r"^x.log: SINGLE_ANISO multiplet 5 spans SO states 5-6, beyond the 5 of"):
        multiplet_doublets([block(5, [0.0, 0.0], [0, 0, 1])], energies, "x.log")
