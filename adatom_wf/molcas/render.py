"""OpenMolcas inputs of one oxidation state, rendered from the study and the cluster (pure: text in memory).

Two inputs per oxidation state, run one after the other in the same ``$WorkDir``:

``<project>.integrals.input``  GATEWAY (coordinates, basis per element, AMFI, AngMom about the adatom,
                               optional RICD) and SEWARD (DKH2) -- once per charge; SEWARD's guess
                               orbitals are where the starting orbitals are picked from;
``<project>.casscf.input``     one SA-CASSCF per spin multiplicity (JobIph kept as JOB00n and
                               ``<project>.m<2S+1>.JobIph``), RASSI with spin-orbit coupling, SINGLE_ANISO.

``<project>`` is the label with '+' -> 'p' (``Tb3+`` -> ``Tb3p``). One Jinja2 environment with
StrictUndefined renders both; numbers are formatted here so the text is the same byte for byte.
"""

from dataclasses import dataclass
from functools import lru_cache

import jinja2

from adatom_wf.errors import SpecError, StructureError
from adatom_wf.molcas.active_space import StatePlan, plan_state

# CODATA 2018 Bohr radius in Å (OpenMolcas 22.10 uses the same constant).
BOHR_ANGSTROM = 0.529177210903
RELATIVISTIC_KEYWORDS = {"DKH2": "R02O02"}  # SEWARD: DKH order 2 (optimum parametrisation), properties order 2
ROOTS_PER_LINE = 20


@dataclass(frozen=True)
class MolcasInputs:
    """The rendered inputs of one oxidation state: file name -> text, and the plan they came from."""

    plan: StatePlan
    files: dict[str, str]

    @property
    def integrals_input(self) -> str:
        return f"{self.plan.project}.integrals.input"

    @property
    def casscf_input(self) -> str:
        return f"{self.plan.project}.casscf.input"


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The one environment of the OpenMolcas templates (templates/molcas/*.j2, package adatom_wf.templates)."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("adatom_wf.templates", "molcas"),
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        autoescape=False,
    )


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
    blocks, counters = {}, {}
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


def render_state(study, label: str, atoms, *, cluster_source: str = "cluster") -> MolcasInputs:
    """Both inputs of oxidation state ``label`` for ``atoms`` (ase.Atoms, adatom at index 0, Å)."""
    _check_cluster(study, atoms)
    plan = plan_state(study, label, atoms.numbers)
    adatom_bohr = [f"{float(x) / BOHR_ANGSTROM + 0.0:.10f}" for x in atoms.positions[0]]
    cholesky, cholesky_reason = integral_method(study, atoms.get_chemical_symbols())
    formula = study.adatom + atoms[1:].get_chemical_formula(mode="hill")
    context = {
        "study": study.name, "label": label, "project": plan.project, "formula": formula,
        "cluster_source": cluster_source, "charge_text": f"{plan.charge:+d}" if plan.charge else "0",
        "electrons": plan.electrons,
        "title": f"{study.name} {label} on {formula}",
        "basis_blocks": basis_blocks(study, atoms), "adatom_label": f"{study.adatom}1",
        "angmom_origin_bohr": adatom_bohr, "cholesky": cholesky, "cholesky_reason": cholesky_reason,
        "relativity": study.molcas.relativity, "relativistic_keyword": RELATIVISTIC_KEYWORDS[study.molcas.relativity],
        "inactive": plan.inactive, "active_electrons": plan.active_electrons,
        "active_orbitals": plan.active_orbitals, "characters": list(plan.characters),
        "spins": [{"multiplicity": s.multiplicity, "roots": s.roots, "csfs": s.csfs, "root_lines": _root_lines(s.roots)}
                  for s in plan.spins],
        "so_states": plan.so_states, "multiplet_size": plan.multiplet_size,
        "crystal_field_element": plan.crystal_field_element,
    }
    env = environment()
    files = {
        f"{plan.project}.integrals.input": env.get_template("integrals.input.j2").render(**context),
        f"{plan.project}.casscf.input": env.get_template("casscf.input.j2").render(**context),
    }
    return MolcasInputs(plan, files)


def render_study(study, atoms, labels=None, *, cluster_source: str = "cluster") -> dict[str, MolcasInputs]:
    """The inputs of ``labels`` (default: every oxidation state of the study), keyed by label."""
    if study.molcas is None:
        raise SpecError(f"study {study.name} has no molcas section")
    return {label: render_state(study, label, atoms, cluster_source=cluster_source)
            for label in (labels or list(study.molcas.oxidation_states))}


def seward_count(inputs: dict[str, MolcasInputs]) -> int:
    """How many SEWARD runs these inputs make (the benchmark's target: one per charge)."""
    return sum(text.count("\n&SEWARD") for rendered in inputs.values() for text in rendered.files.values())

