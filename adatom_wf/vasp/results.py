"""One VASP run directory -> one JSON-able record (docs/vasp.md, "Parsing VASP results").

:func:`parse_vasp_run` never raises for a failed or incomplete run: such a run becomes a record with
``status: failed``, the reason (worded as :mod:`.verdict` words it) and no result numbers.
It raises :class:`ParseError` only for a directory that is not a VASP run at all (:func:`is_vasp_run`).

Where each number comes from:

* ``vasprun.xml`` (pymatgen ``Vasprun``, strict XML, through :func:`.verdict.read_vasprun`):
  energies, forces, ionic steps, NSW/IBRION/EDIFFG/NELM, convergence, the final structure;
* ``OUTCAR``, only when vasprun.xml is missing or unreadable and OUTCAR has its timing footer: the same numbers,
  the energies and tags by the small block parsers below, structure and forces by ASE (``vasp-out``);
* ``CONTCAR`` (ASE): the final structure, when present and readable (it is what the carving step reads).
"""

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from adatom_wf.errors import ParseError
from adatom_wf.facts import SITES
from adatom_wf.manifest import read_head, sha256_file
from adatom_wf.records import VaspRecord
from adatom_wf.structure.adatom_site import find_adatom, layer_buckling, locate_adatom, read_contcar
from adatom_wf.structure.relaxation_check import check_record, check_relaxation
from adatom_wf.vasp import verdict

if TYPE_CHECKING:
    from ase import Atoms

# PSTRESS is in kbar; 1 kbar = 1e8 Pa = 1e-22 J/Å³, and 1 eV = 1.602176634e-19 J.
KBAR_CUBIC_ANGSTROM_EV = 1e-22 / 1.602176634e-19
_GENERATOR = re.compile(rb'<generator>.*?<i\s+name="program"[^>]*>\s*vasp\s*</i>', re.S | re.I)
_VERSION_XML = re.compile(rb'<generator>.*?<i\s+name="version"[^>]*>\s*([^<\s]+)\s*</i>', re.S | re.I)
_VERSION_OUTCAR = re.compile(rb"^\s*vasp\.(\d+(?:\.\d+)*)", re.M)


@dataclass
class RunNumbers:
    """What one results file (vasprun.xml or OUTCAR) says about the run."""

    source: str
    energy_ev: float
    energy_sigma0_ev: float | None
    ionic_steps: int
    structure: dict
    forces: list | None
    nsw: int | None
    ibrion: int | None
    ediffg: float | None
    electronic_converged: bool
    ionic_converged_by_count: bool  # pymatgen's rule: fewer ionic steps than NSW
    step_energies_ev: list = field(default_factory=list)  # F of every ionic step, in order (the relaxation check)
    problems: list = field(default_factory=list)
    warnings: list = field(default_factory=list)


# --- detection ------------------------------------------------------------------------------------------------


def _vasprun_written_by_vasp(path: Path) -> bool:
    return path.is_file() and bool(_GENERATOR.search(read_head(path, 4096)))


def _outcar_written_by_vasp(path: Path) -> bool:
    """The first lines of an OUTCAR: `` vasp.5.3.3 18Dez12gamma-only`` / `` vasp.6.3.0 20Jan22 (build …``."""
    head = read_head(path, 1024).splitlines()[:5] if path.is_file() else []
    return any(line.lstrip().startswith(b"vasp.") for line in head)


def is_vasp_run(directory) -> bool:
    """Detected by content, not by name: a vasprun.xml whose ``<generator>`` names program vasp, or an OUTCAR
    whose first lines start with `` vasp.``."""
    directory = Path(directory)
    return directory.is_dir() and (_vasprun_written_by_vasp(directory / "vasprun.xml")
                                   or _outcar_written_by_vasp(directory / "OUTCAR"))


def _vasp_version(directory: Path) -> str | None:
    """``<i name="version" type="string">6.3.0  </i>`` in vasprun.xml's generator, else OUTCAR's first line."""
    match = _VERSION_XML.search(read_head(directory / "vasprun.xml", 4096))
    match = match or _VERSION_OUTCAR.search(read_head(directory / "OUTCAR", 1024))
    return match.group(1).decode("ascii", "replace") if match else None


# --- vasprun.xml ----------------------------------------------------------------------------------------------

def _structure_from_pymatgen(structure) -> dict:
    return {"symbols": [site.specie.symbol for site in structure],
            "cell_angstrom": structure.lattice.matrix.tolist(),
            "positions_angstrom": structure.cart_coords.tolist()}


def numbers_from_vasprun(path: Path) -> RunNumbers:
    """Energies of the last ionic step, as ASE reads them (ase.io.vasp.atoms_from_step)::

        <calculation> … <scstep> … <energy> <i name="e_fr_energy"> -20.24695937 </i> … </scstep>
          <energy> <i name="e_fr_energy"> -20.23985977 </i> <i name="e_0_energy"> -20.24010135 </i> </energy>

    The ``<calculation>``-level e_fr_energy includes PSTRESS·V (an enthalpy; the scstep's and OUTCAR's TOTEN do
    not), so F = e_fr_energy − PSTRESS·V. Its e_0_energy is wrong in VASP 5.x, so E(σ→0) = F + (e_0_energy −
    e_fr_energy) of the last electronic step: that step's own e_0_energy when there is no PSTRESS and no
    classical van der Waals term (which only the ``<calculation>`` level carries).
    """
    run = verdict.read_vasprun(path)
    steps = run.ionic_steps
    if not steps:
        raise ParseError(f"{path}: no <calculation> block (expected at least one ionic step)")
    last = steps[-1]
    pstress = float(run.parameters.get("PSTRESS") or 0.0)
    step_energies = [float(step["e_fr_energy"]) - pstress * KBAR_CUBIC_ANGSTROM_EV * step["structure"].volume
                     for step in steps]
    free_energy = step_energies[-1]
    electronic = last["electronic_steps"]
    sigma0 = None
    if electronic and "e_0_energy" in electronic[-1]:
        sigma0 = free_energy + float(electronic[-1]["e_0_energy"]) - float(electronic[-1]["e_fr_energy"])
    for name, value in (("e_fr_energy", free_energy), ("e_0_energy", sigma0)):
        if value is not None and not math.isfinite(value):
            # pymatgen reads Fortran's overflow "*****" as NaN without a word
            raise ParseError(f"{path}: last <calculation> block: {name} is not a number (expected a finite energy)")
    forces = last.get("forces")
    parameters = run.parameters
    numbers = RunNumbers(
        source=path.name, energy_ev=free_energy, energy_sigma0_ev=sigma0, ionic_steps=len(steps),
        structure=_structure_from_pymatgen(run.final_structure),
        forces=None if forces is None else [[float(x) for x in row] for row in forces],
        nsw=_int_or_none(parameters.get("NSW")), ibrion=_int_or_none(parameters.get("IBRION")),
        ediffg=_float_or_none(parameters.get("EDIFFG")),
        electronic_converged=bool(run.converged_electronic), ionic_converged_by_count=bool(run.converged_ionic),
        step_energies_ev=step_energies, problems=verdict.convergence_problems(run))
    if sigma0 is None:
        numbers.warnings.append("vasprun.xml has no electronic step in the last ionic step: no energy(sigma->0)")
    return numbers


# --- OUTCAR (fallback) ----------------------------------------------------------------------------------------

FREE_ENERGY_BLOCK = "FREE ENERGIE OF THE ION-ELECTRON SYSTEM"
_TOTEN = re.compile(r"free\s+energy\s+TOTEN\s*=\s*(\S+)\s*eV")
_SIGMA0 = re.compile(r"energy\(sigma->0\)\s*=\s*(\S+)")


def outcar_tag(header: str, tag: str) -> str | None:
    """A tag of OUTCAR's parameter listing (the last one before the first electronic iteration)::

           NSW    =      0    number of steps for IOM
           IBRION =     -1    ionic relax: 0-MD 1-quasi-New 2-CG
           EDIFFG = 0.1E-02   stopping-criterion for IOM
           NELM   =    120;   NELMIN=  6; NELMDL=-17     # of ELM steps
    """
    found = re.findall(rf"^\s*{tag}\s*=\s*([-+0-9.EeDd]+)", header, re.M)
    return found[-1].replace("D", "E").replace("d", "e") if found else None


def outcar_last_ionic_step(text: str, path: Path) -> tuple[int, str]:
    """(number of ionic steps, text of the last one). Each step ends with the block below; a step's text runs
    from the end of the previous step's block through its own::

          FREE ENERGIE OF THE ION-ELECTRON SYSTEM (eV)
          ---------------------------------------------------
          free  energy   TOTEN  =       -68.22868532 eV

          energy  without entropy=      -68.23570214  energy(sigma->0) =      -68.23102426
    """
    count = text.count(FREE_ENERGY_BLOCK)
    if count == 0:
        raise ParseError(f"{path}: no '{FREE_ENERGY_BLOCK}' block (expected one per ionic step)")
    last = text.rfind(FREE_ENERGY_BLOCK)
    previous = text.rfind(FREE_ENERGY_BLOCK, 0, last)
    return count, text[max(previous, 0):last + len(FREE_ENERGY_BLOCK) + 600]


def outcar_energies(step: str, path: Path) -> tuple[float, float]:
    """(F = TOTEN, E(σ→0)) in eV from the step's FREE ENERGIE block (sample in :func:`outcar_last_ionic_step`)."""
    block = step[step.rfind(FREE_ENERGY_BLOCK):]
    toten, sigma0 = _TOTEN.search(block), _SIGMA0.search(block)
    try:
        if toten is None or sigma0 is None:
            raise ValueError("no match")
        return float(toten.group(1)), float(sigma0.group(1))
    except (AttributeError, ValueError):
        raise ParseError(f"{path}: last '{FREE_ENERGY_BLOCK}' block: expected 'free energy TOTEN = <number> eV' "
                         "and 'energy(sigma->0) = <number>'") from None


def outcar_electronic_converged(step: str) -> bool:
    """VASP 5 and 6 print, when EDIFF is reached in an ionic step (VASP 6 prints "aborting loop EDIFF was not
    reached (unconverged)" at NELM, VASP 5 nothing)::

        ------------------------ aborting loop because EDIFF is reached ----------------------------------------
    """
    return "aborting loop because EDIFF is reached" in step


def numbers_from_outcar(path: Path) -> RunNumbers:
    import warnings

    from ase.io import read

    text = path.read_text(encoding="latin-1")
    header = text.split("- Iteration", 1)[0]
    ionic_steps, last_step = outcar_last_ionic_step(text, path)
    free_energy, sigma0 = outcar_energies(last_step, path)
    step_energies = [float(value) for value in _TOTEN.findall(text.split(FREE_ENERGY_BLOCK, 1)[1])] \
        if ionic_steps > 1 else [free_energy]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # ase types read() as Atoms | list[Atoms]; an int index reads one Atoms
            atoms: Atoms = read(path, format="vasp-out", index=-1)  # type: ignore[assignment]
    except Exception as error:  # ASE raises many kinds for a malformed OUTCAR
        raise ParseError(verdict.unreadable("OUTCAR", error) + " (expected the POSITION/TOTAL-FORCE block)") from None
    forces = atoms.calc.results.get("forces") if atoms.calc is not None else None
    nsw, ibrion, nelm = (_int_or_none(outcar_tag(header, tag)) for tag in ("NSW", "IBRION", "NELM"))
    ediffg = _float_or_none(outcar_tag(header, "EDIFFG"))
    electronic = outcar_electronic_converged(last_step)
    by_count = _ionic_converged_by_count(nsw, ibrion, ediffg, ionic_steps)
    problems = ([] if electronic else [verdict.electronic_problem(nelm)]) + \
               ([] if by_count else [verdict.ionic_problem(nsw, ediffg)])
    return RunNumbers(
        source=path.name, energy_ev=free_energy, energy_sigma0_ev=sigma0, ionic_steps=ionic_steps,
        structure={"symbols": atoms.get_chemical_symbols(), "cell_angstrom": atoms.cell.array.tolist(),
                   "positions_angstrom": atoms.positions.tolist()},
        forces=None if forces is None else forces.tolist(), nsw=nsw, ibrion=ibrion, ediffg=ediffg,
        electronic_converged=electronic, ionic_converged_by_count=by_count, step_energies_ev=step_energies,
        problems=problems)


def _ionic_converged_by_count(nsw, ibrion, ediffg, steps: int) -> bool:
    """pymatgen's ``Vasprun.converged_ionic``, for OUTCAR: VASP stopped before NSW ionic steps."""
    nsw = nsw or 0
    ibrion = ibrion if ibrion is not None else (-1 if nsw in (-1, 0) else 0)
    if ibrion == 0:
        return nsw <= 1 or steps == nsw
    if ibrion in (1, 2) and ediffg == 0:  # a trajectory of exactly NSW steps was asked for
        return nsw <= 1 or steps == nsw
    return nsw <= 1 or steps < nsw


# --- the record -----------------------------------------------------------------------------------------------

def _int_or_none(value) -> int | None:
    try:
        return None if value is None else int(float(value))
    except (TypeError, ValueError):
        return None


def _float_or_none(value) -> float | None:
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None


def _formula(symbols: list[str]) -> str:
    return "".join(f"{s}{n if n > 1 else ''}" for s, n in Counter(symbols).items())


def _read_numbers(directory: Path, sources: dict, notes: list) -> tuple[RunNumbers | None, list[str]]:
    """The run's numbers from vasprun.xml, else (missing/empty/unreadable) from a finished OUTCAR; problems."""
    vasprun, outcar = directory / "vasprun.xml", directory / "OUTCAR"
    problems, vasprun_problem = [], None
    outcar_done = outcar.is_file() and verdict.outcar_finished(outcar)
    if outcar.is_file():
        sources["OUTCAR"] = sha256_file(outcar)
        if not outcar_done:
            problems.append(verdict.OUTCAR_UNFINISHED)
    if vasprun.is_file():
        sources["vasprun.xml"] = sha256_file(vasprun)
        if vasprun.stat().st_size == 0:
            vasprun_problem = "vasprun.xml is empty"
        elif not _vasprun_written_by_vasp(vasprun):
            vasprun_problem = "vasprun.xml is unreadable (no <generator> naming program vasp at its start)"
        elif (ending := verdict.vasprun_ending(vasprun)) is not None:
            return None, [verdict.stopped_mid_run(ending)] + problems  # killed: never read on from OUTCAR
        else:
            try:
                numbers = numbers_from_vasprun(vasprun)
                return numbers, problems + numbers.problems
            except ParseError as error:
                vasprun_problem = str(error).replace(str(vasprun), vasprun.name)
            except Exception as error:  # pymatgen raises many kinds for a malformed file
                vasprun_problem = verdict.unreadable("vasprun.xml", error)
    elif not outcar.is_file():
        return None, [verdict.NO_VASPRUN]
    if not outcar_done:
        return None, ([vasprun_problem] if vasprun_problem else []) + problems
    if vasprun_problem:
        notes.append(f"{vasprun_problem}: results read from OUTCAR")
    try:
        numbers = numbers_from_outcar(outcar)
    except ParseError as error:
        return None, [str(error).replace(str(outcar), outcar.name)]
    return numbers, numbers.problems


def _final_structure(directory: Path, numbers: RunNumbers, sources: dict, notes: list) -> tuple[dict, str]:
    """CONTCAR when present and readable (what VASP writes at each ionic step), else the results file's."""
    contcar = directory / "CONTCAR"
    if not contcar.is_file() or contcar.stat().st_size == 0:
        notes.append(f"VASP wrote no CONTCAR: final structure from {numbers.source}")
        return numbers.structure, numbers.source
    try:
        structure = read_contcar(contcar)
    except ParseError as error:
        notes.append(f"{error}: final structure from {numbers.source}")
        return numbers.structure, numbers.source
    sources["CONTCAR"] = sha256_file(contcar)
    ours, theirs = structure["symbols"], numbers.structure["symbols"]
    if len(ours) != len(theirs):
        notes.append(f"CONTCAR has {len(ours)} atoms but {numbers.source} {len(theirs)}")
    elif ours != theirs:
        notes.append(f"CONTCAR holds {_formula(ours)} but {numbers.source} {_formula(theirs)}")
    return structure, "CONTCAR"


def parse_vasp_run(directory, *, adatom: str | None = None, substrate_element: str = "C") -> VaspRecord:
    """One VASP run directory -> record (keys in docs/results.md). Failed runs: status "failed", no numbers."""
    directory = Path(directory)
    if not is_vasp_run(directory):
        raise ParseError(f"{directory}: not a VASP run (expected a vasprun.xml whose <generator> names program "
                         "vasp, or an OUTCAR whose first line starts with ' vasp.')")
    return read_vasp_run(directory, adatom=adatom, substrate_element=substrate_element)


def read_vasp_run(directory: Path, *, adatom: str | None = None, substrate_element: str = "C") -> VaspRecord:
    """:func:`parse_vasp_run` of a directory already detected as VASP's (:func:`is_vasp_run`)."""
    import numpy as np

    sources: dict[str, str] = {}
    notes: list[str] = []
    numbers, problems = _read_numbers(directory, sources, notes)
    record = VaspRecord(**{
        "kind": "vasp", "path": str(directory.resolve()),
        "site": directory.name if directory.name in SITES else None,
        "status": "failed" if problems else "ok", "failure": "; ".join(problems) or None,
        "vasp_version": _vasp_version(directory),
        "energy_ev": None, "energy_sigma0_ev": None,
        "ionic_steps": None if numbers is None else numbers.ionic_steps,
        "natoms": None if numbers is None else len(numbers.structure["symbols"]),
        "converged": None, "max_force_ev_per_angstrom": None,
        "ediffg": None if numbers is None else numbers.ediffg, "nsw": None if numbers is None else numbers.nsw,
        "adatom": adatom, "adatom_height_angstrom": None,
        "final_structure": None, "structure_source": None, **check_record(None),
        "warnings": notes, "sources": sources,  # sorted by name, as the store keeps them
    })
    if numbers is None:
        return record
    notes += numbers.warnings
    max_force = None
    if numbers.forces is not None and len(numbers.forces):
        max_force = float(np.max(np.linalg.norm(np.asarray(numbers.forces, float), axis=1)))
    static = (numbers.nsw or 0) == 0 or numbers.ibrion == -1
    if not numbers.electronic_converged:
        converged = False
    elif static:
        converged = True
    elif numbers.ediffg is not None and numbers.ediffg < 0:  # VASP's criterion: every force below |EDIFFG|
        converged = max_force is not None and max_force < abs(numbers.ediffg)
    else:
        converged = numbers.ionic_converged_by_count
    record["converged"] = converged
    if record["status"] != "ok":
        record["converged"] = False if not converged else None
        record["adatom"] = find_adatom(numbers.structure["symbols"], adatom)[0]
        record.update(check_record(check_relaxation(numbers.step_energies_ev, None)))  # no final layer to judge
        return record
    structure, structure_source = _final_structure(directory, numbers, sources, notes)
    symbol, height, located = locate_adatom(structure, adatom, substrate_element)
    notes += located
    check = check_relaxation(numbers.step_energies_ev, layer_buckling(structure, symbol, substrate_element))
    record.update(adatom=symbol, natoms=len(structure["symbols"]), **check_record(check))
    # VASP prints energies with 8 decimals: rounding drops the float noise of the PV and σ→0 arithmetic
    record.update(energy_ev=round(float(numbers.energy_ev), 8), max_force_ev_per_angstrom=max_force,
                  energy_sigma0_ev=None if numbers.energy_sigma0_ev is None else round(numbers.energy_sigma0_ev, 8),
                  adatom_height_angstrom=height, final_structure=structure, structure_source=structure_source,
                  sources=dict(sorted(sources.items())))
    return record
