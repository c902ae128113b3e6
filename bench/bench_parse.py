"""Benchmark: parse throughput of the largest real OpenMolcas output against plain reading of the same file.

The largest output the demo produces is Tb0's ``Tb0.casscf.log`` (2.8 MB: four SA-CASSCF runs, RASSI with
588 SO states, SINGLE_ANISO). "Plain reading" is ``Path.read_text()`` of the log (bytes -> str, what every
parser has to do first); "parsing" is everything adatom-wf takes from the log (modules and return codes, the
version, RASSCF convergence and energies, SINGLE_ANISO multiplets, the CRYS block), starting from the file.
Target: parse throughput >= 50 % of plain reading. Also timed, for information: the whole run directory
(log + rasscf.h5 + rassi.h5, sha256 of every file, SO moments rebuilt, spectrum analysis).

Run after the demo: ``python bench/bench_parse.py [runs/demo_tb_benzene/molcas/Tb0]``, or on any OpenMolcas run
directory (e.g. the unpacked fixture tests/molcas/fixtures/run_tb3p). Best of 7 (warm cache).
"""

import sys
import time
from pathlib import Path

from adatom_wf.molcas import results_log
from adatom_wf.molcas.verdict import parse_log
from adatom_wf.molcas.results import find_log, parse_molcas_run


def best_of(call, repeat: int = 7) -> float:
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        timings.append(time.perf_counter() - start)
    return min(timings)


def parse_everything(path: Path) -> None:
    text = path.read_text(errors="replace")
    parse_log(text)
    results_log.molcas_version(text)
    results_log.rasscf_runs(text, path.name)
    results_log.single_aniso_multiplets(text, path.name)
    results_log.crystal_field_j(text, path.name)


def main() -> None:
    directory = Path(sys.argv[1] if len(sys.argv) > 1 else "runs/demo_tb_benzene/molcas/Tb0")
    log = find_log(directory)
    if log is None:
        sys.exit(f"no OpenMolcas log in {directory}: run the demo first (adatom-wf run demo_tb_benzene)")
    megabytes = log.stat().st_size / 1e6
    read = best_of(lambda: log.read_text(errors="replace"))
    parse = best_of(lambda: parse_everything(log))
    whole = best_of(lambda: parse_molcas_run(directory), repeat=3)
    sources = sum((directory / name).stat().st_size for name in parse_molcas_run(directory).record["sources"]) / 1e6
    print(f"{log.name}: {megabytes:.2f} MB")
    print(f"plain reading  {read * 1e3:8.1f} ms  {megabytes / read:8.1f} MB/s")
    print(f"parsing        {parse * 1e3:8.1f} ms  {megabytes / parse:8.1f} MB/s  ({100 * read / parse:.0f} % of plain reading)")
    print(f"whole run dir  {whole * 1e3:8.1f} ms  {sources / whole:8.1f} MB/s over {sources:.1f} MB of sources "
          "(h5 + log, sha256 of each, SO moments, spectrum)")


if __name__ == "__main__":
    main()
