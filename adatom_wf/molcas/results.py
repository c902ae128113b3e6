"""One OpenMolcas run directory -> one record: HDF5 first, the log for what only the log has, both cross-checked.

:func:`parse_molcas_run` never raises for a failed or incomplete run: such a run becomes a record with
``status: failed`` and the reason, and no result numbers (nothing half-parsed is stored as a result). What is
read, from where (shared/REFERENCE.md has the facts, docs/results.md the record):

* the log (``<project>.casscf.log``, or the OpenMolcas log that ran RASSCF): module return codes and "Happy
  landing" (:func:`adatom_wf.molcas.verdict.parse_log`), the version, RASSCF convergence, SINGLE_ANISO's
  multiplets (g, axes, energies, ESO crystal-field parameters) and the CRYS block (:mod:`.results_log`);
* every HDF5 file by its own attributes (:func:`.results_h5.h5_kind`), whatever its name: each RASSCF of the
  log takes the rasscf h5 that holds its roots (multiplicity, number of roots, energies), else the log's energies
  (OpenMolcas overwrites ``$Project.rasscf.h5`` with each RASSCF); the RASSI file gives the SO energies and the
  SO-basis L and S of the ground multiplet (:mod:`.results_h5`), else SINGLE_ANISO's ASCII ``.aniso`` file
  (:mod:`.results_aniso`); handed on as :class:`MultipletStates` (the parser does no analysis:
  :mod:`adatom_wf.parse` turns them into doublets, ⟨Jz⟩ and the Kramers check);
* cross-checks where both carry a number: root energies (h5 vs log), the multiplet's SO energies (log prints
  three decimals) and its main g values (SINGLE_ANISO vs the rank-1 part of μ rebuilt from rassi.h5).

What a run lacks is absent with a warning; a recognised file that cannot be read makes the run failed, and an
unexpected error while reading becomes a failed run naming the file, never a traceback.
"""

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from adatom_wf.errors import AdatomWfError, ParseError
from adatom_wf.manifest import read_head, sha256_file
from adatom_wf.molcas.results_log import SO_ENERGY_TOLERANCE_CM1
from adatom_wf.records import MolcasRecord, MultipletStates, Record, RunResult
from adatom_wf.verdict import Verdict

if TYPE_CHECKING:
    from adatom_wf.molcas.configuration import Composition
    from adatom_wf.molcas.log_index import LogIndex

BANNER = re.compile(rb"OPENMOLCAS|MOLCAS version|--- Start Module:")
# Root energies: the log prints them with 8+ decimals (Hartree).
ROOT_ENERGY_TOLERANCE_HARTREE = 1e-6
# Main g values: SINGLE_ANISO prints 14 digits; rebuilt from rassi.h5 they agree to ~1e-8 on the demo.
G_TOLERANCE = 1e-4


LOG_SUFFIXES = (".log", ".out", ".output", ".stdout")
HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


def _is_molcas_log(path: Path) -> bool:
    return path.is_file() and path.suffix in LOG_SUFFIXES and bool(BANNER.search(read_head(path, 8192)))


@dataclass
class RunFiles:
    """What an OpenMolcas run directory holds, recognised by content (file names only order them)."""

    logs: list = field(default_factory=list)  # OpenMolcas logs (banner or module lines in the first 8 KB)
    h5: list = field(default_factory=list)  # H5Kind of every readable HDF5 file
    unreadable: list = field(default_factory=list)  # (file name, why): a *.h5 or an HDF5 file that cannot be read
    aniso: list = field(default_factory=list)  # (path, "old" | "new"): SINGLE_ANISO's ASCII files
    directory: Path | None = None

    def __bool__(self) -> bool:
        """True when the directory holds anything of OpenMolcas's."""
        return bool(self.logs or self.h5 or self.aniso)


@dataclass
class _Reading:
    """What one parse carries beside the record: the survey, the log (its text and the one index of its blocks),
    the file being read (named by an unexpected error's message), the SO states and their composition."""

    files: RunFiles
    log: Path | None
    text: str = ""
    index: "LogIndex | None" = None  # .log_index.LogIndex of text
    reading: list = field(default_factory=list)
    states: "MultipletStates | None" = None
    composition: "Composition | None" = None  # .configuration's composition of the SO states

    def read(self, name: str) -> None:
        self.reading.append(name)


def survey(directory: Path) -> RunFiles:
    """Every OpenMolcas file of ``directory`` by what it holds: logs, HDF5 files (module, multiplicity, roots
    from their own attributes) and SINGLE_ANISO's ASCII files. Never raises."""
    from adatom_wf.molcas.results_aniso import aniso_format
    from adatom_wf.molcas.results_h5 import h5_kind

    files = RunFiles(directory=directory)
    for path in sorted(p for p in directory.iterdir() if p.is_file()):
        head = read_head(path, 8)
        if head == HDF5_SIGNATURE or path.suffix == ".h5":
            if head != HDF5_SIGNATURE:
                files.unreadable.append((path.name, "not an HDF5 file (expected the HDF5 signature of an "
                                                    "OpenMolcas .h5 file)"))
                continue
            try:
                files.h5.append(h5_kind(path))
            except AdatomWfError as error:
                files.unreadable.append((path.name, str(error)))
        elif _is_molcas_log(path):
            files.logs.append(path)
        elif path.suffix not in (".input", ".inp", ".err", ".json", ".md", ".status", ".molden", ".xyz"):
            kind = aniso_format(path)
            if kind:
                files.aniso.append((path, kind))
    return files


def find_log(directory: Path, logs: list | None = None) -> Path | None:
    """The log of the CASSCF/RASSI/SINGLE_ANISO step: ``*.casscf.log`` (adatom-wf's), else the last OpenMolcas
    log that started RASSCF, else the last that started RASSI or SINGLE_ANISO, else None."""
    logs = sorted(p for p in directory.iterdir() if _is_molcas_log(p)) if logs is None else logs
    preferred = [p for p in logs if p.name.endswith(".casscf.log")]
    if preferred:
        return preferred[-1]
    texts = {p: p.read_bytes() for p in logs}
    for module in (b"Start Module: rasscf", b"Start Module: single_aniso", b"Start Module: rassi"):
        running = [p for p in logs if module in texts[p]]
        if running:
            return running[-1]
    return None


def detect(directory) -> RunFiles | None:
    """The survey of an OpenMolcas run directory (an OpenMolcas log, an HDF5 file or a SINGLE_ANISO ASCII file,
    detected by content), else None; :func:`parse_molcas_run` reads it without surveying again."""
    directory = Path(directory)
    if not directory.is_dir():
        return None
    files = survey(directory.resolve())
    return files if files else None


def failed_result(record: Record, reason: str) -> RunResult:
    """The record as a failed run: the reason, and no result numbers (nothing half-parsed is stored)."""
    record.update(status="failed", failure=reason, rasscf=[], so_energies_cm1=[], multiplets=[],
                  crystal_field_j=None, doublets=[], spectrum=None, orbital_groups=None)
    return RunResult(record)


def parse_molcas_run(directory, *, label: str | None = None, multiplet_size: int | None = None,
                     characters=None, expected_configuration: dict | None = None,
                     files: RunFiles | None = None) -> RunResult:
    """Parse an OpenMolcas run directory into a record (see docs/results.md); ParseError only if it is none.

    Whatever the files hold, this returns a record: a file that cannot be read makes the run failed, with a
    reason naming the file and what was expected. ``files``: the directory's survey (:func:`detect`), if made."""
    directory = Path(directory).resolve()
    if not directory.is_dir():
        raise ParseError(f"{directory} is not a directory (expected an OpenMolcas run directory)")
    files = files if files is not None else survey(directory)
    if not files:
        raise ParseError(f"{directory}: no OpenMolcas log or h5 file here (expected <project>.casscf.log and "
                         "<project>.rassi.h5)")
    log = find_log(directory, files.logs)
    named = log or (files.h5[0].path if files.h5 else files.aniso[0][0] if files.aniso else None)
    project = named.name.split(".")[0] if named else directory.name
    record = MolcasRecord(path=str(directory), label=label or directory.name, project=project,
                          expected_configuration=expected_configuration,  # doublets, spectrum: .analysed
                          **_convergence_record(directory))
    run = _Reading(files, log, reading=[log.name if log else directory.name])
    try:
        verdict = _judge(directory, run)
        if run.index is not None:  # the log was read
            from adatom_wf.molcas.results_log import molcas_version

            assert log is not None  # _judge read it
            record["sources"][log.name] = sha256_file(log)
            record["molcas_version"] = molcas_version(run.text)
        if not verdict.ok:
            return failed_result(record, verdict.reason)
        _fill(record, directory, run, multiplet_size, characters)
    except AdatomWfError as error:  # a truncated or malformed file: a failed run, never a crash
        return failed_result(record, str(error))
    except Exception as error:  # the last line of defence: never a traceback, whatever is in the directory
        return failed_result(record, f"{run.reading[-1]}: cannot be read ({type(error).__name__}: {error})")
    states, composition = run.states, run.composition
    arrays = {"angular_momentum": states.angular_momentum, "spin": states.spin} if states else {}
    if composition is not None:
        arrays.update(so_occupations=composition.electrons, so_spin_weights=composition.spin_weights,
                      so_multiplicities=np.asarray(composition.multiplicities))
    return RunResult(record, arrays, states)


def _convergence_record(directory: Path) -> dict:
    """How adatom-wf's molcas node started and converged this run (its status.json; docs/molcas.md,
    "Convergence"): ``orbital_start``, ``convergence`` and ``rasscf_attempts``; None and [] for a foreign run."""
    from adatom_wf.layout import read_status

    status = read_status(directory)
    if not isinstance(status, dict):  # none (a run from elsewhere) or not a JSON object
        status = {}
    start = status.get("start_orbitals") or {}
    attempts = status.get("rasscf_attempts") or []
    return {"orbital_start": start.get("source") if isinstance(start, dict) else None,
            "convergence": status.get("convergence"),
            "rasscf_attempts": [{"attempt": a.get("attempt"), "settings": a.get("settings"), "status": a.get("status"),
                                 "rasscf": a.get("rasscf")} for a in attempts if isinstance(a, dict)]}


def judge_run(directory: Path, exit_code: int = 0) -> Verdict:
    """The verdict of an OpenMolcas run directory from its files and log (and ``exit_code``, pymolcas's)."""
    files = survey(directory)
    return _judge(directory, _Reading(files, find_log(directory, files.logs)), exit_code)


def _judge(directory: Path, run: _Reading, exit_code: int = 0) -> Verdict:
    """Read the log once (``run.text``, ``run.index``) and judge it: unreadable files, no log, a failed module, no
    "Happy landing", or a status.json that says failed."""
    from adatom_wf.molcas.log_index import index_log
    from adatom_wf.molcas.verdict import judge, parse_log

    files, log = run.files, run.log
    if files.unreadable:
        name, why = files.unreadable[0]
        return Verdict(False, why if why.startswith(name) else f"{name}: {why}")
    if log is None:
        return Verdict(False, f"no OpenMolcas log with a RASSCF, RASSI or SINGLE_ANISO step in {directory} (the log "
                              "says whether the modules finished)")
    text = log.read_bytes().decode(errors="replace")
    index = index_log(text)  # the one pass over the log; every reader below takes its blocks from it
    run.text, run.index = text, index
    err = log.with_suffix(".err")
    summary = parse_log(text, err.read_text(errors="replace") if err.is_file() else "", index)
    verdict = judge(exit_code, summary, log.name)
    status_json = directory / "status.json"
    if status_json.is_file():
        try:
            recorded = json.loads(status_json.read_text(errors="replace"))
        except ValueError:
            recorded = {}
        if isinstance(recorded, dict) and recorded.get("status") == "failed" and verdict.ok:
            verdict = Verdict(False, str(recorded.get("failure") or "status.json says failed"))
    return verdict


def _note(record: Record, text: str) -> None:
    record["warnings"].append(text)


def _fill(record: Record, directory: Path, run: _Reading, multiplet_size: int | None, characters) -> None:
    from adatom_wf.molcas import results_log

    assert run.log is not None  # _judge read it
    text, index, log_name = run.text, run.index, run.log.name
    runs = results_log.rasscf_runs(text, log_name, index)
    rasscf, electrons, rasscf_files = _rasscf(record, runs, run)
    record["rasscf"] = rasscf
    run.read(log_name)
    multiplets = results_log.single_aniso_multiplets(text, log_name, index)
    record["multiplets"] = multiplets
    record["crystal_field_j"] = results_log.crystal_field_j(text, log_name, index)
    if not multiplets:
        _note(record, f"{log_name}: no SINGLE_ANISO multiplet (MLTP) block: no g, axes or ESO parameters")
    if record["crystal_field_j"] is None:
        _note(record, f"{log_name}: no SINGLE_ANISO crystal field of the ground J multiplet (CRYS): crystal_field_j "
                      "is null")
    size = multiplets[0]["size"] if multiplets else multiplet_size
    spanned = sum(m["size"] for m in multiplets)
    states = _so_states(record, run, rasscf, size, spanned)
    try:
        _configuration(record, directory, rasscf, rasscf_files, states, characters, run)
    except Exception as error:  # the files do not allow the analysis: the rest of the record stands, none of it
        for root in rasscf:
            root["occupations"] = None
        record.update(orbital_groups=None)
        run.composition = None
        for multiplet in record["multiplets"]:
            multiplet.pop("occupations", None)
            multiplet.pop("spin_weights", None)
        why = str(error) if isinstance(error, ParseError) else f"{run.reading[-1]}: {type(error).__name__}: {error}"
        _note(record, f"no occupations of the active orbitals: {why}")
    if states is None:
        return
    record["so_energies_cm1"] = [float(e) for e in states.energies_cm1]
    first = 0
    for multiplet in multiplets:  # SINGLE_ANISO's MLTP blocks follow each other up the SO spectrum
        _check_multiplet(record, multiplet, states, first, states.source, log_name)
        first += multiplet["size"]
    if size:
        size = min(size, len(states.energies_cm1))
        odd = bool(int(states.sf_multiplicities[0]) % 2 == 0)
        run.states = MultipletStates(states.energies_cm1[:size], states.angular_momentum[:, :size, :size],
                                            states.spin[:, :size, :size], electrons or 0, odd)
    else:
        _note(record, f"{states.source}: the size of the ground multiplet is not known (no SINGLE_ANISO MLTP block "
                      "and no multiplet_size in the study): no doublets or spectrum")


def _rasscf(record: Record, runs: list, reading: _Reading) -> tuple[list, int | None, list]:
    """Each RASSCF of the log with the HDF5 file that holds its roots (same multiplicity and number of roots,
    energies equal to 1e-6 Eh), whatever the file's name; the log's energies where no such file is left."""
    from adatom_wf.molcas import results_h5

    assert reading.log is not None  # _fill's
    log_name = reading.log.name
    loaded = []
    for kind in reading.files.h5:
        if kind.module == "RASSCF":
            reading.read(kind.path.name)
            loaded.append((kind.path, results_h5.read_rasscf_h5(kind.path)))
    if not runs:
        _note(record, f"{log_name}: no RASSCF in the log: no root energies"
                      + (f" ({', '.join(p.name for p, _ in loaded)} not used: no RASSCF of this log to check "
                         "them against)" if loaded else ""))
        return [], None, []

    def agree(run, h5):
        return (h5.multiplicity == run["multiplicity"]
                and len(h5.root_energies_hartree) == len(run["root_energies_hartree"])
                and max(abs(a - b) for a, b in zip(h5.root_energies_hartree, run["root_energies_hartree"]))
                <= ROOT_ENERGY_TOLERANCE_HARTREE)

    used, chosen = set(), []
    for run in runs:
        match = next(((p, h) for p, h in loaded if p not in used and agree(run, h)), None)
        if match:
            used.add(match[0])
        chosen.append(match)
    rasscf, electrons = [], None
    for n, (run, match) in enumerate(zip(runs, chosen), 1):
        multiplicity = run["multiplicity"]
        what = f"RASSCF 2S+1={multiplicity} root energies (Hartree)"
        if match is None:
            stray = [(p, h) for p, h in loaded if p not in used and h.multiplicity == multiplicity]
            if stray:  # a file of this multiplicity that matches no RASSCF of the log: another run's
                path, h5 = stray[0]
                _cross_check(record, what, h5.root_energies_hartree, run["root_energies_hartree"],
                             ROOT_ENERGY_TOLERANCE_HARTREE, path.name, log_name)
        if not run["converged"]:
            raise ParseError(f"{log_name}: RASSCF for multiplicity {multiplicity} did not converge "
                             f"({run['iterations']} iterations)")
        if match is None:
            energies, iterations = run["root_energies_hartree"], run["iterations"]
            _note(record, f"{log_name}: RASSCF run {n} (2S+1={multiplicity}): no rasscf.h5 holds its roots (OpenMolcas "
                          "overwrites $Project.rasscf.h5 with each RASSCF): root energies from the log (8 decimals)")
            electrons = run.get("active_electrons") or electrons
        else:
            path, h5 = match
            record["sources"][path.name] = sha256_file(path)
            _cross_check(record, what, h5.root_energies_hartree, run["root_energies_hartree"],
                         ROOT_ENERGY_TOLERANCE_HARTREE, path.name, log_name)
            energies = h5.root_energies_hartree
            # the log's "Convergence after N" (rasscf.h5's RASSCF_ITERATIONS counts one more; results_h5)
            iterations = run["iterations"] if run["iterations"] is not None else h5.iterations
            electrons = h5.active_electrons or run.get("active_electrons") or electrons
        rasscf.append({"multiplicity": multiplicity, "root_energies_hartree": list(energies), "converged": True,
                       "iterations": iterations, "occupations": None})
    for path, h5 in loaded:
        if path not in used and any(agree(run, h5) for run in runs):  # a copy of a file used above
            record["sources"][path.name] = sha256_file(path)
        elif path not in used:
            _note(record, f"{path.name}: RASSCF 2S+1={h5.multiplicity}, {len(h5.root_energies_hartree)} roots: not "
                          f"one of the RASSCF runs of {log_name} (not used)")
    return rasscf, electrons, [match[0] if match else None for match in chosen]


@dataclass(frozen=True)
class _States:
    """SO states from rassi.h5 or a SINGLE_ANISO ASCII file, in the shape :func:`_check_multiplet` reads."""

    energies_cm1: np.ndarray
    angular_momentum: np.ndarray
    spin: np.ndarray
    sf_multiplicities: np.ndarray
    source: str
    written_angular_momentum: np.ndarray | None = None
    written_spin: np.ndarray | None = None


def _so_states(record, run: _Reading, rasscf: list, size, spanned) -> "_States | None":
    """The SO states: rassi.h5 (the one whose spin-free energies are the RASSCF roots, if there are several),
    else SINGLE_ANISO's ASCII file, else None with a note (and the SO energies and doublets the log prints)."""
    from adatom_wf.analysis.moments import angular_momentum_from_moment
    from adatom_wf.molcas import results_aniso, results_h5, results_log

    files = run.files
    rassi = [kind.path for kind in files.h5 if kind.module == "RASSI"]
    if len(rassi) > 1 and rasscf:
        roots = np.sort(np.concatenate([run["root_energies_hartree"] for run in rasscf]))
        rassi = [p for p in rassi if _sf_energies_match(p, roots)] or rassi
    if len(rassi) > 1:
        raise ParseError(f"{', '.join(p.name for p in rassi)}: several RASSI HDF5 files and none is singled out by "
                         "its spin-free energies (expected one rassi.h5 per run directory)")
    if rassi:
        path = rassi[0]
        run.read(path.name)
        record["sources"][path.name] = sha256_file(path)
        with h5py_file(path) as h5:
            nss = int(np.sum(np.atleast_1d(h5.attrs.get("STATE_SPINMULT", [1]))))
        states = results_h5.read_rassi_h5(path, min(max(size or nss, spanned), nss))
        return _States(states.energies_cm1, states.angular_momentum, states.spin, states.sf_multiplicities, path.name,
                       states.written_angular_momentum, states.written_spin)
    if files.aniso:
        path, kind = sorted(files.aniso, key=lambda item: item[1] != "new")[0]  # the new format: Hartree digits
        run.read(path.name)
        record["sources"][path.name] = sha256_file(path)
        aniso = results_aniso.read_aniso(path)
        _note(record, f"no rassi.h5: the SO states are read from SINGLE_ANISO's file {path.name} ({kind} format)")
        order = np.argsort(aniso.energies_cm1, kind="stable")
        spin = aniso.spin[:, order][:, :, order]
        orbital = angular_momentum_from_moment(aniso.magnetic_moment[:, order][:, :, order], spin)
        return _States(aniso.energies_cm1[order], orbital, spin, np.asarray(aniso.multiplicities), path.name)
    assert run.log is not None  # _fill's
    log_name = run.log.name
    energies = results_log.spin_orbit_energies(run.text, log_name, run.index)
    if energies is None:
        _note(record, "no rassi.h5 and no SINGLE_ANISO ASCII file (.aniso): no SO energies, doublets or spectrum")
        return None
    # the list SINGLE_ANISO prints: no L and S, so no spectrum (the analysis leaves the log's doublets as they are)
    record["so_energies_cm1"] = sorted(energies)
    record["doublets"] = doublets = results_log.multiplet_doublets(record["multiplets"], energies, log_name)
    _note(record, f"no rassi.h5 and no SINGLE_ANISO ASCII file (.aniso): the {len(energies)} SO energies are read "
                  f"from {log_name} (SINGLE_ANISO's LOW-LYING SPIN-ORBIT ENERGIES, 14 decimals as printed); "
                  "without L and S there is no spectrum")
    _note(record, f"{log_name}: {len(doublets)} doublet(s) from SINGLE_ANISO's multiplets of 2 states (MLTP): "
                  "energies from that list, g as printed, |Jz| not printed (null)" if doublets else
                  f"{log_name}: no SINGLE_ANISO multiplet of 2 states (MLTP): no doublets")
    return None


def _configuration(record, directory: Path, rasscf: list, rasscf_files: list, states, characters,
                   run: _Reading) -> None:
    """Electrons per active-orbital character of every root, SO state and multiplet (:mod:`.configuration`), where
    the run holds what it takes; else a note saying what is missing."""
    from adatom_wf.lanthanides import CHARACTERS_BY_ORBITALS
    from adatom_wf.molcas import configuration
    from adatom_wf.molcas.orbitals import active_orbitals, read_orbitals

    present = [path for path in rasscf_files if path is not None]
    if not present:
        if rasscf:
            _note(record, "no rasscf.h5 of the log's RASSCF runs: no occupations of the active orbitals")
        return
    if characters is None:
        run.read(present[0].name)
        count = int(active_orbitals(read_orbitals(present[0])).size)
        characters = CHARACTERS_BY_ORBITALS.get(count)
        if characters is None:
            _note(record, f"{present[0].name}: {count} active orbitals and no study naming their characters: no "
                          "occupations of the active orbitals")
            return
        _note(record, f"orbital characters {'+'.join(characters)} assumed for {count} active orbitals (no study "
                      "names them)")
    per_run = []
    for root, path in zip(rasscf, rasscf_files):
        occupations = None
        if path is not None:
            run.read(path.name)
            occupations = configuration.read_root_occupations(path, characters)
            if occupations is None:
                _note(record, f"{path.name}: no DENSITY_MATRIX (OpenMolcas before 22.10?): no occupations of its roots")
        else:
            _note(record, f"RASSCF 2S+1={root['multiplicity']}: no rasscf.h5 holds its roots: no occupations of them")
        root["occupations"] = (None if occupations is None else
                              [configuration.occupation_list(occupations.groups, row) for row in occupations.electrons])
        per_run.append((root["multiplicity"], root["root_energies_hartree"], occupations))
    known = [item for item in per_run if item[2] is not None]
    if not known:
        return
    occupations = known[0][2]
    assert occupations is not None  # known: the runs with occupations
    record["orbital_groups"] = list(occupations.groups)
    if states is None or not states.source.endswith(".h5"):
        if states is not None:
            _note(record, f"{states.source}: not a rassi.h5 (no SO eigenvectors): no occupations of the SO states")
        return
    if len(known) < len(per_run):
        _note(record, "occupations of the SO states need every RASSCF run's rasscf.h5: not computed")
        return
    run.read(states.source)
    weights, multiplicities, energies = configuration.read_composition(directory / states.source)
    composition = configuration.compose(weights, multiplicities, energies, per_run)
    run.composition = composition
    first = 0
    for multiplet in record["multiplets"]:
        multiplet.update(composition.multiplet(first, multiplet["size"]))
        first += multiplet["size"]


def h5py_file(path: Path):
    import h5py

    return h5py.File(path, "r")


def _sf_energies_match(path: Path, roots: np.ndarray) -> bool:
    try:
        with h5py_file(path) as h5:
            energies = np.sort(np.atleast_1d(h5["SFS_ENERGIES"][()]).astype(float))
    except Exception:
        return False
    return all(np.min(np.abs(roots - e)) <= ROOT_ENERGY_TOLERANCE_HARTREE for e in energies)


def _cross_check(record, what, ours, theirs, tolerance, ours_name, theirs_name) -> None:
    ours, theirs = np.asarray(ours, float), np.asarray(theirs, float)
    if ours.shape != theirs.shape:
        raise ParseError(f"{ours_name} and {theirs_name} disagree on {what}: {ours.size} vs {theirs.size} values")
    deviation = float(np.abs(ours - theirs).max()) if ours.size else 0.0
    if deviation > tolerance:
        raise ParseError(f"{ours_name} and {theirs_name} disagree on {what} by {deviation:.3g} "
                         f"(tolerance {tolerance:g}): are they from the same run?")
    record["cross_checks"].append({"quantity": what, "files": [ours_name, theirs_name],
                                   "max_deviation": deviation, "tolerance": tolerance})


def _check_multiplet(record, multiplet, states, first, rassi_name, log_name) -> None:
    """The log's energies and main g values of a multiplet against the SO states rebuilt from rassi.h5."""
    from adatom_wf.molcas import results_h5

    size = multiplet["size"]
    if first + size > len(states.energies_cm1):
        raise ParseError(f"{log_name}: SINGLE_ANISO multiplet {multiplet['index']} spans SO states beyond the "
                         f"{len(states.energies_cm1)} of {rassi_name}")
    energies = states.energies_cm1[first:first + size]
    _cross_check(record, f"SO energies of SINGLE_ANISO multiplet {multiplet['index']} (cm^-1)", energies,
                 multiplet["energies_cm1"], SO_ENERGY_TOLERANCE_CM1, rassi_name, log_name)
    if size > 1:
        g = results_h5.multiplet_g(states, first, size)
        _cross_check(record, f"main g values of SINGLE_ANISO multiplet {multiplet['index']}", g,
                     sorted(multiplet["g_main"]), G_TOLERANCE, rassi_name, log_name)
        written_l, written_s = getattr(states, "written_angular_momentum", None), getattr(states, "written_spin", None)
        if written_s is not None and first + size <= written_s.shape[1]:
            orbital = written_l if written_l is not None else states.angular_momentum
            if written_l is None or orbital.shape == states.angular_momentum.shape:
                written = results_h5.multiplet_g(states, first, size, orbital, written_s)
                what = (f"main g values of SINGLE_ANISO multiplet {multiplet['index']} from "
                        f"{'SOS_ANGMOM and ' if written_l is not None else ''}SOS_SPIN")
                deviation = float(np.abs(np.asarray(written) - np.asarray(sorted(multiplet["g_main"]))).max())
                if deviation > G_TOLERANCE:
                    _note(record, f"{rassi_name}: {what} differ from {log_name}'s by {deviation:.3g}: the SO moments "
                                  "rebuilt from SFS_ANGMOM and SOS_COEFFICIENTS are used")
                else:
                    record["cross_checks"].append({"quantity": what, "files": [rassi_name, log_name],
                                                   "max_deviation": deviation, "tolerance": G_TOLERANCE})
