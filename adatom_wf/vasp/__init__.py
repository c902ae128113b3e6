"""VASP: a relaxation's inputs (:mod:`.inputs`), its record (:mod:`.results`) and its verdict (:mod:`.verdict`).

The reader protocol of every program package (vasp, gpaw, molcas), looped over by :mod:`adatom_wf.parse`:
``detect(directory)``: what was found, else None (by content, never by name); ``read(found, **context)``:
the run's :class:`adatom_wf.records.RunResult`; ``judge(directory, exit_code)``: its :class:`adatom_wf.verdict.Verdict`.
Importing the package imports nothing heavy.
"""

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from adatom_wf.records import RunResult
    from adatom_wf.verdict import Verdict

def detect(directory: str | Path) -> Path | None:
    from adatom_wf.vasp.results import is_vasp_run

    return Path(directory) if is_vasp_run(directory) else None


def read(found: Path, *, adatom: str | None = None) -> "RunResult":
    from adatom_wf.records import RunResult
    from adatom_wf.vasp.results import read_vasp_run

    return RunResult(read_vasp_run(found, adatom=adatom))


def judge(directory: str | Path, exit_code: int = 0) -> "Verdict":
    from adatom_wf.vasp.verdict import judge_vasp

    return judge_vasp(Path(directory), exit_code)
