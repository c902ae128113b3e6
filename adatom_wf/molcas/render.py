"""OpenMolcas inputs of a study, rendered from the study and the cluster (pure: text in memory).

One integrals input for the cluster and basis, shared by every oxidation state, and one input per state:

``<site><rings>.integrals.input``  GATEWAY (coordinates, basis per element, AMFI, AngMom about the adatom,
                                   RICD when molcas.cholesky asks for it) and SEWARD (DKH2): nothing depends
                                   on the charge; SEWARD's guess orbitals are where each state's starting
                                   orbitals are picked from (:func:`render_integrals`);
``<project>.casscf.input``         one SA-CASSCF per spin multiplicity (JobIph kept as JOB00n and
                                   ``<project>.m<2S+1>.JobIph``), RASSI with spin-orbit coupling,
                                   SINGLE_ANISO, run in a copy of the integrals' ``$WorkDir`` (:func:`render_state`).

``<project>`` is the label with '+' -> 'p' (``Tb3+`` -> ``Tb3p``). One Jinja2 environment with
StrictUndefined renders them (:mod:`.templates`); numbers are formatted here so the text is the same byte for byte.
"""

from dataclasses import dataclass

from adatom_wf.errors import SpecError, StructureError
from adatom_wf.molcas.active_space import StatePlan, plan_state
from adatom_wf.molcas.templates import environment

# CODATA 2018 Bohr radius in Å (OpenMolcas 22.10 uses the same constant).
BOHR_ANGSTROM = 0.529177210903
RELATIVISTIC_KEYWORDS = {"DKH2": "R02O02"}  # SEWARD: DKH order 2 (optimum parametrisation), properties order 2
ROOTS_PER_LINE = 20


@dataclass(frozen=True)
class MolcasInputs:
    """The rendered input of one oxidation state: file name -> text, and the plan it came from."""

    plan: StatePlan
    files: dict[str, str]
    rasscf_only: bool = False  # a pre-run: RASSCF of the first multiplicity only (no RASSI, no SINGLE_ANISO)

    @property
    def casscf_input(self) -> str:
        return f"{self.plan.project}.casscf.input"

    @property
    def expbas_input(self) -> str | None:
        """The EXPBAS input of a projected start, None for a state started otherwise."""
        name = f"{self.plan.project}.expbas.input"
        return name if name in self.files else None


@dataclass(frozen=True)
class IntegralsInputs:
    """The rendered integrals input of the cluster: its OpenMolcas Project and file name -> text."""

    project: str
    files: dict[str, str]

    @property
    def input_name(self) -> str:
        return f"{self.project}.integrals.input"


def integrals_project(study) -> str:
    """The Project of the shared integrals: the cluster's site and rings (``hollow3``)."""
    return f"{study.cluster.site}{study.cluster.rings}"


def _number(value: float) -> str:
    """Å with 8 decimals, as cluster.xyz (ASE's extxyz) stores them: carved or read back, the same text."""
    return f"{round(float(value), 8) + 0.0:14.8f}"


def _check_cluster(study, atoms) -> None:
    symbols = atoms.get_chemical_symbols()
    if not symbols or symbols[0] != study.adatom:
        first = symbols[0] if symbols else "nothing"
        raise StructureError(f"the cluster must have the adatom {study.adatom} at index 0, found {first}")
    if symbols.count(study.adatom) != 1:
        raise StructureError(
            f"the cluster holds {symbols.count(study.adatom)} {study.adatom} atoms; expected one adatom")
    missing = sorted(set(symbols) - set(study.molcas.basis))
    if missing:
        raise StructureError(f"the cluster holds {', '.join(missing)}, which molcas.basis does not cover")


def basis_blocks(study, atoms) -> list[dict]:
    """Atoms grouped by element (in order of first appearance: the adatom is centre 1), labelled Tb1, C1, ..."""
    blocks: dict[str, dict] = {}
    counters: dict[str, int] = {}
    for symbol, position in zip(atoms.get_chemical_symbols(), atoms.positions):
        counters[symbol] = counters.get(symbol, 0) + 1
        block = blocks.setdefault(symbol, {"element": symbol, "basis": study.molcas.basis[symbol], "atoms": []})
        block["atoms"].append({"label": f"{symbol}{counters[symbol]}", "x": _number(position[0]),
                               "y": _number(position[1]), "z": _number(position[2])})
    return list(blocks.values())


def integral_method(study, symbols) -> tuple[bool, str]:
    """Whether GATEWAY gets RICD, and why (molcas.cholesky true/false, or auto by the basis size)."""
    from adatom_wf.molcas.basis import basis_library_dir
    from adatom_wf.molcas.cost import AUTO_CHOLESKY_MIN_FUNCTIONS, contraction, shell_functions, uses_cholesky

    setting = study.molcas.cholesky
    if setting != "auto":
        return bool(setting), f"molcas.cholesky: {str(setting).lower()}"
    library = basis_library_dir()
    functions = sum(shell_functions(contraction(symbol, study.molcas.basis[symbol], library)[0]) for symbol in symbols)
    used = uses_cholesky(setting, functions)
    return used, (f"molcas.cholesky: auto, {functions} basis functions "
                  f"{'>=' if used else '<'} {AUTO_CHOLESKY_MIN_FUNCTIONS}")


def _root_lines(roots: int) -> list[str]:
    numbers = [str(i) for i in range(1, roots + 1)]
    return [" ".join(numbers[i:i + ROOTS_PER_LINE]) for i in range(0, roots, ROOTS_PER_LINE)]


def _formula(study, atoms) -> str:
    return study.adatom + atoms[1:].get_chemical_formula(mode="hill")


def render_integrals(study, atoms, *, cluster_source: str = "cluster") -> IntegralsInputs:
    """The integrals input of the cluster ``atoms`` (ase.Atoms, adatom at index 0, Å), for every state."""
    _check_cluster(study, atoms)
    project = integrals_project(study)
    cholesky, cholesky_reason = integral_method(study, atoms.get_chemical_symbols())
    formula = _formula(study, atoms)
    context = {
        "study": study.name, "project": project, "formula": formula, "cluster_source": cluster_source,
        "title": f"{study.name} integrals of {formula}",
        "basis_blocks": basis_blocks(study, atoms), "adatom_label": f"{study.adatom}1",
        "angmom_origin_bohr": [f"{float(x) / BOHR_ANGSTROM + 0.0:.10f}" for x in atoms.positions[0]],
        "cholesky": cholesky, "cholesky_reason": cholesky_reason,
        "relativity": study.molcas.relativity, "relativistic_keyword": RELATIVISTIC_KEYWORDS[study.molcas.relativity],
    }
    text = environment().get_template("integrals.input.j2").render(**context)
    return IntegralsInputs(project, {f"{project}.integrals.input": text})


def render_state(study, label: str, atoms, *, cluster_source: str = "cluster", settings=None, starts=None,
                 rescue_note: str = "", rasscf_only: bool = False) -> MolcasInputs:
    """The CASSCF/RASSI/SINGLE_ANISO input of oxidation state ``label`` for ``atoms`` (adatom at index 0, Å), and
    for a projected start (:meth:`adatom_wf.spec.Study.orbital_start`) its EXPBAS input.

    ``settings`` (:class:`.rescue.RasscfSettings`, default the study's ``molcas.rasscf``) and ``starts``
    ({multiplicity: (orbital file in the state folder, why)}) make a rescue attempt's input (:mod:`.rescue`);
    ``rasscf_only`` a pre-run's (:mod:`.projection`: ``study`` is then the pre-run's)."""
    from adatom_wf.molcas.projection import render_expbas, start_description
    from adatom_wf.molcas.rescue import attempt_settings

    _check_cluster(study, atoms)
    settings = settings or attempt_settings(study.molcas.rasscf, 0)
    starts = starts or {}
    plan = plan_state(study, label, atoms.numbers)
    formula = _formula(study, atoms)
    context = {
        "study": study.name, "label": label, "project": plan.project, "formula": formula,
        "charge_text": f"{plan.charge:+d}" if plan.charge else "0", "electrons": plan.electrons,
        "integrals_input": f"{integrals_project(study)}.integrals.input",
        "inactive": plan.inactive, "active_electrons": plan.active_electrons,
        "active_orbitals": plan.active_orbitals, "characters": list(plan.characters),
        "spins": [{"multiplicity": s.multiplicity, "roots": s.roots, "csfs": s.csfs, "root_lines": _root_lines(s.roots),
                   "start": starts.get(s.multiplicity, (None, ""))[0],
                   "start_note": starts.get(s.multiplicity, (None, ""))[1]} for s in plan.spins],
        "rasscf_keywords": settings.keywords(), "rescue_note": rescue_note,
        "so_states": plan.so_states, "multiplet_size": plan.multiplet_size,
        "crystal_field_element": plan.crystal_field_element,
        "start_description": start_description(study, plan), "rasscf_only": rasscf_only,
    }
    files = {f"{plan.project}.casscf.input": environment().get_template("casscf.input.j2").render(**context)}
    if study.orbital_start(label) == "projected" and not rasscf_only:
        files[f"{plan.project}.expbas.input"] = render_expbas(study, plan, formula)
    return MolcasInputs(plan, files, rasscf_only)


def render_study(study, atoms, labels=None, *, cluster_source: str = "cluster") -> dict[str, MolcasInputs]:
    """The inputs of ``labels`` (default: every oxidation state of the study), keyed by label."""
    if study.molcas is None:
        raise SpecError(f"study {study.name} has no molcas section")
    return {label: render_state(study, label, atoms, cluster_source=cluster_source)
            for label in (labels or list(study.molcas.oxidation_states))}


def seward_count(*inputs) -> int:
    """How many SEWARD runs these inputs make (IntegralsInputs and MolcasInputs; the target: one per cluster)."""
    return sum(text.count("\n&SEWARD") for rendered in inputs for text in rendered.files.values())

