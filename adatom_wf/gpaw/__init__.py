"""GPAW: a relaxation's inputs (:mod:`.inputs`), the relaxation itself (:mod:`.relax`), its record and verdict
(:mod:`.results`), its cost (:mod:`.cost`).

The reader protocol (see :mod:`adatom_wf.vasp`): ``detect``, ``read``, ``judge``.
"""

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from adatom_wf.records import RunResult
    from adatom_wf.verdict import Verdict

def detect(directory: str | Path) -> Path | None:
    from adatom_wf.gpaw.results import is_gpaw_run

    return Path(directory) if is_gpaw_run(directory) else None


def read(found: Path, *, adatom: str | None = None) -> "RunResult":
    from adatom_wf.gpaw.results import read_gpaw_run
    from adatom_wf.records import RunResult

    return RunResult(read_gpaw_run(found, adatom=adatom))


def judge(directory: str | Path, exit_code: int = 0) -> "Verdict":
    from adatom_wf.gpaw.results import judge_gpaw

    return judge_gpaw(Path(directory), exit_code)
