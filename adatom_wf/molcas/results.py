"""One OpenMolcas run directory -> one record: HDF5 first, the log for what only the log has, both cross-checked.

:func:`parse_molcas_run` never raises for a failed or incomplete run: such a run becomes a record with
``status: failed`` and the reason, and no result numbers (nothing half-parsed is stored as a result). What is
read, from where (shared/REFERENCE.md has the facts, docs/results.md the record):

* the log (``<project>.casscf.log``, or the OpenMolcas log that ran RASSCF): module return codes and "Happy
  landing" (:func:`adatom_wf.molcas.verdict.parse_log`), the version, RASSCF convergence, SINGLE_ANISO's
  multiplets (g, axes, energies, ESO crystal-field parameters) and the CRYS block (:mod:`.results_log`);
* ``<project>.m<2S+1>.rasscf.h5``: root energies per multiplicity; ``<project>.rassi.h5``: SO energies and the
  SO-basis L and S of the ground multiplet (:mod:`.results_h5`), handed on as :class:`MultipletStates` (the
  parser does no analysis: :mod:`adatom_wf.parse` turns them into doublets, ⟨Jz⟩ and the Kramers check);
* cross-checks where both carry a number: root energies (h5 vs log), the multiplet's SO energies (log prints
  three decimals) and its main g values (SINGLE_ANISO vs the rank-1 part of μ rebuilt from rassi.h5).
"""

import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from adatom_wf.errors import AdatomWfError, ParseError
from adatom_wf.manifest import sha256_file
from adatom_wf.store import RunResult

BANNER = re.compile(rb"OPENMOLCAS|MOLCAS version|--- Start Module:")
# Root energies: the log prints them with 8+ decimals (Hartree).
ROOT_ENERGY_TOLERANCE_HARTREE = 1e-6
# SINGLE_ANISO prints the multiplet's SO energies with three decimals (cm⁻¹): rounding leaves 5e-4.
SO_ENERGY_TOLERANCE_CM1 = 2e-3
# Main g values: SINGLE_ANISO prints 14 digits; rebuilt from rassi.h5 they agree to ~1e-8 on the demo.
G_TOLERANCE = 1e-4


@dataclass(frozen=True)
class MultipletStates:
    """The SO states of the multiplet a run's spectrum is analysed on (cm⁻¹ above the SO ground; ħ units)."""

    energies_cm1: np.ndarray
    angular_momentum: np.ndarray  # (3, n, n) <i|L_a|j>
    spin: np.ndarray  # (3, n, n) <i|S_a|j>
    active_electrons: int


def _head(path: Path, size: int = 8192) -> bytes:
    with open(path, "rb") as handle:
        return handle.read(size)


def _is_molcas_log(path: Path) -> bool:
    return path.is_file() and bool(BANNER.search(_head(path)))


def find_log(directory: Path) -> Path | None:
    """The log of the CASSCF/RASSI/SINGLE_ANISO step: ``*.casscf.log``, else the last OpenMolcas log that
    started RASSCF, else None."""
    logs = sorted(p for p in directory.glob("*.log") if _is_molcas_log(p))
    preferred = [p for p in logs if p.name.endswith(".casscf.log")]
    if preferred:
        return preferred[-1]
    running = [p for p in logs if b"Start Module: rasscf" in p.read_bytes()]
    return running[-1] if running else None


def is_molcas_run(directory) -> bool:
    """Detected by content: an OpenMolcas log or an h5 file written by an OpenMolcas module."""
    directory = Path(directory)
    if not directory.is_dir():
        return False
    if any(_is_molcas_log(p) for p in directory.glob("*.log")):
        return True
    return any(_head(p, 8) == b"\x89HDF\r\n\x1a\n" for p in directory.glob("*.rass[ci]*.h5"))


def _rasscf_file(directory: Path, project: str, multiplicity: int, runs: int) -> Path:
    """``<project>.m<2S+1>.rasscf.h5`` (adatom-wf copies each RASSCF's h5 there); a single RASSCF may have left
    only ``<project>.rasscf.h5`` (which OpenMolcas overwrites with each RASSCF)."""
    per_spin = directory / f"{project}.m{multiplicity}.rasscf.h5"
    if per_spin.is_file():
        return per_spin
    single = directory / f"{project}.rasscf.h5"
    if runs == 1 and single.is_file():
        return single
    raise ParseError(f"{per_spin.name} is missing in {directory} (the RASSCF of multiplicity {multiplicity} "
                     "writes it)")


def failed_result(record: dict, reason: str) -> RunResult:
    """The record as a failed run: the reason, and no result numbers (nothing half-parsed is stored)."""
    record.update(status="failed", failure=reason, rasscf=[], so_energies_cm1=[], multiplets=[],
                  crystal_field_j=None, doublets=[], spectrum=None)
    return RunResult(record)


def parse_molcas_run(directory, *, label: str | None = None, multiplet_size: int | None = None) -> RunResult:
    """Parse an OpenMolcas run directory into a record (see docs/results.md); ParseError only if it is none."""
    from adatom_wf.molcas.verdict import judge, parse_log

    directory = Path(directory).resolve()
    if not is_molcas_run(directory):
        raise ParseError(f"{directory}: no OpenMolcas log or h5 file here (expected <project>.casscf.log and "
                         "<project>.rassi.h5)")
    log = find_log(directory)
    project = log.name.split(".")[0] if log else next(directory.glob("*.rass[ci]*.h5")).name.split(".")[0]
    record = {"kind": "molcas", "path": str(directory), "label": label or directory.name, "project": project,
              "status": "ok", "failure": None, "molcas_version": None, "sources": {}, "warnings": [],
              "cross_checks": [], "doublets": [], "spectrum": None}  # doublets, spectrum: adatom_wf.parse.analysed
    if log is None:
        return failed_result(record, f"no OpenMolcas log with a RASSCF step in {directory}")
    text = log.read_text(errors="replace")
    record["sources"][log.name] = sha256_file(log)
    err = log.with_suffix(".err")
    summary = parse_log(text, err.read_text(errors="replace") if err.is_file() else "")
    status, failure = judge(0, summary, log.name)
    status_json = directory / "status.json"
    if status_json.is_file():
        try:
            recorded = json.loads(status_json.read_text())
        except ValueError:
            recorded = {}
        if recorded.get("status") == "failed" and status == "ok":
            status, failure = "failed", recorded.get("failure") or "status.json says failed"
    try:
        from adatom_wf.molcas import results_log

        record["molcas_version"] = results_log.molcas_version(text)
        if status != "ok":
            return failed_result(record, failure)
        _fill(record, directory, project, text, log.name, multiplet_size)
    except AdatomWfError as error:  # a truncated or malformed file: a failed run, never a crash
        return failed_result(record, str(error))
    states = record.pop("_states", None)
    arrays = {"angular_momentum": states.angular_momentum, "spin": states.spin} if states else {}
    return RunResult(record, arrays, states)


def _fill(record: dict, directory: Path, project: str, text: str, log_name: str, multiplet_size: int | None) -> None:
    from adatom_wf.molcas import results_h5, results_log

    runs = results_log.rasscf_runs(text, log_name)
    if not runs:
        raise ParseError(f"{log_name}: no RASSCF run in the log")
    rasscf, electrons = [], 0
    for run in runs:
        path = _rasscf_file(directory, project, run["multiplicity"], len(runs))
        h5 = results_h5.read_rasscf_h5(path)
        record["sources"][path.name] = sha256_file(path)
        if h5.multiplicity != run["multiplicity"]:
            raise ParseError(f"{path.name}: multiplicity {h5.multiplicity} but the log's RASSCF has {run['multiplicity']}")
        if not run["converged"]:
            raise ParseError(f"{log_name}: RASSCF for multiplicity {h5.multiplicity} did not converge "
                             f"({run['iterations']} iterations)")
        _cross_check(record, f"RASSCF 2S+1={h5.multiplicity} root energies (Hartree)", h5.root_energies_hartree,
                     run["root_energies_hartree"], ROOT_ENERGY_TOLERANCE_HARTREE, path.name, log_name)
        electrons = h5.active_electrons
        rasscf.append({"multiplicity": h5.multiplicity, "root_energies_hartree": h5.root_energies_hartree,
                       "converged": True, "iterations": h5.iterations if h5.iterations is not None else run["iterations"]})
    record["rasscf"] = rasscf

    multiplets = results_log.single_aniso_multiplets(text, log_name)
    record["multiplets"] = multiplets
    record["crystal_field_j"] = results_log.crystal_field_j(text, log_name)
    size = multiplets[0]["size"] if multiplets else multiplet_size
    spanned = sum(m["size"] for m in multiplets)
    rassi = directory / f"{project}.rassi.h5"
    if not rassi.is_file():
        raise ParseError(f"{rassi.name} is missing in {directory} (RASSI writes it)")
    record["sources"][rassi.name] = sha256_file(rassi)
    nss = int(sum(run["multiplicity"] * len(run["root_energies_hartree"]) for run in rasscf))
    states = results_h5.read_rassi_h5(rassi, min(max(size or nss, spanned), nss))
    record["so_energies_cm1"] = [float(e) for e in states.energies_cm1]
    first = 0
    for multiplet in multiplets:  # SINGLE_ANISO's MLTP blocks follow each other up the SO spectrum
        _check_multiplet(record, multiplet, states, first, rassi.name, log_name)
        first += multiplet["size"]
    if size:
        record["_states"] = MultipletStates(states.energies_cm1[:size], states.angular_momentum[:, :size, :size],
                                            states.spin[:, :size, :size], electrons)


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
