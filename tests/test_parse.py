"""adatom_wf.parse: a run directory detected by content, parsed, and its multiplet analysed (doublets, ⟨Jz⟩),
on the trimmed real Tb3+ run (tests/molcas/fixtures/run_tb3p). Expected numbers come from the log's own lines."""

import gzip
import re
import sys
from pathlib import Path

import numpy as np
import pytest

from adatom_wf.molcas.results_log import single_aniso_multiplets
from adatom_wf.parse import parse_directory

MOLCAS_TESTS = Path(__file__).parent / "molcas"
sys.path.insert(0, str(MOLCAS_TESTS))
from tb3p_run import unpack_tb3p  # noqa: E402


@pytest.fixture
def run(tmp_path):
    return unpack_tb3p(tmp_path)


def log_text(folder):
    return (folder / "Tb3p.casscf.log").read_text()


def test_doublets_and_spectrum_follow_from_the_so_states(run):
    record = parse_directory(run, label="Tb3+").record
    ground = record["doublets"][0]
    # the log prints the ground pair's splitting with 14 decimals in its "LOW-LYING SPIN-ORBIT ENERGIES" lines
    second = float(re.search(r"ENERGY OF THE SPIN-ORBIT STATE \(\s*2\) =\s+(\S+)", log_text(run)).group(1))
    # (to 1e-9 cm^-1: RASSI's and SINGLE_ANISO's diagonalisations differ by ~1e-10 cm^-1 of double-precision noise)
    assert ground["tunnel_splitting_cm1"] == pytest.approx(second, abs=1e-9)
    # an Ising |Jz| = 6 doublet of Tb3+ (g_J = 3/2): g_parallel = 2 g_J J = 18, g_perp = 0
    assert ground["jz_abs"] == pytest.approx(6, abs=0.02)
    assert ground["g_main"] == pytest.approx(18, abs=0.05) and ground["g_principal"][1] < 1e-6
    spectrum = record["spectrum"]
    assert len(spectrum["levels_cm1"]) == len(spectrum["jz"]) == 13 and not spectrum["kramers"]
    assert sorted(abs(round(j)) for j in spectrum["jz"]) == sorted([0] + [1, 2, 3, 4, 5, 6] * 2)
    assert parse_directory(run).arrays["angular_momentum"].shape == (3, 13, 13)


def test_doublets_match_single_aniso_run_per_doublet(run):
    """SINGLE_ANISO's own per-doublet g (MLTP 2 2 2 2 2 2 1 on the same rassi.h5, fixtures/Tb3p.doublets.log.gz)
    against the doublets computed from the rebuilt SO moments: energies to the printed 3 decimals, g to 1e-6."""
    text = gzip.decompress((MOLCAS_TESTS / "fixtures" / "Tb3p.doublets.log.gz").read_bytes()).decode()
    printed = single_aniso_multiplets(text, "Tb3p.doublets.log")
    ours = parse_directory(run).record["doublets"]
    assert len(printed) == 6 and all(m["size"] == 2 and m["pseudospin"] == "1/2" for m in printed)
    for doublet, block in zip(ours, printed):
        assert doublet["energy_cm1"] == pytest.approx(np.mean(block["energies_cm1"]), abs=1e-3)
        assert doublet["tunnel_splitting_cm1"] == pytest.approx(np.ptp(block["energies_cm1"]), abs=1.5e-3)
        assert doublet["g_principal"] == pytest.approx(sorted(block["g_main"]), abs=1e-6)
    assert [round(d["g_main"], 2) for d in ours] == [18.01, 14.81, 11.63, 8.59, 5.70, 2.86]  # ≈ 3 |Jz| (g_J = 3/2)
