"""One OpenMolcas run directory -> one record, on the trimmed real Tb3+ run (fixtures/run_tb3p).

Expected numbers are read from the log's own lines with plain regexes here, never from the parser under test.
"""

import re

import h5py
import numpy as np
import pytest
from tb3p_run import unpack_tb3p

from adatom_wf.errors import ParseError
from adatom_wf.molcas.results import detect, parse_molcas_run


@pytest.fixture
def run(tmp_path):
    return unpack_tb3p(tmp_path)


def log_text(folder):
    return (folder / "Tb3p.casscf.log").read_text()


def test_the_real_run_parses_with_every_cross_check(run):
    result = parse_molcas_run(run, label="Tb3+")
    record = result.record
    assert record["status"] == "ok", record["failure"]
    assert record["molcas_version"] == "v22.10" and record["label"] == "Tb3+"
    assert [(r["multiplicity"], len(r["root_energies_hartree"]), r["converged"])
            for r in record["rasscf"]] == [(7, 7, True)]
    printed = [float(v) for v in re.findall(r"^ g[XYZ] =\s+(\S+)", log_text(run), re.M)[:3]]
    assert record["multiplets"][0]["size"] == 13
    assert record["multiplets"][0]["g_main"] == pytest.approx(printed, abs=1e-12)
    checks = {c["quantity"]: c["max_deviation"] for c in record["cross_checks"]}
    assert checks["main g values of SINGLE_ANISO multiplet 1"] < 1e-6  # rebuilt from rassi.h5 vs the log
    assert checks["SO energies of SINGLE_ANISO multiplet 1 (cm^-1)"] < 1e-3
    assert checks["RASSCF 2S+1=7 root energies (Hartree)"] < 1e-8
    assert set(record["sources"]) == {"Tb3p.casscf.log", "Tb3p.m7.rasscf.h5", "Tb3p.rassi.h5"}


def test_a_log_cut_inside_single_aniso_is_a_failed_run(run):
    text = log_text(run)
    (run / "Tb3p.casscf.log").write_text(text[: text.index("CALCULATION OF CRYSTAL-FIELD PARAMETERS")])
    record = parse_molcas_run(run).record
    assert record["status"] == "failed" and "single_aniso started but never finished" in record["failure"]
    assert record["multiplets"] == [] and record["doublets"] == [] and record["spectrum"] is None


def test_a_failed_module_is_a_failed_run(run):
    text = log_text(run).replace("single_aniso at Sun Nov 22 08:08:30 2026 /rc=_RC_ALL_IS_WELL_",
                                 "single_aniso at Sun Nov 22 08:08:30 2026 /rc=-6")
    (run / "Tb3p.casscf.log").write_text(text)
    record = parse_molcas_run(run).record
    assert record["status"] == "failed" and "single_aniso failed: rc=-6" in record["failure"]


def test_a_truncated_rassi_h5_is_a_failed_run(run):
    data = (run / "Tb3p.rassi.h5").read_bytes()
    (run / "Tb3p.rassi.h5").write_bytes(data[: len(data) // 3])
    record = parse_molcas_run(run).record
    assert record["status"] == "failed" and "Tb3p.rassi.h5: not a readable HDF5 file" in record["failure"]


def test_h5_and_log_from_different_runs_are_caught(run):
    with h5py.File(run / "Tb3p.m7.rasscf.h5", "r+") as h5:
        h5["ROOT_ENERGIES"][0] += 1e-3
    record = parse_molcas_run(run).record
    assert record["status"] == "failed"
    assert "disagree on RASSCF 2S+1=7 root energies" in record["failure"] and "same run" in record["failure"]


def test_rebuilt_moments_are_hermitian_angular_momenta(run):
    arrays = parse_molcas_run(run).arrays
    for name in ("angular_momentum", "spin"):
        matrices = arrays[name]
        assert np.abs(matrices - matrices.conj().transpose(0, 2, 1)).max() < 1e-10
    # within the J = 6 multiplet, J = L + S has J^2 = 42 on every state (up to J-mixing, small on benzene)
    j = arrays["angular_momentum"] + arrays["spin"]
    j_squared = np.einsum("aij,ajk->ik", j, j)
    assert np.diag(j_squared).real == pytest.approx(42, abs=0.5)


def test_detection_is_by_content(tmp_path, run):
    assert detect(run) is not None
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.log").write_text("not an OpenMolcas log\n")
    assert detect(empty) is None
    with pytest.raises(ParseError, match="no OpenMolcas log or h5 file"):
        parse_molcas_run(empty)


def test_the_stored_iteration_count_is_the_logs(run, tmp_path):
    """rasscf.h5's RASSCF_ITERATIONS counts the final CI iteration printed after "Convergence after N"
    (19 for the log's 18 here): the record holds the log's N, for one spin and for two."""
    import gzip
    from pathlib import Path

    from adatom_wf.molcas.results_h5 import read_rasscf_h5

    converged = [int(n) for n in re.findall(r"Convergence after\s*(\d+) iterations", log_text(run))]
    with h5py.File(run / "Tb3p.m7.rasscf.h5") as h5:
        assert int(h5.attrs["RASSCF_ITERATIONS"]) == converged[0] + 1  # the fact the reader corrects for
    assert [r["iterations"] for r in parse_molcas_run(run, label="Tb3+").record["rasscf"]] == converged == [18]
    assert read_rasscf_h5(run / "Tb3p.m7.rasscf.h5").iterations == 18
    free = Path(__file__).parent / "fixtures" / "run_tbfree"
    text = gzip.decompress((free / "TbFree.log.gz").read_bytes()).decode()
    counts = [int(n) for n in re.findall(r"Convergence after\s*(\d+) iterations", text)]  # septets, then quintets
    assert [read_rasscf_h5(free / f"TbFree.spin{m}.rasscf.h5").iterations for m in (7, 5)] == counts == [6, 4]


def test_the_reader_protocol_judges_a_run_directory_by_its_log(tmp_path, run):
    """adatom_wf.molcas.judge: ok for the real run, failed with the reason parse gives for a cut log, failed for a
    directory without an OpenMolcas log, and the exit code of pymolcas counts."""
    from adatom_wf import molcas

    assert molcas.judge(run) == molcas.judge(run, 0) and molcas.judge(run).ok
    assert "pymolcas exited with code 137" in molcas.judge(run, 137).reason
    text = log_text(run)
    (run / "Tb3p.casscf.log").write_text(text[: text.index("CALCULATION OF CRYSTAL-FIELD PARAMETERS")])
    verdict = molcas.judge(run)
    assert verdict.status == "failed" and verdict.reason == parse_molcas_run(run).record["failure"]
    assert molcas.judge(tmp_path).reason.startswith("no OpenMolcas log with a RASSCF, RASSI or SINGLE_ANISO step")
