"""Find the runs of a study (or take run directories), parse each by its content, and store them.

A study's runs live in ``runs/<study>/dft/<site>/`` (VASP) and ``runs/<study>/molcas/<label>/`` (OpenMolcas);
folders without output yet are skipped and named. Any other directory is recognised by what it holds
(:func:`adatom_wf.vasp.results.is_vasp_run`, :func:`adatom_wf.molcas.results.is_molcas_run`), never by its name.
"""

from dataclasses import dataclass, field
from pathlib import Path

from adatom_wf.errors import ParseError
from adatom_wf.molcas.results import RunResult


@dataclass
class ParseOutcome:
    results: list = field(default_factory=list)
    not_run: list = field(default_factory=list)  # run folders of the study without output yet


def _progress(items, description: str):
    """A progress bar on stderr when there is a terminal and more than a couple of runs (tqdm)."""
    from tqdm import tqdm

    return tqdm(items, desc=description, unit="run", disable=None if len(items) > 2 else True, leave=False)


def parse_vasp(directory: Path, *, adatom: str | None = None) -> RunResult:
    from adatom_wf.vasp.results import parse_vasp_run

    return RunResult(parse_vasp_run(directory, adatom=adatom))


def parse_directory(directory, *, label: str | None = None, multiplet_size: int | None = None,
                    adatom: str | None = None) -> RunResult:
    """One run directory, VASP or OpenMolcas, detected by content."""
    from adatom_wf.molcas.results import is_molcas_run, parse_molcas_run
    from adatom_wf.vasp.results import is_vasp_run

    directory = Path(directory)
    if not directory.is_dir():
        raise ParseError(f"{directory} is not a directory (expected a VASP or OpenMolcas run directory)")
    if is_vasp_run(directory):
        return parse_vasp(directory, adatom=adatom)
    if is_molcas_run(directory):
        return parse_molcas_run(directory, label=label, multiplet_size=multiplet_size)
    raise ParseError(f"{directory} is neither a VASP run (vasprun.xml or OUTCAR) nor an OpenMolcas run "
                     "(an OpenMolcas log or rasscf/rassi .h5)")


def parse_study(study, root: Path) -> ParseOutcome:
    """Every run of ``study`` under ``root`` (``runs/<study>``) that has output."""
    from adatom_wf.molcas.results import is_molcas_run
    from adatom_wf.vasp.results import is_vasp_run

    root = Path(root)
    candidates = []
    for site in study.sites:
        directory = root / "dft" / site
        candidates.append((directory, is_vasp_run, {"adatom": study.adatom}))
    if study.molcas is not None:
        for label, state in study.molcas.oxidation_states.items():
            candidates.append((root / "molcas" / label, is_molcas_run,
                               {"label": label, "multiplet_size": state.multiplet_size}))
    outcome = ParseOutcome()
    present = []
    for directory, detect, options in candidates:
        (present if detect(directory) else outcome.not_run).append((directory, options))
    for directory, options in _progress(present, f"parsing {study.name}"):
        outcome.results.append(parse_directory(directory, **options))
    outcome.not_run = [directory for directory, _ in outcome.not_run]
    return outcome


def parse_directories(paths) -> ParseOutcome:
    paths = [Path(p) for p in paths]
    return ParseOutcome([parse_directory(p) for p in _progress(paths, "parsing")])
