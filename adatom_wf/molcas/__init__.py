"""OpenMolcas: inputs (:mod:`.render`), runs (:mod:`.execute`, :mod:`.node`), a run's record (:mod:`.results`), its
verdict (:mod:`.verdict`) and the analysis of its SO states (:mod:`.analysed`).

The reader protocol (see :mod:`adatom_wf.vasp`): ``KIND``, ``detect`` (the directory's survey, made once), ``read``
(the record, its SO states analysed), ``judge``.
"""

from pathlib import Path

KIND = "molcas"


def detect(directory):
    """The survey of an OpenMolcas run directory (:class:`.results.RunFiles`), else None."""
    from adatom_wf.molcas.results import detect as survey

    return survey(directory)


def read(found, *, label: str | None = None, multiplet_size: int | None = None, characters=None,
         expected_configuration: dict | None = None):
    from adatom_wf.molcas.analysed import analysed
    from adatom_wf.molcas.results import parse_molcas_run

    return analysed(parse_molcas_run(found.directory, label=label, multiplet_size=multiplet_size,
                                     characters=characters, expected_configuration=expected_configuration,
                                     files=found))


def judge(directory, exit_code: int = 0):
    """The verdict of the run's log (:func:`.verdict.judge`); failed when the directory holds no OpenMolcas log."""
    from adatom_wf.molcas.results import judge_run

    return judge_run(Path(directory), exit_code)
