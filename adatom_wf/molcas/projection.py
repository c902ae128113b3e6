"""Projected starting orbitals: a state's first multiplicity converged in a small basis, expanded with EXPBAS.

In a basis beyond the minimal one a RASSCF started from SEWARD's guess orbitals may wander (docs/molcas.md,
"Starting orbitals"); the manual's advice for hard cases is to converge in a small basis first and expand the
orbitals with EXPBAS. A state whose :meth:`adatom_wf.spec.Study.orbital_start` is "projected" gets two more graph
nodes (workflow/graph.py):

- ``orbitals-integrals.<site>-<rings>``: GATEWAY + SEWARD of the cluster in ``project_from`` (ANO-RCC-MB), once
  for every projected state (:func:`adatom_wf.molcas.integrals.run_integrals` on :func:`prerun_study`);
- ``orbitals.<label>``: the RASSCF of the state's first multiplicity in that basis, started from the guess orbitals
  picked by character, with the rescue ladder and the character check (:func:`prerun_study` with the first
  multiplicity only, rendered ``rasscf_only``); it leaves ``<project>.m<2S+1>.RasOrb``.

The state's own node then runs ``<project>.expbas.input`` before its CASSCF (:func:`project_start`): the pre-run's
RunFile as RUNFIL1, the state's own as RUNFIL2, the pre-run's orbitals as INPORB; EXPBAS writes
``$Project.ExpOrb``: the coefficients of the functions the two bases share (ANO-RCC-MB's are the leading
contractions of every larger ANO-RCC set), zero on the new ones, which join as secondary unit vectors;
occupations and TypeIndex kept. Those orbitals are checked by character like a finished RASSCF (the same
thresholds) and, if they pass, become ``<project>.StartOrb``; a projection that lost a 4f, 6s/5d0 or 5d orbital is
refused in one line before any RASSCF runs.
"""

import shutil
from pathlib import Path

from adatom_wf.errors import ParseError
from adatom_wf.layout import STATUS_FILE, prerun_dir


def prerun_study(study, label: str | None = None):
    """``study`` in its pre-run basis (every element in ``project_from``); with ``label``, that state alone with its
    first multiplicity only, started from the guess (what its ``orbitals.<label>`` node runs)."""
    from adatom_wf.spec import Orbitals

    basis = study.projection_basis() if label is None else study.orbitals_of(label).project_from
    molcas = study.molcas.model_copy(update={"basis": {element: basis for element in study.molcas.basis}})
    if label is not None:
        state = study.molcas.oxidation_states[label]
        state = state.model_copy(update={"spin_states": state.spin_states[:1], "orbitals": Orbitals(guess="core")})
        molcas = molcas.model_copy(update={"oxidation_states": {label: state}})
    return study.model_copy(update={"molcas": molcas})


def start_description(study, plan) -> str:
    """What ``<project>.StartOrb`` holds, for the input's comment."""
    if study.orbital_start(plan.label) != "projected":
        return "the guess orbitals with the active ones picked by character (TypeIndex)"
    return (f"the converged 2S+1 = {plan.spins[0].multiplicity} orbitals of the "
            f"{study.orbitals_of(plan.label).project_from} "
            f"pre-run, expanded by {plan.project}.expbas.input and checked by character (TypeIndex)")


def source_name(study, plan) -> str:
    """The pre-run's orbitals as the state folder holds them (EXPBAS's INPORB); not named ``*.RasOrb*``, so that a
    restart never takes them for the state's own orbitals (workflow.actions.restart_molcas: another basis)."""
    return f"{plan.project}.m{plan.spins[0].multiplicity}.{study.orbitals_of(plan.label).project_from}.PrerunOrb"


def render_expbas(study, plan, formula: str) -> str:
    from adatom_wf.molcas.templates import environment

    basis = ", ".join(f"{element} {name}" for element, name in study.molcas.basis.items())
    return environment().get_template("expbas.input.j2").render(
        project=plan.project, label=plan.label, study=study.name, formula=formula, basis=basis,
        multiplicity=plan.spins[0].multiplicity, project_from=study.orbitals_of(plan.label).project_from,
        source=source_name(study, plan))


def prerun_orbitals(prerun: Path, study, plan) -> tuple[Path, Path]:
    """(the pre-run's converged orbitals of the first multiplicity, its integrals' RunFile), from the
    ``orbitals.<label>`` node's directory; ParseError when the pre-run did not finish."""
    from adatom_wf.layout import read_status

    prerun = Path(prerun)
    status = read_status(prerun)
    if status is None:
        raise ParseError(f"{prerun / STATUS_FILE} is missing: the {plan.label} pre-run "
                         f"({study.orbitals_of(plan.label).project_from}) has not run")
    orbitals = prerun / f"{plan.project}.m{plan.spins[0].multiplicity}.RasOrb"
    runfile = Path((status.get("integrals") or {}).get("runfile", ""))
    if status.get("status") != "ok" or not orbitals.is_file() or not runfile.is_file():
        raise ParseError(f"the {plan.label} pre-run in {prerun} left no converged orbitals or RunFile (status "
                         f"{status.get('status')!r}): delete workflow/results/orbitals.{plan.label}.json so that `run` "
                         "redoes the pre-run (its files move to attempt-<n>/)")
    return orbitals, runfile


def project_start(study, inputs, directory: Path, prerun: Path, workdir: Path, nprocs: int, mem_mb: int,
                  adatom_number: int) -> dict:
    """Expand the pre-run's orbitals into the state's basis with EXPBAS, check them by character and write
    ``<project>.StartOrb``. Returns the record for status.json (``failure`` non-empty: refused)."""
    from adatom_wf.molcas.execute import run_molcas
    from adatom_wf.molcas.orbitals import check_active_orbitals, read_orbitals

    plan, project = inputs.plan, inputs.plan.project
    orbitals, runfile = prerun_orbitals(prerun, study, plan)
    shutil.copyfile(orbitals, directory / source_name(study, plan))
    scratch = Path(workdir) / project
    shutil.copyfile(runfile, scratch / "RUNFIL1")
    shutil.copyfile(scratch / f"{project}.RunFile", scratch / "RUNFIL2")
    run = run_molcas(directory, inputs.expbas_input, nprocs, mem_mb, project=project, workdir=workdir)
    record = {"source": f"projected from {study.orbitals_of(plan.label).project_from} "
                        f"({prerun_dir(plan.label)}/{orbitals.name})", "expbas": run.record(),
              "seconds": round(run.wall_seconds, 1), "failure": ""}
    expanded = directory / f"{project}.ExpOrb"
    if run.status != "ok" or not expanded.is_file():
        record["failure"] = f"EXPBAS failed ({run.failure or f'no {expanded.name}'})"
        return record
    projected = read_inporb(expanded, read_orbitals(directory / f"{project}.guessorb.h5"))
    check = check_active_orbitals(projected, plan, adatom_number, study.molcas.min_character)
    record["check"] = check.summary()
    if not check.ok:
        record["failure"] = (f"the projected starting orbitals lost their character ({check.failure}); "
                             "start from the guess instead: orbitals: {guess: core}")
        return record
    shutil.copyfile(expanded, directory / f"{project}.StartOrb")
    return record


def read_inporb(path: Path, template):
    """The orbitals of an INPORB file (coefficients, occupations, TypeIndex) over the basis of ``template`` (an
    :class:`adatom_wf.molcas.orbitals.Orbitals` of the same basis: overlap, function ids, centres)."""
    from dataclasses import replace

    import numpy as np

    path = Path(path)
    sections: dict[str, list[str]] = {}
    current = None
    for line in path.read_text(errors="replace").splitlines():
        if line.startswith("#"):
            current = line.split()[0]
            sections[current] = []
        elif current is not None and not line.startswith("*"):
            sections[current].append(line)
    n = template.coefficients.shape[0]
    try:
        numbers = [float(x) for line in sections["#ORB"] for x in _fixed(line, 22)]
        occupations = [float(x) for line in sections["#OCC"] for x in _fixed(line, 22)]
        types = "".join(line[2:].strip() for line in sections["#INDEX"])
    except (KeyError, ValueError) as error:
        raise ParseError(f"{path}: not a readable INPORB file ({error})") from None
    if len(numbers) != n * n or len(occupations) != n or len(types) != n:
        raise ParseError(f"{path}: {len(numbers)} coefficients, {len(occupations)} occupations and {len(types)} "
                         f"type indices for a basis of {n} functions")
    return replace(template, path=str(path), coefficients=np.array(numbers).reshape(n, n),
                   occupations=np.array(occupations), energies=np.zeros(n),
                   type_indices=tuple(t.upper() for t in types))  # INPORB's f i 1 2 3 s d, as the .h5 files write them


def _fixed(line: str, width: int) -> list[str]:
    """Fixed-width fields (INPORB writes E22.14 numbers that may touch)."""
    return [line[i:i + width] for i in range(0, len(line.rstrip()), width) if line[i:i + width].strip()]
