"""A real results store of the real Tb3+/benzene OpenMolcas run (tests/molcas/fixtures/run_tb3p), for the verbs
that read a stored state: parsed and written by the project's own parse and store code."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "molcas"))


def tb3_store(directory: Path) -> Path:
    from tb3p_run import unpack_tb3p

    from adatom_wf.parse import parse_directory
    from adatom_wf.store import write_runs

    store = directory / "results.h5"
    write_runs(store, [parse_directory(unpack_tb3p(directory / "run"), label="Tb3+")])
    return store
