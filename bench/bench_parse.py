"""Benchmark: parse throughput of the largest real OpenMolcas output against plain reading of the same file.

The largest output the demo produces is Tb0's ``Tb0.casscf.log`` (2.8 MB: four SA-CASSCF runs, RASSI with
588 SO states, SINGLE_ANISO). "Plain reading" is ``Path.read_text()`` of the log (bytes -> str, what every
parser has to do first); "parsing" is everything adatom-wf takes from the log (modules and return codes, the
version, RASSCF convergence and energies, SINGLE_ANISO multiplets, the CRYS block), starting from the file and
reading it as adatom_wf.molcas.results does (``read_bytes().decode()``, no newline translation), with the one
index of :func:`adatom_wf.molcas.log_index.index_log`. Target: parse throughput >= 50 % of plain reading. Also
timed, for information: that read alone, the index alone, each reader without a shared index, and the whole run
directory (log + rasscf.h5 + rassi.h5, sha256 of every file, SO moments rebuilt, spectrum analysis).

Run after the demo: ``python bench/bench_parse.py [runs/demo_tb_benzene/molcas/Tb0] [--repeat 7]``, or on any
OpenMolcas run directory (e.g. the unpacked fixture tests/molcas/fixtures/run_tb3p). Best of --repeat (warm cache).
"""

import sys
import time
from pathlib import Path

from adatom_wf.molcas import results_log
from adatom_wf.molcas.log_index import index_log
from adatom_wf.molcas.results import find_log, parse_molcas_run
from adatom_wf.molcas.verdict import parse_log


def best_of(call, repeat: int = 7) -> float:
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        timings.append(time.perf_counter() - start)
    return min(timings)


def parse_everything(path: Path) -> None:
    """What adatom_wf.molcas.results takes from the log: read as it reads it, one index, then the readers."""
    text = path.read_bytes().decode(errors="replace")
    index = index_log(text)
    parse_log(text, "", index)
    results_log.molcas_version(text)
    results_log.rasscf_runs(text, path.name, index)
    results_log.single_aniso_multiplets(text, path.name, index)
    results_log.crystal_field_j(text, path.name, index)


def parse_separately(path: Path) -> None:
    """The same, each reader on its own (an index each): how a caller without the index fares."""
    text = path.read_bytes().decode(errors="replace")
    parse_log(text)
    results_log.molcas_version(text)
    results_log.rasscf_runs(text, path.name)
    results_log.single_aniso_multiplets(text, path.name)
    results_log.crystal_field_j(text, path.name)


def main() -> None:
    arguments = sys.argv[1:]
    repeat = int(arguments.pop(arguments.index("--repeat") + 1)) if "--repeat" in arguments else 7
    arguments = [a for a in arguments if a != "--repeat"]
    directory = Path(arguments[0] if arguments else "runs/demo_tb_benzene/molcas/Tb0")
    log = find_log(directory)
    if log is None:
        sys.exit(f"no OpenMolcas log in {directory}: run the demo first (adatom-wf run demo_tb_benzene)")
    megabytes = log.stat().st_size / 1e6
    read = best_of(lambda: log.read_text(errors="replace"), repeat)
    parse = best_of(lambda: parse_everything(log), repeat)
    decoded = best_of(lambda: log.read_bytes().decode(errors="replace"), repeat)
    text = log.read_bytes().decode(errors="replace")
    indexing = best_of(lambda: index_log(text), repeat)
    separately = best_of(lambda: parse_separately(log), repeat)
    whole = best_of(lambda: parse_molcas_run(directory), max(3, repeat // 2))
    sources = sum((directory / name).stat().st_size for name in parse_molcas_run(directory).record["sources"]) / 1e6

    def row(name, seconds, note=""):
        print(f"{name:26} {seconds * 1e3:8.2f} ms  {megabytes / seconds:8.1f} MB/s  {note}")

    print(f"{log.name}: {megabytes:.2f} MB, best of {repeat}")
    row("plain reading", read, "(Path.read_text)")
    row("parsing", parse, f"({100 * read / parse:.0f} % of plain reading)")
    row("  of which the read", decoded, "(read_bytes().decode(), as adatom_wf.molcas.results reads)")
    row("  of which the index", indexing, "(log_index.index_log: the one pass)")
    row("readers without an index", separately, f"({100 * read / separately:.0f} % of plain reading: an index each)")
    print(f"{'whole run dir':26} {whole * 1e3:8.2f} ms  {sources / whole:8.1f} MB/s over {sources:.1f} MB of sources "
          "(h5 + log, sha256 of each, SO moments, spectrum)")


if __name__ == "__main__":
    main()
