"""Run one oxidation state for real: render, the shared integrals, starting orbitals, CASSCF/RASSI/SINGLE_ANISO, judge.

:func:`run_oxidation_state` is what the workflow's molcas node calls inside its job. Its story, in
``runs/<study>/molcas/<label>/``:

1. a state whose ``status.json`` says "ok" is not redone (``run --force`` moves it to ``attempt-<n>/`` first);
   the outputs of a failed earlier attempt are moved to ``attempt-<n>/`` too, so nothing earlier is lost;
2. render the input (:mod:`.render`) and write it (refused if it would change a run's inputs);
3. lay a copy of the cluster's integrals (run once for every state, :mod:`.integrals`) into this state's
   ``$WorkDir``, with SEWARD's guess orbitals as ``<project>.guessorb.h5``;
4. the starting orbitals ``<project>.StartOrb``: a restart RasOrb; else, for a projected start, the pre-run's
   orbitals expanded with EXPBAS and checked by character (:mod:`.projection`); else the guess orbitals of
   ``<project>.guessorb.h5`` picked by character (:mod:`.orbitals`);
5. ``<project>.casscf.input``: one RASSCF per multiplicity, RASSI, SINGLE_ANISO, on those integrals; a RASSCF
   that stops at its iteration limit is restarted from its last orbitals up the rescue ladder (:mod:`.rescue`);
6. check every ``<project>.m<2S+1>.rasscf.h5``: each active orbital must carry its character;
7. write ``status.json`` (status ok|failed, why, return codes per module, wall times, characters, every RASSCF
   attempt and the convergence verdict).
"""

import json
import shutil
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from adatom_wf.errors import OutputConflictError, ParseError, StructureError
from adatom_wf.lanthanides import ATOMIC_NUMBERS
from adatom_wf.layout import STATUS_FILE, archive_attempt, cluster_dir, is_attempt_dir, read_status, state_dir
from adatom_wf.manifest import atomic_write, write_stage

MOLCAS_RESULTS = (STATUS_FILE,)  # a state directory holding this has been run: its inputs are never replaced
KEEP = ("restart", "scratch")  # not moved to attempt-<n>/ (the workflow's restart orbitals; our scratch)


@dataclass
class StateRun:
    """The outcome of one oxidation state: status "ok" or "failed", why, and what status.json records."""

    label: str
    directory: Path
    status: str
    failure: str = ""
    details: dict = field(default_factory=dict)
    skipped: bool = False


@dataclass(frozen=True)
class ClusterSource:
    atoms: object  # ase.Atoms, adatom at index 0
    description: str
    carved: object | None = None  # the CarvedCluster when it was carved here (None when read from cluster.xyz)


def load_cluster(study, root: Path, structure=None, *, ideal_fallback: bool = False) -> ClusterSource:
    """The cluster the inputs are written for.

    ``structure`` (a supercell file) is carved; else the carved ``cluster/<site>-<rings>/cluster.xyz``
    of the study is read; else the ideal cell is carved when the study's geometry is "ideal" (or, with
    ``ideal_fallback``, always: a preview of a relaxed study's inputs). Otherwise: StructureError.
    """
    from adatom_wf.structure.cluster import carve_cluster
    from adatom_wf.structure.io import read_structure

    spec = study.cluster
    if structure is not None:
        carved = carve_cluster(study, structure)
        return ClusterSource(carved.atoms, _describe(carved.metadata, spec), carved)
    path = Path(root) / cluster_dir(spec.site, spec.rings) / "cluster.xyz"
    if path.is_file():
        atoms, _ = read_structure(path, format="extxyz")
        return ClusterSource(atoms, _describe(atoms.info, spec))
    if spec.geometry == "ideal" or ideal_fallback:
        carved = carve_cluster(study)
        note = "" if spec.geometry == "ideal" else " (preview: the study asks for the relaxed cell)"
        return ClusterSource(carved.atoms, _describe(carved.metadata, spec) + note, carved)
    raise StructureError(
        f"cluster file {path} not found: study {study.name} carves its cluster from the relaxed cell; "
        f"run `adatom-wf carve {study.name} --structure CONTCAR` or pass --structure"
    )


def _describe(metadata, spec) -> str:
    """Where the cluster came from, the same whether it was carved just now or read back from cluster.xyz."""
    source = metadata.get("source", "a structure file")
    return f"{spec.site}-{spec.rings} cluster carved from {'the ideal cell' if source == 'ideal' else source}"


def archive_previous(directory: Path, *, with_restart: bool = False) -> Path | None:
    """Move everything an earlier attempt left (but restart/, scratch/ and attempt-*) to attempt-<n>/;
    ``with_restart``: restart/ too (a forced new attempt of a completed node starts as the study says, not from the
    orbitals a stopped attempt before it left)."""
    directory = Path(directory)
    keep = ("scratch",) if with_restart else KEEP
    leftovers = [p for p in sorted(directory.iterdir()) if p.name not in keep
                 and not is_attempt_dir(p)] if directory.is_dir() else []
    return archive_attempt(directory, leftovers)


def plan_record(plan) -> dict:
    return {
        "charge": plan.charge, "electrons": plan.electrons, "inactive": plan.inactive,
        "active_space": f"CAS({plan.active_electrons},{plan.active_orbitals})", "characters": list(plan.characters),
        "spin_states": [{"multiplicity": s.multiplicity, "roots": s.roots, "csfs": s.csfs} for s in plan.spins],
        "so_states": plan.so_states, "multiplet_size": plan.multiplet_size,
        "crystal_field": plan.crystal_field_element, "project": plan.project,
    }


def _write_inputs(study, root: Path, directory: Path, files: dict[str, str], record: dict,
                  stage: str = "molcas") -> None:
    try:
        relative = directory.resolve().relative_to(Path(root).resolve())
    except ValueError:
        relative = None
    if relative is None:
        for name, text in files.items():
            atomic_write(directory / name, text.encode())
        return
    write_stage(Path(root), stage, study, {f"{relative.as_posix()}/{n}": t.encode() for n, t in files.items()},
                record, results=MOLCAS_RESULTS)


def _finish(directory: Path, status: dict, workdir: Path, project: str) -> None:
    atomic_write(directory / STATUS_FILE, (json.dumps(status, indent=2, sort_keys=True) + "\n").encode())
    if status["status"] == "ok":
        shutil.rmtree(workdir / project, ignore_errors=True)  # integrals and scratch; kept when the run failed


def changed_inputs(directory: Path, files: dict[str, str]) -> list[str]:
    """The inputs a finished state directory holds that differ from ``files`` (name -> text)."""
    return [name for name, text in files.items()
            if not (directory / name).is_file() or (directory / name).read_text() != text]


def refuse_changed_inputs(directory: Path, files: dict) -> None:
    """A state that finished with other inputs than the study gives now is refused (OutputConflictError): its
    finished run would otherwise be kept and no longer match the study."""
    changed = changed_inputs(directory, files)
    if changed:
        raise OutputConflictError(
            f"{directory} finished with other inputs than the study gives now ({', '.join(changed)}); "
            "pass --force to run it again (the finished run is kept in attempt-<n>/)"
        )


def run_oxidation_state(study, root, label: str, *, integrals, directory=None, nprocs: int = 1, mem_mb: int = 2000,
                        restart=None, cluster: ClusterSource | None = None, workdir=None, prerun: bool = False,
                        projection=None) -> StateRun:
    """Run oxidation state ``label`` of ``study`` under ``root`` (= runs/<study>) on the integrals run in the
    directory ``integrals`` (:func:`.integrals.run_integrals`) and judge it.

    ``prerun``: run the state's pre-run instead (its first multiplicity in the ``project_from`` basis, RASSCF only;
    :mod:`.projection`); ``projection``: the directory of that pre-run, for a state that starts projected."""
    import os

    from adatom_wf.molcas.integrals import share_integrals
    from adatom_wf.molcas.projection import prerun_study
    from adatom_wf.molcas.render import render_state

    root = Path(root)
    directory = Path(directory) if directory is not None else root / state_dir(label)
    cluster = cluster or load_cluster(study, root)
    rendered = prerun_study(study, label) if prerun else study
    inputs = render_state(rendered, label, cluster.atoms, cluster_source=cluster.description, rasscf_only=prerun)
    plan = inputs.plan
    previous = read_status(directory)
    if previous is not None and previous.get("status") == "ok":
        refuse_changed_inputs(directory, inputs.files)
        return StateRun(label, directory, "ok", "", _details(previous), skipped=True)
    outputs = [p for p in directory.iterdir() if p.name not in inputs.files] if directory.is_dir() else []
    kept = archive_previous(directory) if previous is not None or any(
        p.name not in KEEP and not is_attempt_dir(p) for p in outputs) else None
    archived = kept.name if kept else None
    record = {"states": {label: {**plan_record(plan), "cluster": cluster.description}}}
    _write_inputs(study, root, directory, inputs.files, record, stage="orbitals" if prerun else "molcas")
    workdir = Path(workdir or os.environ.get("MOLCAS_WORKDIR") or directory / "scratch").resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(workdir / plan.project, ignore_errors=True)  # a fresh $WorkDir: no stale integrals
    status: dict = {"label": label, "status": "failed", "failure": "", "plan": plan_record(plan),
              "cluster": cluster.description, "previous_attempt": archived, "runs": [], "start_orbitals": None,
              "active_space_checks": [], "wall_seconds": {}}
    started = time.perf_counter()

    try:
        status["integrals"] = share_integrals(integrals, workdir, plan.project, directory)
        status["wall_seconds"]["integrals"] = status["integrals"]["seconds"]
        problems = _casscf(rendered, inputs, directory, status, workdir, nprocs, mem_mb, restart, cluster, projection)
    except ParseError as error:  # an output file OpenMolcas should have written is missing or unreadable
        problems = [str(error)]
    if problems:
        return _failed(directory, status, "; ".join(problems), workdir, plan.project, started)
    status["status"] = "ok"
    status["wall_seconds"]["total"] = round(time.perf_counter() - started, 1)
    _finish(directory, status, workdir, plan.project)
    return StateRun(label, directory, "ok", "", _details(status))


def _casscf(study, inputs, directory: Path, status: dict, workdir: Path, nprocs: int, mem_mb: int,
            restart, cluster: ClusterSource, projection) -> list[str]:
    """Starting orbitals, step 2 (and its rescue attempts), and the check of every RASSCF; returns what went wrong
    (empty: nothing)."""
    from adatom_wf.molcas.orbitals import check_active_orbitals, inporb_text, pick_start_orbitals, read_orbitals

    plan, label = inputs.plan, inputs.plan.label
    adatom_z = ATOMIC_NUMBERS[study.adatom]
    start_name = f"{plan.project}.StartOrb"
    if restart is not None and "RasOrb" in Path(restart).name:
        shutil.copyfile(restart, directory / start_name)
        status["start_orbitals"] = {"source": f"restart {Path(restart).name}"}
    elif inputs.expbas_input is not None:
        from adatom_wf.molcas.projection import project_start

        if projection is None:
            return [f"{label} starts from projected orbitals but no pre-run directory was given"]
        projected = project_start(study, inputs, directory, Path(projection), workdir, nprocs, mem_mb, adatom_z)
        status["start_orbitals"] = projected
        status["wall_seconds"]["expbas"] = projected["seconds"]
        if projected["failure"]:
            return [projected["failure"]]
    else:
        guess = read_orbitals(directory / f"{plan.project}.guessorb.h5")
        start = pick_start_orbitals(guess, plan, adatom_z)
        status["start_orbitals"] = {"source": f"{plan.project}.guessorb.h5", "picks": list(start.picks),
                                    "restart_ignored": Path(restart).name if restart is not None else None}
        if not start.ok:
            return [start.failure]
        title = f"adatom-wf starting orbitals of {label}: guess orbitals, active ones picked by character"
        atomic_write(directory / start_name, inporb_text(guess, start, plan.active_electrons, title).encode())

    step2 = _run_with_rescue(study, inputs, directory, status, workdir, nprocs, mem_mb, cluster)
    thresholds = study.molcas.min_character
    problems = [] if step2.status == "ok" else [step2.failure]
    for spin in plan.spins:
        path = directory / f"{plan.project}.m{spin.multiplicity}.rasscf.h5"
        if not path.is_file():
            continue
        check = check_active_orbitals(read_orbitals(path), plan, adatom_z, thresholds)
        status["active_space_checks"].append({"multiplicity": spin.multiplicity, **check.summary()})
        if not check.ok:
            problems.append(check.failure)
    if step2.status == "ok" and len(status["active_space_checks"]) != len(plan.spins):
        problems.append("a RASSCF wrote no rasscf.h5")
    return problems


def _run_with_rescue(study, inputs, directory: Path, status: dict, workdir: Path, nprocs: int, mem_mb: int,
                     cluster: ClusterSource):
    """Step 2, then as many attempts of the rescue ladder (:mod:`.rescue`) as ``molcas.rasscf.rescue`` allows while
    a RASSCF stops at its iteration limit. Every attempt goes into ``status["rasscf_attempts"]`` (its settings, where
    each multiplicity started, each RASSCF's iterations); the last attempt's log is ``<project>.casscf.log``, the
    earlier ones ``<project>.casscf.<n>.log``. Returns the last attempt's MolcasProcess (its failure says how many
    attempts there were)."""
    from adatom_wf.molcas.execute import run_molcas
    from adatom_wf.molcas.render import render_state
    from adatom_wf.molcas.rescue import attempt_settings, unconverged

    plan, rasscf = inputs.plan, study.molcas.rasscf
    project = plan.project
    settings, input_name = attempt_settings(rasscf, 0), inputs.casscf_input
    starts: dict[int, tuple[str, str]] = {}  # multiplicity -> (orbital file, why)
    attempts = status["rasscf_attempts"] = []
    seconds = 0.0
    for step in range(rasscf.rescue + 1):
        if step:
            _rename(directory, f"{project}.casscf", f"{project}.casscf.{step}")
        run = run_molcas(directory, input_name, nprocs, mem_mb, project=project, workdir=workdir)
        if step:
            _rename(directory, f"{project}.rescue{step}", f"{project}.casscf")
            run = replace(run, log_name=f"{project}.casscf.log")
        seconds += run.wall_seconds
        runs = _rasscf_runs(directory / f"{project}.casscf.log")
        attempts.append({"attempt": step + 1, "input": input_name, "settings": settings.record(),
                         "starts": {str(m): name for m, (name, _) in sorted(starts.items())}, "status": run.status,
                         "rasscf": [{k: r[k] for k in ("multiplicity", "converged", "iterations")} for r in runs]})
        status["runs"].append(run.record())
        stopped = unconverged(runs) if run.status != "ok" else None
        last = workdir / project / f"{project}.RasOrb"
        if stopped is None or step == rasscf.rescue or not last.is_file():
            break
        # the next rung: the converged multiplicities restart from their own orbitals, the stopped one from its last
        shutil.copyfile(last, directory / f"{project}.m{stopped}.stopped{step + 1}.RasOrb")
        order = [s.multiplicity for s in plan.spins]
        starts = {m: (f"{project}.m{m}.RasOrb", f"2S+1 = {m} converged in the attempt before: its own orbitals")
                  for m in order[:order.index(stopped)]}
        starts[stopped] = (f"{project}.m{stopped}.stopped{step + 1}.RasOrb",
                           f"2S+1 = {stopped} stopped unconverged in attempt {step + 1}: its last orbitals")
        settings = attempt_settings(rasscf, step + 1)
        note = (f"rescue {step + 1} of {rasscf.rescue} (docs/molcas.md, \"Convergence\"): "
                + ", ".join(settings.keywords()))
        rescued = render_state(study, plan.label, cluster.atoms, cluster_source=cluster.description,
                               settings=settings, starts=starts, rescue_note=note, rasscf_only=inputs.rasscf_only)
        input_name = f"{project}.rescue{step + 1}.input"
        atomic_write(directory / input_name, rescued.files[inputs.casscf_input].encode())
    status["wall_seconds"]["casscf"] = round(seconds, 1)
    status["convergence"] = _convergence(attempts)
    if status["convergence"].startswith("not converged"):
        run = replace(run, failure=f"{status['convergence']}: {run.failure}")
    return run


def _rasscf_runs(log: Path) -> list[dict]:
    from adatom_wf.molcas.results_log import rasscf_runs

    try:
        return rasscf_runs(log.read_text(errors="replace"), log.name)
    except (OSError, ParseError):
        return []


def _rename(directory: Path, old_stem: str, new_stem: str) -> None:
    for suffix in (".log", ".err"):
        if (directory / f"{old_stem}{suffix}").is_file():
            (directory / f"{old_stem}{suffix}").replace(directory / f"{new_stem}{suffix}")


def _convergence(attempts: list[dict]) -> str:
    """One line: "converged", "converged after rescue (attempt n)", "not converged after n attempts" (a RASSCF
    stopped at its limit in the last one) or "failed" (something else went wrong)."""
    last = attempts[-1]
    if last["status"] == "ok":
        return "converged" if len(attempts) == 1 else f"converged after rescue (attempt {len(attempts)})"
    if any(not run["converged"] and run["iterations"] is not None for run in last["rasscf"]):
        return f"not converged after {len(attempts)} attempt{'s' if len(attempts) > 1 else ''}"
    return "failed"


def _failed(directory, status, failure, workdir, project, started) -> StateRun:
    status["failure"] = failure
    status["wall_seconds"]["total"] = round(time.perf_counter() - started, 1)
    _finish(directory, status, workdir, project)
    return StateRun(status["label"], directory, "failed", failure, _details(status))


def _details(status: dict) -> dict:
    """The short record a workflow node keeps: status file, wall times, SEWARD count, lowest characters."""
    lowest: dict[str, float] = {}
    for check in status.get("active_space_checks", []):
        for orbital in check.get("active_orbitals", []):
            name = orbital["character"]
            lowest[name] = min(lowest.get(name, 1.0), orbital["weight"])
    sewards = sum(1 for run in status.get("runs", []) for m in run.get("modules", []) if m["module"] == "seward")
    return {"status_file": STATUS_FILE, "wall_seconds": status.get("wall_seconds", {}), "seward_runs": sewards,
            "lowest_character": lowest, "previous_attempt": status.get("previous_attempt")}
