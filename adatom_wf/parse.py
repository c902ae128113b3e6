"""Find the runs of a study (or take run directories), parse each by its content, and store them.

A study's runs live in ``runs/<study>/dft/<site>/`` (VASP or GPAW) and ``runs/<study>/molcas/<label>/`` (OpenMolcas,
:mod:`adatom_wf.layout`);
folders without output yet are skipped and named. Any other directory is recognised by what it holds: the
``detect`` of each program package in :data:`READERS`, never by its name.
"""

import importlib
from dataclasses import dataclass, field
from pathlib import Path

from adatom_wf import layout
from adatom_wf.errors import ParseError
from adatom_wf.records import RunResult

# The program packages, each answering detect / read / judge (adatom_wf.vasp has the protocol), in detection order.
READERS = ("vasp", "gpaw", "molcas")


@dataclass
class ParseOutcome:
    results: list = field(default_factory=list)
    not_run: list = field(default_factory=list)  # run folders of the study without output yet


def _progress(items, description: str):
    """A progress bar on stderr when there is a terminal and more than a couple of runs (tqdm)."""
    from tqdm import tqdm

    return tqdm(items, desc=description, unit="run", disable=None if len(items) > 2 else True, leave=False)


def reader(kind: str):
    """The program package of ``kind`` (``vasp``, ``gpaw``, ``molcas``): its ``detect``, ``read`` and ``judge``."""
    return importlib.import_module(f"adatom_wf.{kind}")


def parse_directory(directory, *, kinds: tuple = READERS, **context) -> RunResult:
    """One run directory, VASP, GPAW or OpenMolcas, detected by content (``kinds``: the programs to try, in order;
    ``context``: what the study says of the run, for its reader)."""
    directory = Path(directory)
    if not directory.is_dir():
        raise ParseError(f"{directory} is not a directory (expected a VASP, GPAW or OpenMolcas run directory)")
    for kind in kinds:
        program = reader(kind)
        found = program.detect(directory)
        if found is not None:
            return program.read(found, **context)
    raise ParseError(f"{directory} is neither a VASP run (vasprun.xml or OUTCAR), a GPAW relaxation (relax.json "
                     "or gpaw.txt) nor an OpenMolcas run (an OpenMolcas log or rasscf/rassi .h5)")


def parse_study(study, root: Path) -> ParseOutcome:
    """Every run of ``study`` under ``root`` (``runs/<study>``) that has output; each directory surveyed once."""
    root = Path(root)
    candidates = [(root / layout.site_dir(site), study.dft.program, {"adatom": study.adatom}) for site in study.sites]
    if study.molcas is not None:
        for label, state in study.molcas.oxidation_states.items():
            candidates.append((root / layout.state_dir(label), "molcas",
                               {"label": label, "multiplet_size": state.multiplet_size,
                                "characters": state.active_space.character,
                                "expected_configuration": state.expected_configuration}))
    outcome = ParseOutcome()
    present = []
    for directory, kind, context in candidates:
        program = reader(kind)
        found = program.detect(directory)
        if found is None:
            outcome.not_run.append(directory)
        else:
            present.append((program, found, context))
    for program, found, context in _progress(present, f"parsing {study.name}"):
        outcome.results.append(program.read(found, **context))
    return outcome


def parse_directories(paths) -> ParseOutcome:
    paths = [Path(p) for p in paths]
    return ParseOutcome([parse_directory(p) for p in _progress(paths, "parsing")])
