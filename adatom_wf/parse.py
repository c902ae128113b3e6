"""Find the runs of a study (or take run directories), parse each by its content, and store them.

A study's runs live in ``runs/<study>/dft/<site>/`` (VASP or GPAW) and ``runs/<study>/molcas/<label>/`` (OpenMolcas,
:mod:`adatom_wf.layout`);
folders without output yet are skipped and named. Any other directory is recognised by what it holds: the
``detect`` of each program package in :data:`READERS`, never by its name.
"""

import importlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, TypeVar

from adatom_wf import layout
from adatom_wf.errors import ParseError
from adatom_wf.records import RunResult

if TYPE_CHECKING:
    from adatom_wf.spec import Study

T = TypeVar("T")

# The program packages, each answering detect / read / judge (adatom_wf.vasp has the protocol), in detection order.
READERS = ("vasp", "gpaw", "molcas")


@dataclass
class ParseOutcome:
    results: list[RunResult] = field(default_factory=list)
    not_run: list[Path] = field(default_factory=list)  # run folders of the study without output yet


def _progress(items: list[T], description: str) -> Iterable[T]:
    """A progress bar on stderr when there is a terminal and more than a couple of runs (tqdm)."""
    from tqdm import tqdm

    bar: Iterable[T] = tqdm(items, desc=description, unit="run", disable=None if len(items) > 2 else True, leave=False)
    return bar


def reader(kind: str) -> ModuleType:
    """The program package of ``kind`` (``vasp``, ``gpaw``, ``molcas``): its ``detect``, ``read`` and ``judge``."""
    return importlib.import_module(f"adatom_wf.{kind}")


def parse_directory(directory: str | Path, *, kinds: tuple[str, ...] = READERS, **context: Any) -> RunResult:
    """One run directory, VASP, GPAW or OpenMolcas, detected by content (``kinds``: the programs to try, in order;
    ``context``: what the study says of the run, for its reader)."""
    directory = Path(directory)
    if not directory.is_dir():
        raise ParseError(f"{directory} is not a directory (expected a VASP, GPAW or OpenMolcas run directory)")
    for kind in kinds:
        program = reader(kind)
        found = program.detect(directory)
        if found is not None:
            result: RunResult = program.read(found, **context)
            return result
    raise ParseError(f"{directory} is neither a VASP run (vasprun.xml or OUTCAR), a GPAW relaxation (relax.json "
                     "or gpaw.txt) nor an OpenMolcas run (an OpenMolcas log or rasscf/rassi .h5)")


def parse_study(study: "Study", root: Path) -> ParseOutcome:
    """Every run of ``study`` under ``root`` (``runs/<study>``) that has output; each directory surveyed once."""
    root = Path(root)
    candidates: list[tuple[Path, str, dict[str, Any]]] = [
        (root / layout.site_dir(site), study.dft.program, {"adatom": study.adatom}) for site in study.sites]
    if study.molcas is not None:
        for label, state in study.molcas.oxidation_states.items():
            candidates.append((root / layout.state_dir(label), "molcas",
                               {"label": label, "multiplet_size": state.multiplet_size,
                                "characters": state.active_space.character,
                                "expected_configuration": state.expected_configuration}))
    outcome = ParseOutcome()
    present: list[tuple[ModuleType, object, dict[str, Any]]] = []
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


def parse_directories(paths: Iterable[str | Path]) -> ParseOutcome:
    directories = [Path(p) for p in paths]
    return ParseOutcome([parse_directory(p) for p in _progress(directories, "parsing")])
