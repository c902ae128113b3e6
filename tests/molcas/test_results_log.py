"""The log readers, one test per block, on real OpenMolcas 22.10 logs (fixtures/run_tb3p, Tb3p.doublets.log.gz).

Expected numbers are taken from the log lines with plain regexes or string slicing here, not from the readers.
The 24.10 header variant "(ESO) as defined in" is made from the real log by changing exactly that text
(OpenMolcas changed nothing else in these lines; shared/REFERENCE.md).
"""

import gzip
import re
from pathlib import Path

import pytest

from adatom_wf.errors import ParseError
from adatom_wf.molcas.results_log import crystal_field_j, molcas_version, rasscf_runs, single_aniso_multiplets

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def log():
    return gzip.decompress((FIXTURES / "run_tb3p" / "Tb3p.casscf.log.gz").read_bytes()).decode()


def table_value(log, k, q, after):
    """B(k,q) of the first ESO table row 'k | q | K^2 | B' after the text ``after``."""
    block = log[log.index(after):]
    return float(re.search(rf"^\s*{k} \|\s*{q} \|\s*\S+\s*\|\s*(\S+) \|$", block, re.M).group(1))


def test_version(log):
    assert molcas_version(log) == "v22.10"
    assert molcas_version("no banner here") is None


def test_rasscf_block(log):
    runs = rasscf_runs(log, "Tb3p.casscf.log")
    printed = [float(x) for x in re.findall(r"RASSCF root number\s+\d+ Total energy:\s+(\S+)", log)]
    assert runs == [{"multiplicity": 7, "converged": True, "iterations": 18, "root_energies_hartree": printed}]
    assert len(printed) == 7


def test_an_unconverged_rasscf_is_flagged(log):
    text = log.replace("Convergence after 18 iterations", "No convergence after 18 iterations").replace(
        "rasscf at Sun Nov 22 08:08:29 2026 /rc=_RC_ALL_IS_WELL_", "rasscf at Sun Nov 22 08:08:29 2026 /rc=_RC_NOT_CONVERGED_")
    assert rasscf_runs(text, "x.log")[0]["converged"] is False


def test_multiplet_block(log):
    (multiplet,) = single_aniso_multiplets(log, "Tb3p.casscf.log")
    assert multiplet["index"] == 1 and multiplet["size"] == 13 and multiplet["pseudospin"] == "6"
    g_lines = re.findall(r"^ g([XYZ]) =\s+(\S+) \| [XYZ]m \|\s+(\S+)\s+(\S+)\s+(\S+) \|", log, re.M)[:3]
    assert multiplet["g_main"] == [float(line[1]) for line in g_lines]
    assert multiplet["g_axes"] == [[float(v) for v in line[2:]] for line in g_lines]
    assert multiplet["energies_cm1"][:3] == [0.0, 0.0, 155.864] and multiplet["energies_cm1"][-1] == 641.769
    parameters = {(p["k"], p["q"]): p["b_cm1"] for p in multiplet["cf_parameters"]}
    assert len(parameters) == sum(2 * k + 1 for k in (2, 4, 6, 8, 10, 12))  # even k only: not the moment's table
    assert parameters[(2, 0)] == table_value(log, 2, 0, "The ZFS Hamiltonian:\n   ZFS = SUM_{k,q} * [ B(k,q)")
    assert parameters[(6, 6)] == table_value(log, 6, 6, "The ZFS Hamiltonian:\n   ZFS = SUM_{k,q} * [ B(k,q)")


def test_crystal_field_block_in_both_header_spellings(log):
    crystal = crystal_field_j(log, "Tb3p.casscf.log")
    assert crystal["j"] == "6" and len(crystal["cf_parameters"]) == 90
    after = "CALCULATION OF CRYSTAL-FIELD PARAMETERS OF THE GROUND ATOMIC MULTIPLET"
    expected = table_value(log, 4, 0, after)
    assert {(p["k"], p["q"]): p["b_cm1"] for p in crystal["cf_parameters"]}[(4, 0)] == pytest.approx(expected)
    newer = log.replace("(ESO)as defined in", "(ESO) as defined in")  # OpenMolcas >= 24.10
    assert newer != log
    assert crystal_field_j(newer, "x.log") == crystal
    assert single_aniso_multiplets(newer, "x.log") == single_aniso_multiplets(log, "x.log")


def test_doublet_blocks_of_a_per_doublet_run():
    text = gzip.decompress((FIXTURES / "Tb3p.doublets.log.gz").read_bytes()).decode()
    multiplets = single_aniso_multiplets(text, "Tb3p.doublets.log")
    assert [m["pseudospin"] for m in multiplets] == ["1/2"] * 6 and all(m["cf_parameters"] == [] for m in multiplets)
    g_z = [float(x) for x in re.findall(r"^ gZ =\s+(\S+)", text, re.M)]
    assert [m["g_main"][2] for m in multiplets] == g_z
    assert multiplets[3]["energies_cm1"] == [462.964, 463.601]  # the split |Jz| = 3 pair of Tb3+


def test_a_log_that_ends_before_single_aniso_has_no_blocks(log):
    cut = log[: log.index("--- Start Module: single_aniso")]
    assert single_aniso_multiplets(cut, "x.log") == [] and crystal_field_j(cut, "x.log") is None


@pytest.mark.parametrize("cut_after, message", [
    ("spin-orbit state 5;", r"multiplet 1 \(effective S = 6\): 4 'spin-orbit state' lines, expected 13"),
    (" gY =   1.5084532006", r"multiplet 1 \(effective S = 6\): the g TENSOR table .* is missing or cut"),
    ("  k |  q  |    (Knm)^2  |         B(k,q)        |\n----|-----|-------------|-----------------------|\n",
     r"multiplet 1 \(effective S = 6\): ZFS Hamiltonian: the ESO table has no rows"),
])
def test_a_recognised_multiplet_block_that_is_cut_is_an_error(log, cut_after, message):
    start = log.index("CALCULATION OF PSEUDOSPIN HAMILTONIAN TENSORS FOR THE MULTIPLET 1")
    position = log.index(cut_after, start) + len(cut_after)
    with pytest.raises(ParseError, match="^Tb3p.casscf.log: SINGLE_ANISO " + message):
        single_aniso_multiplets(log[:position], "Tb3p.casscf.log")


def test_a_garbled_eso_row_is_an_error_naming_file_and_block(log):
    start = log.index("CALCULATION OF CRYSTAL-FIELD PARAMETERS OF THE GROUND ATOMIC MULTIPLET")
    row = log.index("  4 |   0 |", log.index("Extended Stevens Operators", start))
    end = log.index("\n", row)
    garbled = log[:row] + "  4 |   0 |       1.00  | -0.35216E-0x |" + log[end:]
    shifted = log[:row] + "  4 |   0 |       1.00  | -0.35216E-02 | 7.0 |" + log[end:]
    with pytest.raises(ParseError, match="J = 6: cannot read the ESO row .* \\(expected k \\| q \\| \\(K\\)\\^2 \\| B\\(k,q\\)\\)"):
        crystal_field_j(shifted, "Tb3p.casscf.log")
    with pytest.raises(ParseError, match=r"^Tb3p.casscf.log: SINGLE_ANISO crystal field of the ground atomic "
                                         r"multiplet J = 6: B\(k,q\) '-0.35216E-0x' is not a number"):
        crystal_field_j(garbled, "Tb3p.casscf.log")
    emptied = log[:log.index("----|-----|-------------|", log.index("Extended Stevens Operators", start))]
    with pytest.raises(ParseError, match="crystal field of the ground atomic multiplet J = 6: .*no rows|no ESO table"):
        crystal_field_j(emptied, "Tb3p.casscf.log")
