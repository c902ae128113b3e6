"""One GPAW relaxation directory -> one record with the fields of a VASP record (docs/results.md), and its verdict.

A GPAW run (:mod:`adatom_wf.gpaw.relax`) is recognised by content: a ``relax.json`` that names program gpaw, or a
``gpaw.txt`` whose banner names GPAW. Where each number comes from:

* ``relax.traj`` (ASE trajectory, one frame per ionic step): energies (F and E(σ→0)), forces, the number of steps,
  the final structure when CONTCAR is missing;
* ``relax.json``: how the relaxation ended (converged, max_steps reached, SCF failure), the criterion; its energies
  are cross-checked with the trajectory's last frame;
* ``CONTCAR``: the final structure (what the carve node reads).

:func:`parse_gpaw_run` never raises for a failed or incomplete run: it becomes a record with ``status: failed`` and
the reason.
"""

import json
import math
import re
from pathlib import Path

from adatom_wf.errors import ParseError
from adatom_wf.facts import SITES
from adatom_wf.manifest import read_head, sha256_file
from adatom_wf.records import GpawRecord
from adatom_wf.structure.adatom_site import find_adatom, layer_buckling, locate_adatom, read_contcar
from adatom_wf.structure.relaxation_check import check_record, check_relaxation
from adatom_wf.verdict import Verdict

# GPAW's text output opens with its banner, whose last line carries the version: since GPAW 24
#       __  _  _
#      | _ |_)|_||  |
#      |__||  | ||/\| - 26.7.0
# and before it
#       ___ ___ ___ _ _ _
#      |   |   |_  | | | |
#      | | | | | . | | | |
#      |__ |  _|___|_____|  22.8.0
#      |___|_|
_BANNER = re.compile(rb"^ \|__\|\|  \| \|\|/\\\| - (\S+)|^ \|__ \|  _\|___\|_____\|\s+(\S+)", re.M)
ENERGY_TOLERANCE_EV = 1e-6


def _relax_json(directory: Path) -> dict | None:
    path = directory / "relax.json"
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    return data if isinstance(data, dict) else None


def is_gpaw_run(directory) -> bool:
    """A ``relax.json`` naming program gpaw, or a ``gpaw.txt`` whose first lines name GPAW."""
    directory = Path(directory)
    if not directory.is_dir():
        return False
    data = _relax_json(directory)
    if data is not None and data.get("program") == "gpaw":
        return True
    return gpaw_text_version(directory / "gpaw.txt") is not None


def gpaw_text_version(path: Path) -> str | None:
    """The version in the banner of GPAW's text output (sample above), None when the file has no such banner."""
    match = _BANNER.search(read_head(path, 1024)) if path.is_file() else None
    return (match.group(1) or match.group(2)).decode("ascii", "replace") if match else None


def _read_trajectory(path: Path) -> list:
    """Every frame of ``relax.traj`` (ASE); a killed run's file ends with its last complete frame."""
    from ase.io.trajectory import Trajectory

    try:
        with Trajectory(str(path)) as frames:
            return [frames[i] for i in range(len(frames))]
    except Exception as error:  # ASE's ulm reader raises several kinds for a damaged file
        raise ParseError(f"relax.traj is unreadable ({' '.join(str(error).split()) or type(error).__name__}): "
                         "expected an ASE trajectory of the relaxation") from None


def _free_energy(atoms) -> float:
    """The free energy of one trajectory frame (what the optimiser lowers): GPAW's free_energy, else its energy."""
    results = atoms.calc.results if atoms.calc is not None else {}
    return float(results.get("free_energy", results.get("energy", math.nan)))


def _frame_numbers(atoms) -> dict:
    import numpy as np

    calc = atoms.calc
    results = calc.results if calc is not None else {}
    if "energy" not in results or "forces" not in results:
        raise ParseError("relax.traj: the last frame has no energy or forces (expected GPAW's results of the step)")
    forces = np.asarray(results["forces"], float)
    sigma0 = float(results["energy"])
    free = _free_energy(atoms)
    if not (math.isfinite(sigma0) and math.isfinite(free)) or not np.isfinite(forces).all():
        raise ParseError("relax.traj: the last frame's energy or forces are not finite numbers")
    return {"energy_ev": free, "energy_sigma0_ev": sigma0,
            "max_force_ev_per_angstrom": float(np.linalg.norm(forces, axis=1).max()) if len(forces) else 0.0,
            "structure": {"symbols": atoms.get_chemical_symbols(), "cell_angstrom": atoms.cell.array.tolist(),
                          "positions_angstrom": atoms.positions.tolist()}}


def _ending_problem(outcome: dict | None) -> str | None:
    if outcome is None:
        return "GPAW wrote no relax.json: the relaxation was stopped before its end (killed, timed out or crashed)"
    status = outcome.get("status")
    if status == "converged":
        return None
    if status == "not_converged":
        return (f"ionic relaxation not converged within max_steps = {outcome.get('max_steps')} steps (forces "
                f"{outcome.get('max_force_ev_per_angstrom', float('nan')):.3g} eV/Å, criterion "
                f"{outcome.get('fmax_ev_per_angstrom')} eV/Å)")
    if status == "scf_failed":
        return outcome.get("reason") or "SCF not converged"
    return f"relax.json has status {status!r} (expected converged, not_converged or scf_failed)"


def parse_gpaw_run(directory, *, adatom: str | None = None, substrate_element: str = "C") -> GpawRecord:
    """One GPAW run directory -> record (the VASP record's keys plus ``program`` and ``gpaw_version``)."""
    directory = Path(directory)
    if not is_gpaw_run(directory):
        raise ParseError(f"{directory}: not a GPAW run (expected a relax.json naming program gpaw, or a gpaw.txt "
                         "with GPAW's banner)")
    return read_gpaw_run(directory, adatom=adatom, substrate_element=substrate_element)


def read_gpaw_run(directory: Path, *, adatom: str | None = None, substrate_element: str = "C") -> GpawRecord:
    """:func:`parse_gpaw_run` of a directory already detected as GPAW's (:func:`is_gpaw_run`)."""
    outcome = _relax_json(directory)
    notes: list[str] = []
    sources: dict[str, str] = {}
    problems: list[str] = []
    record = GpawRecord(**{
        "kind": "gpaw", "program": "gpaw", "path": str(directory.resolve()),
        "site": directory.name if directory.name in SITES else None,
        "status": "failed", "failure": None,
        "gpaw_version": (outcome or {}).get("gpaw_version") or gpaw_text_version(directory / "gpaw.txt"),
        "energy_ev": None, "energy_sigma0_ev": None, "ionic_steps": None, "natoms": None,
        "converged": None, "max_force_ev_per_angstrom": None,
        "fmax_ev_per_angstrom": (outcome or {}).get("fmax_ev_per_angstrom"),
        "max_steps": (outcome or {}).get("max_steps"),
        "adatom": adatom, "adatom_height_angstrom": None, "final_structure": None, "structure_source": None,
        **check_record(None), "warnings": notes, "sources": sources,
    })
    if (directory / "relax.json").is_file():
        sources["relax.json"] = sha256_file(directory / "relax.json")
        if outcome is None:
            problems.append("relax.json is unreadable (expected the JSON adatom-wf's GPAW relaxation writes)")
    ending = _ending_problem(outcome) if not problems else None
    if ending:
        problems.append(ending)
    trajectory = directory / "relax.traj"
    numbers, energies = None, []
    if not trajectory.is_file() or trajectory.stat().st_size == 0:
        problems.append("GPAW wrote no relax.traj (no ionic step finished)")
    else:
        sources["relax.traj"] = sha256_file(trajectory)
        try:
            frames = _read_trajectory(trajectory)
            if not frames:
                raise ParseError("relax.traj holds no frame (no ionic step finished)")
            numbers = _frame_numbers(frames[-1])
            record["ionic_steps"] = len(frames) - 1
            energies = [_free_energy(frame) for frame in frames]
        except ParseError as error:
            problems.append(str(error))
    if numbers is not None and outcome is not None and outcome.get("energy_sigma0_ev") is not None:
        if abs(outcome["energy_sigma0_ev"] - numbers["energy_sigma0_ev"]) > ENERGY_TOLERANCE_EV:
            problems.append(f"relax.json's energy {outcome['energy_sigma0_ev']:.6f} eV differs from relax.traj's last "
                            f"frame {numbers['energy_sigma0_ev']:.6f} eV (files of different runs?)")
    if numbers is not None:
        record["natoms"] = len(numbers["structure"]["symbols"])
        record["max_force_ev_per_angstrom"] = numbers["max_force_ev_per_angstrom"]
    record["status"] = "failed" if problems else "ok"
    record["failure"] = "; ".join(problems) or None
    if outcome is not None:
        record["converged"] = outcome.get("status") == "converged"
    if problems:
        if numbers is not None:
            record["adatom"] = find_adatom(numbers["structure"]["symbols"], adatom)[0]
            record.update(check_record(check_relaxation(energies, None)))  # how it got there, no final layer
        record["sources"] = dict(sorted(sources.items()))
        return record
    assert numbers is not None  # no problem: relax.traj was read
    structure, structure_source = numbers["structure"], "relax.traj"
    contcar = directory / "CONTCAR"
    if contcar.is_file() and contcar.stat().st_size:
        try:
            structure, structure_source = read_contcar(contcar), "CONTCAR"
            sources["CONTCAR"] = sha256_file(contcar)
        except ParseError as error:
            notes.append(f"{error}: final structure from relax.traj")
    else:
        notes.append("no CONTCAR: final structure from relax.traj")
    symbol, height, located = locate_adatom(structure, adatom, substrate_element)
    notes += located
    check = check_relaxation(energies, layer_buckling(structure, symbol, substrate_element))
    record.update(**check_record(check), adatom=symbol, energy_ev=numbers["energy_ev"],
                  energy_sigma0_ev=numbers["energy_sigma0_ev"],
                  adatom_height_angstrom=height, final_structure=structure, structure_source=structure_source,
                  sources=dict(sorted(sources.items())))
    return record


def judge_gpaw(directory, exit_code: int) -> Verdict:
    """A relax node's verdict: the record's, and the exit code of the GPAW command."""
    directory = Path(directory)
    problems = [] if exit_code == 0 else [f"the GPAW relaxation exited with code {exit_code}"]
    if not is_gpaw_run(directory):
        problems.append("GPAW wrote neither relax.json nor gpaw.txt (did it start? see the node's log)")
        return Verdict(False, "; ".join(problems))
    record = parse_gpaw_run(directory)
    if record["status"] != "ok":
        problems.append(record["failure"])
    details = {key: record[key] for key in ("ionic_steps", "energy_sigma0_ev", "max_force_ev_per_angstrom",
                                            "gpaw_version", "adatom_height_angstrom")}
    seconds = (_relax_json(directory) or {}).get("seconds")
    if seconds is not None:
        details["seconds"] = seconds
    return Verdict(not problems, "; ".join(problems), details)
