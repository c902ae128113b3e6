"""Every check a study gets before anything is written or submitted, in one place.

``validate``, ``build``, ``carve``, ``molcas``, ``run`` and ``resume`` load a study through :func:`load_checked_study`
(the study's own checks: basis sets, active spaces, charge and multiplicity of every oxidation state), so
``validate`` refuses whatever a later verb would refuse of the study itself; ``run`` adds the ``--state`` labels
(:func:`check_labels`) and, in one call (:func:`check_run`) for the nodes it is asked to run, the programs they need
(:func:`check_programs`), the inputs of finished states (:func:`check_molcas_inputs`) and what each OpenMolcas
state costs against the machine, its scratch and ``--max-hours`` (:func:`check_costs`).
Each check raises :class:`adatom_wf.errors.SpecError` (or the error of its kind) with one line naming the fix.
"""

import shutil
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from adatom_wf.errors import SpecError, StructureError
from adatom_wf.layout import read_status, state_dir

if TYPE_CHECKING:
    from adatom_wf.execution.profiles import Profile
    from adatom_wf.spec import Study

SLURM_HINT = "run it on Slurm (--executor slurm --profile NAME, docs/execution.md)"


def check_study(study: "Study") -> None:
    """What build, carve and molcas would refuse that the spec cannot see alone: unknown basis sets, an active space
    or a charge/multiplicity the cluster cannot hold."""
    if study.molcas is None:
        return
    from adatom_wf.facts import cluster_formula
    from adatom_wf.lanthanides import ATOMIC_NUMBERS
    from adatom_wf.molcas.active_space import plan_state
    from adatom_wf.molcas.basis import basis_library_dir, check_basis

    check_basis(study.molcas.basis, sorted({study.adatom, "C", "H"}), basis_library_dir())
    formula = cluster_formula(study.cluster.site, study.cluster.rings)
    numbers = [ATOMIC_NUMBERS[study.adatom]] + [6] * formula["C"] + [1] * formula["H"]
    for label in study.molcas.oxidation_states:
        plan_state(study, label, numbers)


def load_checked_study(study: str) -> "Study":
    """The study file (or bundled name, or '-'), refused for anything :func:`check_study` refuses."""
    from adatom_wf.spec import load_study

    spec = load_study(study)
    check_study(spec)
    return spec


def check_labels(study: "Study", states: Iterable[str]) -> list[str]:
    """The oxidation-state labels asked for (``--state``), each one of the study's, in order and once."""
    labels = list(dict.fromkeys(states))
    if not labels:
        return labels
    if study.molcas is None:
        raise SpecError(f"study {study.name} has no molcas section: --state has nothing to select")
    known = study.molcas.oxidation_states
    unknown = [label for label in labels if label not in known]
    if unknown:
        raise SpecError(f"oxidation state {unknown[0]!r} is not defined in study {study.name}; "
                        f"its oxidation states: {', '.join(known)}")
    return labels


def check_programs(study: "Study", stages: set[str], settings: "Profile", profile_name: str | None,
                   relax_nodes: list[str], dry_run: bool = False) -> list[str]:
    """The DFT program the relax nodes run must be there: GPAW installed (or the profile's gpaw.command), or the
    profile's vasp.command. A dry run shows its plan without a VASP command: that refusal is returned as a warning."""
    if "relax" in stages and study.dft.program == "gpaw":
        import importlib.util

        if importlib.util.find_spec("gpaw") is None and settings.gpaw.command is None:
            raise SpecError(f"study {study.name} relaxes its sites with GPAW (dft.program: gpaw) but GPAW is not "
                            "installed here: pip install 'adatom-wf[gpaw]' (docs/gpaw.md), or set the profile's "
                            "gpaw.command")
    elif "relax" in stages and settings.vasp is None:
        where = f"profile {profile_name!r}" if profile_name else "the local executor without --profile"
        missing = (f"study {study.name} runs VASP ({', '.join(relax_nodes)}) but {where} has no vasp.command; "
                   "add a profile with vasp: {command: ...}")
        if not dry_run:
            raise SpecError(missing)
        return [f"a real run would stop here: {missing}"]
    return []


def check_molcas_inputs(study: "Study", root: Path, labels: list[str], *, structure: Path | None = None,
                        force: bool = False) -> None:
    """Render the inputs of ``labels`` now, so that a wrong study stops before anything is written or run.

    A state that finished with other inputs than the study gives now is refused unless ``force`` (its finished
    run would otherwise be kept and no longer match the study). Needs the cluster: when it is not carved yet
    and cannot be carved here (relaxed geometry, no ``structure``), there is nothing to check against.
    """
    from adatom_wf.molcas.node import load_cluster, refuse_changed_inputs
    from adatom_wf.molcas.render import render_state

    try:
        cluster = load_cluster(study, root, structure)
    except StructureError:
        if structure is not None:
            raise
        return
    for label in labels:
        inputs = render_state(study, label, cluster.atoms, cluster_source=cluster.description)
        directory = Path(root) / state_dir(label)
        previous = read_status(directory)
        if not force and previous is not None and previous.get("status") == "ok":
            refuse_changed_inputs(directory, inputs.files)


def check_run(study: "Study", root: Path, nodes: Sequence[Any], settings: "Profile", executor: str,
              profile_name: str | None, *, structure: Path | None = None, force: bool = False, dry_run: bool = False,
              max_hours: float | None = None) -> tuple[list[str], dict[str, dict[str, Any]]]:
    """``run``'s checks of the graph nodes it is asked to run, before anything is written: the programs they run,
    the inputs of finished OpenMolcas states, each state's cost here. Returns the dry run's warnings and each
    OpenMolcas state's cost and memory (label -> {cost, molcas_mem_mb})."""
    stages = {node.stage for node in nodes}
    relax = [node.name for node in nodes if node.stage == "relax"]
    warnings = check_programs(study, stages, settings, profile_name, relax, dry_run)
    labels = [node.oxidation_state for node in nodes if node.stage == "molcas"]
    if stages & {"integrals", "orbitals", "molcas"}:
        check_molcas_inputs(study, root, labels, structure=structure, force=force)
    return warnings, check_costs(study, root, labels, settings, executor, profile_name, max_hours)


def machine_memory_mb() -> int:
    """This machine's physical memory (MB)."""
    import os

    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 1_000_000


def check_costs(study: "Study", root: Path, labels: list[str], settings: "Profile", executor: str,
                profile_name: str | None, max_hours: float | None = None) -> dict[str, dict[str, Any]]:
    """label -> {cost, molcas_mem_mb} of every OpenMolcas state asked for; a state whose scratch estimate exceeds
    what the scratch holds (the profile's molcas.scratch_gb, locally the free disk) is refused with the fix, and
    locally one whose memory estimate exceeds this machine's, or whose time estimate exceeds ``max_hours``."""
    if not labels:
        return {}
    from adatom_wf.molcas.basis import basis_library_dir
    from adatom_wf.molcas.cost import molcas_mem_mb, state_cost

    library = basis_library_dir()
    capacity, where = _scratch_capacity_gb(root, settings, executor, profile_name)
    plans = {}
    for label in labels:
        cost = state_cost(study, label, library)
        if capacity is not None and cost.scratch_gb > capacity:
            fix = (f"let OpenMolcas use RICD (molcas.cholesky: auto or true: ~{cost.integrals_gb_cholesky:.3g} GB of "
                   "integrals)" if cost.integrals == "conventional" else "give the jobs a larger scratch")
            raise SpecError(f"{label} needs ~{cost.scratch_gb:.3g} GB of scratch ({cost.integrals} integrals "
                            f"~{cost.integrals_gb:.3g} GB, {cost.basis_functions} basis functions) but {where} holds "
                            f"{capacity:.3g} GB: {fix}")
        if executor == "local":
            _check_fits_here(label, cost, max_hours)
        mem = settings.molcas.mem_mb or molcas_mem_mb(cost, settings.molcas.max_mem_mb)
        plans[label] = {"cost": cost.as_dict(), "molcas_mem_mb": mem}
    return plans


def _check_fits_here(label: str, cost: Any, max_hours: float | None) -> None:
    """Refuse, before anything runs here, a state this machine cannot hold or the user will not wait for."""
    total = machine_memory_mb()
    if cost.memory_mb > total:
        raise SpecError(f"{label} needs ~{cost.memory_mb} MB of memory (estimate, {cost.basis_functions} basis "
                        f"functions) but this machine has {total} MB: {SLURM_HINT}")
    hours = (cost.seconds["total"] + cost.prerun_seconds) / 3600
    if max_hours is not None and hours > max_hours:
        raise SpecError(f"{label} is estimated at ~{hours:.2f} h on one core ({cost.basis_functions} basis functions, "
                        f"20 iterations per RASSCF), more than --max-hours {max_hours:g}: {SLURM_HINT}, or allow more "
                        "hours")


def _scratch_capacity_gb(root: Path, settings: "Profile", executor: str,
                         profile_name: str | None) -> tuple[float | None, str]:
    """What one molcas job's scratch holds: the profile's molcas.scratch_gb; locally, the free disk of the
    scratch folder; on Slurm without the key, unknown (no check)."""
    if settings.molcas.scratch_gb is not None:
        return settings.molcas.scratch_gb, f"the scratch of profile {profile_name!r} (molcas.scratch_gb)"
    if executor != "local":
        return None, ""
    folder = Path(settings.molcas.workdir) if settings.molcas.workdir else Path(root)
    while not folder.exists():
        folder = folder.parent
    return shutil.disk_usage(folder).free / 1e9, f"the free disk of {folder}"
