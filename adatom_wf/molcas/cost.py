"""What one oxidation state's OpenMolcas run will cost, from the study alone (no OpenMolcas run, no numpy).

Counted exactly: contracted basis functions per element (OpenMolcas's ``basis_library/basis.tbl`` where
it is installed, else the bundled copy of its ANO-RCC lines, ``presets/ano_rcc_contractions.yaml``; spherical
shells, 2l+1 functions each), the cluster's atoms (:func:`adatom_wf.facts.cluster_formula`), inactive, active
and secondary orbitals, CSFs per multiplicity, SO states.

Estimated, with constants calibrated on real runs here (docs/benchmarks.md, "OpenMolcas cost model"):

- two-electron integrals on disk: conventional, the N(N+1)/2 × (N(N+1)/2 + 1)/2 unique integrals of C1 as
  8-byte reals times SEWARD's measured OrdInt overhead (no screening assumed: an upper bound); Cholesky/RICD
  (acCD, threshold 1e-4), N(N+1)/2 × M reals, M = the sum over atoms of the vectors each brings (measured per
  element and basis, presets/ricd_vectors.yaml; exact on the clusters measured);
- memory: the largest of SEWARD (twice the relativistic matrices of the primitive basis: its measured peak),
  RASSCF (CI vectors and Davidson space of the largest multiplicity, AO matrices, a batch of Cholesky vectors)
  and RASSI (the complex SO Hamiltonian, its eigenvectors and the property matrices over all SO states), plus
  the program's own base;
- scratch: the integrals, one-electron and relativistic integrals, one JobIph per multiplicity, RASSI's files;
- wall time on one core (:func:`state_seconds`; the shared integrals node's in ``StateCost.integrals_seconds``): a
  sum of terms per module, each a count from the above times a constant fitted on real runs
  (presets/molcas_time.yaml, bench/bench_time_model.py).
  GATEWAY + SEWARD: the one-centre integrals RICD decomposes per distinct atom, the three-centre integrals
  over primitive pairs and vectors (or the four-centre ones), the DKH transformation of the primitive basis.
  RASSCF, per multiplicity: per iteration the CI (CSFs × roots × active²) and the orbital step (Cholesky:
  vectors × N² × occupied and vectors × N³ × occupied; conventional: N⁴ × occupied), times a typical iteration
  count (the one thing a study cannot tell: docs/benchmarks.md says how far that is off); once, a start and
  the per-root analysis after convergence (roots × N³). RASSI: the transition densities of
  every pair of spin-orbit-coupled roots (CSFs of both) and the SO Hamiltonian (SO states³). SINGLE_ANISO: SO
  states² and ³ (the magnetisation and susceptibility over its grid of fields and temperatures).

``integrals`` is the method the inputs will use: ``molcas.cholesky`` true/false forces it; ``auto`` (the
default) takes Cholesky (RICD) from AUTO_CHOLESKY_MIN_FUNCTIONS basis functions on (why: docs/molcas.md).
"""

import re
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

from adatom_wf.errors import SpecError
from adatom_wf.facts import MOLCAS_DEFAULT_MEM_MB, cluster_formula, csf_count
from adatom_wf.lanthanides import ATOMIC_NUMBERS

# RICD (acCD, threshold 1e-4) vectors per atom: measured per element and basis (presets/ricd_vectors.yaml);
# for a set not measured, this many per basis function of the atom (the largest measured: Tb VTZP 1541/104).
FALLBACK_VECTORS_PER_FUNCTION = 15
# SEWARD's OrdInt (conventional, C1) is larger than 8 bytes per unique integral: 73.7 MB for the 4.99e6 unique
# integrals of Tb/benzene ANO-RCC-MB (39.9 MB as bare reals), i.e. 1.84x (labels and buffer padding).
ORDINT_OVERHEAD = 1.84
# From this many basis functions on, molcas.cholesky: auto uses RICD (docs/molcas.md, "Integrals").
AUTO_CHOLESKY_MIN_FUNCTIONS = 100
# One-electron operators SEWARD writes to OneInt/OneRel (overlap, kinetic, nuclear attraction, multipoles,
# DKH, AMFI, angular momentum, velocity): matrices of N(N+1)/2 reals each.
ONE_ELECTRON_MATRICES = 120
# SEWARD's OneRel (the DKH transformation in the primitive basis): about this many matrices of P(P+1)/2 reals,
# P the primitive spherical functions (30.3 MB for Tb/benzene ANO-RCC-MB, P = 537; 52.6 MB in the paper's
# basis, P = 715: 26 both times).
RELATIVISTIC_MATRICES = 26
BASE_MEMORY_MB = 300  # what pymolcas and a module take before any array of the calculation
DAVIDSON_VECTORS = 3  # CI vectors RASSCF keeps per root besides the roots themselves
_SHELL = re.compile(r"(\d+)([spdfghik])", re.I)
_L = "spdfghik"


@dataclass(frozen=True)
class ElementBasis:
    element: str
    atoms: int
    basis: str
    contraction: str  # e.g. 8s7p5d3f2g1h
    functions_per_atom: int
    ricd_vectors_per_atom: int  # measured (presets/ricd_vectors.yaml), else FALLBACK_VECTORS_PER_FUNCTION × functions
    primitives_per_atom: int  # spherical primitives up to the set's highest l (presets/ano_rcc_contractions.yaml)


@dataclass
class StateCost:
    """One oxidation state's numbers (``validate --json`` / ``run --dry-run --json``: the ``cost`` object)."""

    basis_functions: int
    basis_source: str  # where the contractions were read
    elements: list = field(default_factory=list)  # ElementBasis as dicts
    electrons: int = 0
    inactive: int = 0
    active: int = 0
    secondary: int = 0
    csfs: dict = field(default_factory=dict)  # multiplicity (as text) -> CSF count
    so_states: int = 0
    integrals: str = "cholesky"  # "conventional" or "cholesky"
    integrals_gb: float = 0.0
    integrals_gb_conventional: float = 0.0
    integrals_gb_cholesky: float = 0.0
    cholesky_vectors: int = 0
    memory_mb: int = 0
    scratch_gb: float = 0.0
    # estimated wall on one core: rasscf {2S+1: s}, rassi, single_aniso, total
    seconds: dict = field(default_factory=dict)
    integrals_seconds: float = 0.0  # the cluster's shared integrals node (GATEWAY + SEWARD), the same for every state
    start: str = "core"  # how the first RASSCF starts: "core" (guess picked by character) or "projected"
    # a projected start's pre-run (molcas/projection.py): its first multiplicity's RASSCF in the pre-run basis, and
    # that basis's integrals (shared by every projected state); 0 for a core start
    prerun_seconds: float = 0.0
    prerun_integrals_seconds: float = 0.0
    # more basis functions than any calibration run of the time model had (presets/molcas_time.yaml): the time is
    # an extrapolation of its terms
    time_extrapolated: bool = False

    def as_dict(self) -> dict:
        return asdict(self)


def shell_functions(contraction: str) -> int:
    """Spherical basis functions of a contraction such as ``8s7p5d3f2g1h`` (104)."""
    shells = _SHELL.findall(contraction)
    if not shells or "".join(n + l for n, l in shells).lower() != contraction.lower():
        raise SpecError(f"basis contraction {contraction!r} is not a list of shells such as 8s7p5d3f2g1h")
    return sum(int(n) * (2 * _L.index(l.lower()) + 1) for n, l in shells)


def primitive_functions(element: str, shells: str) -> int:
    """Spherical primitives of an ANO-RCC set: the family's primitives of every l up to the set's highest
    (OpenMolcas contracts all sets of an element from one primitive set); 0 when the element is not tabled."""
    primitives = _bundled().get(element, {}).get("PRIMITIVES")
    if primitives is None:
        return 0
    top = max(_L.index(l.lower()) for _, l in _SHELL.findall(shells))
    return sum(int(n) * (2 * _L.index(l) + 1) for n, l in _SHELL.findall(str(primitives).lower()) if _L.index(l) <= top)


def contraction(element: str, basis: str, library: Path | None) -> tuple[str, str]:
    """(contraction, source) of ``element.basis``: an explicit ``ANO-RCC...3s2p1d.`` name, else the installed
    library's basis.tbl alias, else the bundled ANO-RCC table; a SpecError names what is known."""
    if "..." in basis:
        return basis.split("...")[-1].strip(".").lower(), "the basis name"
    wanted = f"{element}.{basis}".lower()
    if library is not None and (library / "basis.tbl").is_file():
        found = _aliases(library / "basis.tbl").get(wanted)
        if found is not None:
            return found, str(library / "basis.tbl")
    table = _bundled()
    found = table.get(element, {}).get(basis.upper())
    if found is None or basis.upper() == "PRIMITIVES":
        known = ", ".join(sorted(name for name in table.get(element, {}) if name != "PRIMITIVES")) or "none"
        raise SpecError(f"no contraction known for basis {basis!r} of {element} (bundled ANO-RCC sets for {element}: "
                        f"{known}); write it out as e.g. ANO-RCC...3s2p1d.")
    return str(found).lower(), "presets/ano_rcc_contractions.yaml (bundled copy of OpenMolcas's basis.tbl)"


@lru_cache(maxsize=4)
def _aliases(table: Path) -> dict[str, str]:
    """basis.tbl's ``El.name  El.family...contraction.`` lines: lower-case name -> contraction (read once)."""
    aliases: dict[str, str] = {}
    for line in table.read_text(errors="replace").splitlines():
        fields = line.split()
        if len(fields) >= 2 and "..." in fields[1] and not fields[0].startswith("#"):
            aliases.setdefault(fields[0].lower(), fields[1].split("...")[-1].strip(".").lower())
    return aliases


def _bundled() -> dict:
    return _preset("ano_rcc_contractions.yaml")


def _ricd_vectors() -> dict:
    return _preset("ricd_vectors.yaml")


@lru_cache(maxsize=4)
def _preset(name: str) -> dict:
    return yaml.safe_load(resources.files("adatom_wf.presets").joinpath(name).read_text())


def uses_cholesky(setting, basis_functions: int) -> bool:
    """molcas.cholesky: true/false force it; auto: RICD from AUTO_CHOLESKY_MIN_FUNCTIONS functions on."""
    if setting == "auto":
        return basis_functions >= AUTO_CHOLESKY_MIN_FUNCTIONS
    return bool(setting)


def cluster_atoms(study) -> dict[str, int]:
    """Atoms of the study's cluster by element: the adatom, then the capped carbon sheet of its ring rule."""
    return {study.adatom: 1, **cluster_formula(study.cluster.site, study.cluster.rings)}


def state_cost(study, label: str, library: Path | None) -> StateCost:
    """The cost of oxidation state ``label`` of ``study`` (see the module docstring)."""
    atoms = cluster_atoms(study)
    elements, sources = [], set()
    for element, count in atoms.items():
        shells, source = contraction(element, study.molcas.basis[element], library)
        sources.add(source)
        functions = shell_functions(shells)
        measured = _ricd_vectors().get(element, {}).get(study.molcas.basis[element].upper())
        elements.append(ElementBasis(element, count, study.molcas.basis[element], shells, functions,
                                     measured or FALLBACK_VECTORS_PER_FUNCTION * functions,
                                     primitive_functions(element, shells)))
    n = sum(e.atoms * e.functions_per_atom for e in elements)
    state = study.molcas.oxidation_states[label]
    electrons = sum(ATOMIC_NUMBERS[element] * count for element, count in atoms.items()) - study.charge(label)
    n_active, m_active = state.active_space.electrons, state.active_space.orbitals
    inactive = (electrons - n_active) // 2
    secondary = n - inactive - m_active
    if secondary < 0:
        raise SpecError(f"{label}: {inactive} inactive + {m_active} active orbitals do not fit in the {n} basis "
                        f"functions of {', '.join(f'{e.element} {e.basis}' for e in elements)}; take a larger basis")
    csfs = {str(s.multiplicity): csf_count(n_active, m_active, s.multiplicity) for s in state.spin_states}
    so_states = sum(s.multiplicity * s.roots for s in state.spin_states)
    pairs = n * (n + 1) // 2
    primitives = sum(e.atoms * e.primitives_per_atom for e in elements)
    conventional_gb = ORDINT_OVERHEAD * 8 * pairs * (pairs + 1) / 2 / 1e9
    vectors = sum(e.atoms * e.ricd_vectors_per_atom for e in elements)
    cholesky_gb = 8 * pairs * vectors / 1e9
    cholesky = uses_cholesky(study.molcas.cholesky, n)
    integrals_gb = cholesky_gb if cholesky else conventional_gb
    largest = max((csfs[str(s.multiplicity)] * (s.roots + DAVIDSON_VECTORS * s.roots) for s in state.spin_states),
                  default=0)
    rasscf_mb = (8 * largest + 8 * 10 * n * n + (8 * pairs * n if cholesky else 0)) / 1e6
    rassi_mb = (16 * 6 * so_states ** 2 + 8 * 20 * n * n) / 1e6
    seward_mb = 8 * 2 * RELATIVISTIC_MATRICES * primitives ** 2 / 1e6
    job_iphs_gb = sum(8 * (csfs[str(s.multiplicity)] * s.roots + n * n) for s in state.spin_states) / 1e9
    one_electron_gb = 8 * (ONE_ELECTRON_MATRICES * pairs
                           + RELATIVISTIC_MATRICES * primitives * (primitives + 1) / 2) / 1e9
    scratch_gb = integrals_gb + one_electron_gb + job_iphs_gb + 16 * so_states ** 2 / 1e9
    cost = StateCost(
        basis_functions=n, basis_source="; ".join(sorted(sources)), elements=[asdict(e) for e in elements],
        electrons=electrons, inactive=inactive, active=m_active, secondary=secondary, csfs=csfs,
        so_states=so_states, integrals="cholesky" if cholesky else "conventional",
        integrals_gb=round(integrals_gb, 6), integrals_gb_conventional=round(conventional_gb, 6),
        integrals_gb_cholesky=round(cholesky_gb, 6), cholesky_vectors=vectors,
        memory_mb=int(BASE_MEMORY_MB + max(seward_mb, rasscf_mb, rassi_mb) + 0.5),
        scratch_gb=round(scratch_gb, 6),
    )
    cost.start = study.orbital_start(label)
    cost.seconds = state_seconds(cost, state)
    cost.time_extrapolated = n > time_constants()["calibrated_basis_functions"]
    cost.integrals_seconds = round(_seconds("integrals", integrals_features(cost)), 1)
    if cost.start == "projected":
        from adatom_wf.molcas.projection import prerun_study

        prerun = state_cost(prerun_study(study, label), label, library)
        cost.prerun_seconds = round(sum(prerun.seconds["rasscf"].values()), 1)
        cost.prerun_integrals_seconds = prerun.integrals_seconds
    return cost


def time_constants() -> dict:
    """The fitted constants of the time model (presets/molcas_time.yaml), by module then term."""
    return _preset("molcas_time.yaml")


def _seconds(kind: str, features: dict) -> float:
    constants = time_constants()[kind]
    return sum(constants[name] * value for name, value in features.items())


def integrals_features(cost: StateCost) -> dict:
    """The terms of GATEWAY + SEWARD's time for the cost's cluster and basis (see the module docstring)."""
    cholesky = cost.integrals == "cholesky"
    primitives = [e["primitives_per_atom"] for e in cost.elements]
    total = sum(e["atoms"] * e["primitives_per_atom"] for e in cost.elements)
    pairs = total * (total + 1) / 2
    return {"start": 1.0, "ricd": 1.0 if cholesky else 0.0,
            "one_centre": sum((p * (p + 1) / 2) ** 2 for p in primitives) / 1e9 if cholesky else 0.0,
            "three_centre": pairs * cost.cholesky_vectors / 1e9 if cholesky else 0.0,
            "four_centre": 0.0 if cholesky else pairs ** 2 / 1e12,
            "relativistic": total ** 3 / 1e9}


def rasscf_iteration_features(cost: StateCost, multiplicity: int, roots: int) -> dict:
    """The terms of one RASSCF macro-iteration (its row in RASSCF's iteration table): a constant, the CI
    (CSFs × roots × active²) and the orbital step. Cholesky (RI/DF, the LK algorithm): M vectors × N² × occupied
    (the exchange with the occupied orbitals) and M × N³ × occupied, the term that carries the growth measured from
    N = 174 to N = 464 (per iteration 1.0–3.0 s there, 122–160 s here: 41 times, where M × N² × occupied grows 19
    times; docs/benchmarks.md); conventional: N⁴ × occupied."""
    occupied = cost.inactive + cost.active
    n = cost.basis_functions
    cholesky = cost.integrals == "cholesky"
    orbital_work = (cost.cholesky_vectors * n * n if cholesky else n ** 4) * occupied / 1e12
    return {"iteration": 1.0,
            "ci": cost.csfs[str(multiplicity)] * roots * cost.active ** 2 / 1e9,
            "dense": n ** 3 / 1e9,
            "cholesky_orbitals": orbital_work if cholesky else 0.0,
            "cholesky_orbitals_n": orbital_work * n / 1e3 if cholesky else 0.0,
            "conventional_orbitals": 0.0 if cholesky else orbital_work}


def rasscf_once_features(cost: StateCost, roots: int) -> dict:
    """The terms of what one RASSCF does once: its start and the per-root analysis after convergence (Mulliken,
    properties, LoProp and bond orders; roots × N³)."""
    return {"start": 1.0, "root_analysis": roots * cost.basis_functions ** 3 / 1e9}


def rasscf_features(cost: StateCost, multiplicity: int, roots: int, iterations: float) -> dict:
    """One RASSCF module's terms: ``iterations`` times an iteration's, plus what it does once."""
    per_iteration = rasscf_iteration_features(cost, multiplicity, roots)
    return {**{name: iterations * value for name, value in per_iteration.items()},
            **rasscf_once_features(cost, roots)}


def rassi_features(cost: StateCost, spin_states) -> dict:
    """Spin-orbit coupling joins multiplicities that differ by 0 or 2 (ΔS = 0, ±1): their root pairs."""
    pairs = 0.0
    for i, a in enumerate(spin_states):
        for b in spin_states[i:]:
            if abs(a.multiplicity - b.multiplicity) <= 2:
                pairs += a.roots * b.roots * (cost.csfs[str(a.multiplicity)] + cost.csfs[str(b.multiplicity)])
    return {"start": 1.0, "transition_densities": pairs * cost.active ** 2 / 1e9,
            "so_hamiltonian": cost.so_states ** 3 / 1e9}


def aniso_features(cost: StateCost) -> dict:
    return {"start": 1.0, "so_squared": cost.so_states ** 2 / 1e6, "so_cubed": cost.so_states ** 3 / 1e9}


def rasscf_iterations(start: str, index: int) -> float:
    """The typical iteration count of a state's ``index``-th RASSCF (presets/molcas_time.yaml): the first from the
    state's start (``core``: the guess picked by character, or ``projected``), the others ``chained`` (from the
    previous multiplicity's orbitals)."""
    table = time_constants()["rasscf_iterations"]
    return table["chained"] if index else table[start]


def state_seconds(cost: StateCost, state) -> dict:
    """Estimated wall time of one oxidation state's molcas node on one core, by module (seconds)."""
    rasscf = {str(s.multiplicity): round(_seconds("rasscf", rasscf_features(
        cost, s.multiplicity, s.roots, rasscf_iterations(cost.start, index))), 1)
        for index, s in enumerate(state.spin_states)}
    rassi = round(_seconds("rassi", rassi_features(cost, state.spin_states)), 1)
    aniso = round(_seconds("single_aniso", aniso_features(cost)), 1)
    return {"rasscf": rasscf, "rassi": rassi, "single_aniso": aniso,
            "total": round(sum(rasscf.values()) + rassi + aniso, 1)}


def molcas_mem_mb(cost: StateCost, cap: int | None = None) -> int:
    """MOLCAS_MEM for a state: twice its estimate (OpenMolcas's buffers grow into what it is given), at least
    OpenMolcas's default, rounded up to 100 MB, capped by ``cap`` (the profile's molcas.max_mem_mb)."""
    wanted = max(MOLCAS_DEFAULT_MEM_MB, -(-2 * cost.memory_mb // 100) * 100)
    return min(wanted, cap) if cap else wanted


def slurm_memory_mb(molcas_mem: int) -> int:
    """sbatch --mem of a molcas job: MOLCAS_MEM, a quarter more for what OpenMolcas allocates beside its work
    array, and 1000 MB for pymolcas and Python."""
    return -(-int(1.25 * molcas_mem + 1000) // 100) * 100
