"""OpenMolcas: inputs (:mod:`.render`), runs (:mod:`.execute`, :mod:`.node`), a run's record (:mod:`.results`), its
verdict (:mod:`.verdict`) and the analysis of its SO states (:mod:`.analysed`).

The reader protocol (see :mod:`adatom_wf.vasp`): ``detect`` (the directory's survey, made once), ``read``
(the record, its SO states analysed), ``judge``.
"""

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from adatom_wf.molcas.results import RunFiles
    from adatom_wf.records import RunResult
    from adatom_wf.verdict import Verdict

def detect(directory: str | Path) -> "RunFiles | None":
    """The survey of an OpenMolcas run directory (:class:`.results.RunFiles`), else None."""
    from adatom_wf.molcas.results import detect as survey

    return survey(directory)


def read(found: "RunFiles", *, label: str | None = None, multiplet_size: int | None = None,
         characters: list[str] | None = None, expected_configuration: dict[str, float] | None = None) -> "RunResult":
    from adatom_wf.molcas.analysed import analysed
    from adatom_wf.molcas.results import parse_molcas_run

    return analysed(parse_molcas_run(found.directory, label=label, multiplet_size=multiplet_size,
                                     characters=characters, expected_configuration=expected_configuration,
                                     files=found))


def judge(directory: str | Path, exit_code: int = 0) -> "Verdict":
    """The verdict of the run's log (:func:`.verdict.judge`); failed when the directory holds no OpenMolcas log."""
    from adatom_wf.molcas.results import judge_run

    return judge_run(Path(directory), exit_code)
