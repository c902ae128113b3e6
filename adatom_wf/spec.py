"""Typed models of a study file (``workflows/*.yaml``).

Unknown keys are rejected; every validation error names the field, the bad value and what is allowed.
Imported by ``adatom-wf validate``: pydantic, yaml and the standard library only (no ase, pymatgen, h5py).
"""

import difflib
import hashlib
import importlib.util
import json
import math
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from adatom_wf.errors import SpecError
from adatom_wf.facts import (
    SITES,
    csf_count,
    max_cluster_rings,
    oxidation_state_charge,
    supercell_image_distance_angstrom,
)
from adatom_wf.lanthanides import (
    ATOMIC_NUMBERS,
    LANTHANIDES,
    OXIDATION_STATE_RANGE,
    check_characters,
    check_expected_configuration,
    check_thresholds,
    f_count_trivalent,
    fill_defaults,
    is_lanthanide,
    potcar_f_in_core,
)

SiteName = Literal[SITES]  # type: ignore[valid-type]  # Literal of facts.SITES: valid at runtime, mypy wants literals

# PBE lattice constant of graphene (Å); the experimental value is 2.46.
PBE_GRAPHENE_A_ANGSTROM = 2.467


class StrictModel(BaseModel):
    """Frozen model that names the allowed keys when it meets an unknown one."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    @model_validator(mode="before")
    @classmethod
    def _known_keys(cls, data):
        if isinstance(data, dict):
            allowed = sorted(cls.model_fields)
            for key in data:
                if key not in allowed:
                    raise ValueError(f"unknown key {key!r}; allowed keys: {', '.join(allowed)}")
        return data


class Substrate(StrictModel):
    kind: Literal["graphene"] = "graphene"
    supercell: list[int] = Field(default=[8, 8], min_length=2, max_length=2)
    lattice_constant_angstrom: float = Field(default=PBE_GRAPHENE_A_ANGSTROM, ge=2.0, le=3.0)
    vacuum_angstrom: float = Field(default=15.0, ge=8.0, le=60.0)
    # Smallest allowed distance from the adatom to its own periodic images and to the image of the layer.
    min_image_distance_angstrom: float = Field(default=10.0, ge=3.0, le=60.0)

    @field_validator("supercell")
    @classmethod
    def _positive(cls, value):
        if any(n < 1 or n > 30 for n in value):
            raise ValueError(f"supercell repeats must be 1 to 30, got {value}")
        return value


class Site(StrictModel):
    height_angstrom: float = Field(ge=1.0, le=5.0)


class Kpoints(StrictModel):
    style: Literal["gamma", "monkhorst"] = "gamma"
    grid: list[int] = Field(default=[4, 4, 1], min_length=3, max_length=3)

    @field_validator("grid")
    @classmethod
    def _positive(cls, value):
        if any(n < 1 for n in value):
            raise ValueError(f"k-point divisions must be >= 1, got {value}")
        return value


IncarValue = bool | int | float | str


class Gpaw(StrictModel):
    """The GPAW relaxation (dft.program: gpaw; docs/gpaw.md). A key left out takes its value from
    ``presets/gpaw_relax.yaml`` (:func:`adatom_wf.gpaw.inputs.gpaw_parameters`); the study always wins."""

    mode: Literal["lcao", "pw"] | None = None
    # LCAO basis (mode lcao): GPAW's dzp, or the smaller sets GPAW takes out of it
    basis: Literal["dzp", "szp(dzp)", "sz(dzp)"] | None = None
    ecut_ev: float | None = Field(default=None, ge=100.0, le=2000.0)  # plane-wave cutoff (mode pw)
    grid_spacing_angstrom: float | None = Field(default=None, ge=0.1, le=0.35)  # GPAW's h
    smearing_ev: float | None = Field(default=None, gt=0.0, le=1.0)  # Fermi-Dirac width
    # The paper's model: the 4f^n of Ln3+ frozen in the core (like VASP's Tb_3), non-spin-polarised. false: GPAW's
    # standard setup, 4f in valence, spin-polarised (hubbard_u_ev on 4f if asked).
    f_in_core: bool | None = None
    hubbard_u_ev: float | None = Field(default=None, gt=0.0, le=12.0)
    fmax_ev_per_angstrom: float | None = Field(default=None, gt=0.0, le=5.0)  # the force criterion
    max_steps: int | None = Field(default=None, ge=1, le=100000)  # ionic steps of the optimiser
    # the optimiser (docs/gpaw.md, "Relaxations that cannot take a bad step"): bfgs-guarded, or ASE's own
    optimizer: Literal["bfgs-guarded", "bfgs", "bfgs-linesearch", "fire"] | None = None
    maxstep_angstrom: float | None = Field(default=None, gt=0.0, le=1.0)  # no atom moves farther in one step
    initial_hessian_ev_per_angstrom2: float | None = Field(default=None, gt=0.0, le=1000.0)  # BFGS's alpha
    max_scf_iterations: int | None = Field(default=None, ge=5, le=5000)
    density_convergence: float | None = Field(default=None, gt=0.0, le=0.01)  # electrons per valence electron


class Dft(StrictModel):
    program: Literal["vasp", "gpaw"] = "vasp"
    gpaw: Gpaw | None = None
    potcar_functional: Literal["PBE", "PBE_52", "PBE_54", "PBE_64"] = "PBE_54"
    potcars: dict[str, str] = {}
    incar: dict[str, IncarValue] = {}
    kpoints: Kpoints = Kpoints()

    @field_validator("incar")
    @classmethod
    def _incar_tags(cls, value):
        for tag, item in value.items():
            if not re.fullmatch(r"[A-Z][A-Z0-9_]*", tag):
                raise ValueError(f"INCAR tag {tag!r} is not an upper-case VASP tag")
            check_incar_value(tag, item)
        return value

    @field_validator("potcars")
    @classmethod
    def _potcar_elements(cls, value):
        for element in value:
            _check_element(element)
        return value


@lru_cache(maxsize=1)
def incar_parameters() -> dict:
    """pymatgen's table of VASP's INCAR tags (``pymatgen/io/vasp/incar_parameters.json``: tag -> type, allowed
    values), the one ``Incar.check_params`` uses; read as data, without importing pymatgen."""
    found = importlib.util.find_spec("pymatgen")
    for folder in (found.submodule_search_locations or []) if found else []:
        path = Path(folder) / "io" / "vasp" / "incar_parameters.json"
        if path.is_file():
            return json.loads(path.read_text())
    raise SpecError("pymatgen's table of INCAR tags (pymatgen/io/vasp/incar_parameters.json) was not found: "
                    "install pymatgen (a dependency of adatom-wf)")


def check_incar_value(tag: str, value) -> None:
    """Raise ValueError unless ``tag`` is a VASP tag of pymatgen's table and ``value`` has its type (and is one of
    its allowed values, compared without case as VASP does); the closest known tag is named for an unknown one."""
    table = incar_parameters()
    if tag not in table:
        close = difflib.get_close_matches(tag, list(table), n=1)
        hint = f"; did you mean {close[0]}?" if close else ""
        raise ValueError(f"INCAR tag {tag!r} is not a VASP tag (pymatgen's table of INCAR tags){hint}")
    kind = table[tag].get("type", "")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"INCAR {tag} = {value!r}: not a finite number")
    if kind == "list" and isinstance(value, str):
        words = value.replace("*", " ").split()
        if not words or not all(_is_number(word) for word in words):
            raise ValueError(f"INCAR {tag} = {value!r}: expected numbers such as '2*1.0 3*0'")
        return
    accepted = {"float": (int, float), "int": (int,), "bool": (bool,), "str": (str,), "list": (int, float),
                "bool | str": (bool, str)}.get(kind, (bool, int, float, str))
    if not isinstance(value, accepted) or (isinstance(value, bool) and bool not in accepted):
        raise ValueError(f"INCAR {tag} = {value!r}: expected {kind.replace(' | ', ' or ')} (pymatgen's table of "
                         "INCAR tags)")
    allowed = table[tag].get("values")
    if allowed is not None:
        folded = {str(v).casefold() for v in allowed}
        if str(value).casefold() not in folded:
            raise ValueError(f"INCAR {tag} = {value!r} is not one of {', '.join(str(v) for v in allowed)}")


def _is_number(word: str) -> bool:
    try:
        return math.isfinite(float(word))
    except ValueError:
        return False


class Cluster(StrictModel):
    site: SiteName = "hollow"
    rings: int = Field(default=3, ge=1, le=8)
    geometry: Literal["relaxed", "ideal"] = "relaxed"
    ch_bond_angstrom: float = Field(default=1.09, ge=0.9, le=1.3)
    symmetrize: bool = True
    symmetry_tolerance_angstrom: float = Field(default=0.1, gt=0.0, le=1.0)


class SpinState(StrictModel):
    multiplicity: int = Field(ge=1, le=20)
    roots: int = Field(ge=1, le=1000)


class ActiveSpace(StrictModel):
    electrons: int = Field(ge=1)
    orbitals: int = Field(ge=1, le=20)
    # What the active orbitals must be, checked after every RASSCF: "4f", "6s/5d0", "5dxy", "5dx2-y2".
    character: list[str] = ["4f"]


class Orbitals(StrictModel):
    """Where each state's first RASSCF starts (docs/molcas.md, "Starting orbitals"); every later multiplicity starts
    from the one before it (chained), a restart's own RasOrb wins over both."""

    # auto: projected when the basis is larger than project_from (and every set is ANO-RCC), else core;
    # projected: the state's first multiplicity converged in project_from on the same cluster, expanded with
    # EXPBAS; core: SEWARD's guess orbitals, the active ones picked by character
    guess: Literal["auto", "projected", "core"] = "auto"
    # the basis of the pre-run, for every element (a generally contracted set EXPBAS can expand)
    project_from: str = "ANO-RCC-MB"

    @field_validator("project_from")
    @classmethod
    def _ano(cls, value):
        if not value.upper().startswith("ANO-RCC"):
            raise ValueError(f"project_from {value!r}: EXPBAS expands only within one family of generally contracted "
                             "sets; use an ANO-RCC set such as ANO-RCC-MB")
        return value


class OxidationState(StrictModel):
    charge: int | None = None
    active_space: ActiveSpace
    spin_states: list[SpinState] = Field(min_length=1)
    multiplet_size: int = Field(ge=1)
    # Electrons per active-orbital group the ground multiplet should have (the report flags a computed ground
    # multiplet that differs), e.g. {"4f": 8, "6s/5d0": 1}; groups as the active-space check names them.
    expected_configuration: dict[str, float] | None = None
    # this state's own starting-orbital strategy (default: molcas.orbitals)
    orbitals: Orbitals | None = None

    @model_validator(mode="after")
    def _consistent(self):
        check_active_space(self)
        check_characters(self.active_space.character, self.active_space.orbitals)
        if self.expected_configuration is not None:
            check_expected_configuration(self.expected_configuration, self.active_space.character,
                                         self.active_space.electrons)
        return self


class Rasscf(StrictModel):
    """How each RASSCF iterates and what is done when one stops unconverged (docs/molcas.md, "Convergence")."""

    # ITERations: the most macro-iterations of one RASSCF (OpenMolcas's default and its maximum: 200)
    iterations: int = Field(default=200, ge=1, le=200)
    # Steps of the rescue ladder (adatom_wf.molcas.rescue.RESCUE_LADDER) a RASSCF that stops at the iteration
    # limit may take, each restarted from its last orbitals; 0: none, the state fails at once
    rescue: int = Field(default=3, ge=0, le=3)


class Molcas(StrictModel):
    relativity: Literal["DKH2"] = "DKH2"
    basis: dict[str, str]
    # RICD (atomic compact Cholesky) integrals: true, false, or auto = from AUTO_CHOLESKY_MIN_FUNCTIONS basis
    # functions on (adatom_wf.molcas.cost; docs/molcas.md, "Integrals").
    cholesky: bool | Literal["auto"] = "auto"
    oxidation_states: dict[str, OxidationState] = Field(min_length=1)
    # Lower bound of each active orbital's adatom character (Löwdin weight) checked after every RASSCF,
    # e.g. {"4f": 0.9, "5dxy": 0.5}; defaults in adatom_wf.lanthanides.CHARACTERS (docs/molcas.md).
    min_character: dict[str, float] = {}
    rasscf: Rasscf = Rasscf()
    orbitals: Orbitals = Orbitals()

    @field_validator("min_character")
    @classmethod
    def _min_character(cls, value):
        check_thresholds(value)
        return value

    @field_validator("basis")
    @classmethod
    def _basis(cls, value):
        for element, name in value.items():
            _check_element(element)
            if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9-]*", name):
                raise ValueError(f"basis {name!r} for {element} is not a basis-set name such as ANO-RCC-VDZP")
        return value


class Execution(StrictModel):
    """How the study runs (docs/execution.md); the executor and cluster settings live in profiles, not here."""

    # Run the VASP relaxation of every site. Default (None): only when cluster.geometry is "relaxed".
    relax: bool | None = None


# (section, key, model): keys added to the study file after studies were run, left out of the hash at their default
ADDED_KEYS = (("molcas", "rasscf", Rasscf), ("molcas", "orbitals", Orbitals))
ADDED_STATE_KEYS = ("orbitals",)  # keys of each oxidation state, left out of the hash while unset (None)


class Study(StrictModel):
    name: str
    description: str = ""
    adatom: str
    substrate: Substrate = Substrate()
    sites: dict[SiteName, Site] = Field(min_length=1)
    dft: Dft = Dft()
    cluster: Cluster = Cluster()
    molcas: Molcas | None = None
    execution: Execution | None = None

    @model_validator(mode="before")
    @classmethod
    def _oxidation_state_defaults(cls, data):
        """Fill what an oxidation state leaves out from the lanthanide's defaults (adatom_wf.lanthanides)."""
        return fill_defaults(data)

    @field_validator("name")
    @classmethod
    def _name(cls, value):
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}", value) or ".." in value:
            raise ValueError(
                f"study name {value!r} must be letters, digits, '_', '-' or '.' (it names the folder runs/<name>)"
            )
        return value

    @field_validator("adatom")
    @classmethod
    def _adatom(cls, value):
        _check_element(value)
        if not is_lanthanide(value):
            raise ValueError(f"adatom {value!r} is not a lanthanide; allowed: {', '.join(LANTHANIDES)}")
        return value

    @model_validator(mode="after")
    def _cross_checks(self):
        if self.cluster.site not in self.sites:
            raise ValueError(f"cluster.site {self.cluster.site!r} is not among the study's sites {list(self.sites)}")
        if self.execution is not None and self.execution.relax is False and self.cluster.geometry == "relaxed":
            raise ValueError("execution.relax is false but cluster.geometry is 'relaxed', "
                             "which needs the VASP relaxation")
        self._check_dft_program()
        self._check_supercell()
        elements = {self.adatom, "C", "H"}
        if self.molcas is not None:
            missing = sorted(elements - set(self.molcas.basis))
            if missing:
                raise ValueError(f"molcas.basis has no basis for {', '.join(missing)}")
            low, high = OXIDATION_STATE_RANGE
            for label in self.molcas.oxidation_states:
                charge = oxidation_state_charge(label, self.adatom)
                if not low <= charge <= high:
                    raise ValueError(f"oxidation state {label!r}: a lanthanide adatom takes {self.adatom}{low} to "
                                     f"{self.adatom}{high}+, not {charge:+d}")
            self._check_orbitals()
        return self

    def _check_orbitals(self) -> None:
        """A projected start needs something to project: ANO-RCC sets, one of them larger than project_from; the
        pre-runs share one set of integrals per cluster, so one project_from for every projected state."""
        assert self.molcas is not None  # called for a study with molcas only
        bases = self._projection_bases()
        if len(bases) > 1:
            raise ValueError(f"orbitals.project_from: the projected states ask for {' and '.join(bases)}; the "
                             "pre-runs share one set of integrals per cluster: use one project_from")
        for label, state in self.molcas.oxidation_states.items():
            orbitals = self.orbitals_of(label)
            if orbitals.guess != "projected":
                continue
            where = f"oxidation_states.{label}.orbitals" if state.orbitals else "molcas.orbitals"
            foreign = sorted(f"{element} {name}" for element, name in self.molcas.basis.items()
                             if not name.upper().startswith("ANO-RCC"))
            if foreign:
                raise ValueError(f"{where}.guess: projected expands ANO-RCC orbitals with EXPBAS, but molcas.basis has "
                                 f"{', '.join(foreign)}; use ANO-RCC sets, or guess: core")
            if not self._projects(orbitals):
                raise ValueError(f"{where}.guess: projected, but molcas.basis is {orbitals.project_from} already: "
                                 "nothing to project; use guess: core (or auto)")

    def _check_dft_program(self) -> None:
        """Each program's section only with that program: a study never silently ignores what it asks for."""
        dft = self.dft
        if dft.program == "vasp" and dft.gpaw is not None:
            raise ValueError("dft.gpaw is set but dft.program is 'vasp': set dft.program: gpaw, or remove dft.gpaw")
        if dft.program == "gpaw":
            vasp_only = [key for key in ("incar", "potcars") if getattr(dft, key)]
            if vasp_only:
                raise ValueError(f"dft.{vasp_only[0]} is VASP's but dft.program is 'gpaw': remove it (GPAW's "
                                 "settings go under dft.gpaw)")
            gpaw = dft.gpaw or Gpaw()
            if gpaw.f_in_core is not False and f_count_trivalent(self.adatom) == 0:
                raise ValueError(f"dft.gpaw.f_in_core: {self.adatom}3+ has no 4f electron to keep in the core; set "
                                 "f_in_core: false (GPAW's standard setup)")
            if gpaw.hubbard_u_ev is not None and gpaw.f_in_core is not False:
                raise ValueError("dft.gpaw.hubbard_u_ev acts on the 4f shell, which dft.gpaw.f_in_core keeps in the "
                                 "core: set f_in_core: false, or remove hubbard_u_ev")
            if gpaw.mode == "pw" and gpaw.basis is not None:
                raise ValueError("dft.gpaw.basis is the LCAO basis but dft.gpaw.mode is 'pw': remove basis, or use "
                                 "mode: lcao")
            if gpaw.optimizer == "fire" and gpaw.initial_hessian_ev_per_angstrom2 is not None:
                raise ValueError("dft.gpaw.initial_hessian_ev_per_angstrom2 is the BFGS optimisers' starting Hessian "
                                 "but dft.gpaw.optimizer is 'fire': remove it, or use bfgs-guarded, bfgs or "
                                 "bfgs-linesearch")

    def _check_supercell(self) -> None:
        """What building the sites and carving the cluster would refuse (adatom_wf.structure.sites.build_site,
        .cluster.carve), in arithmetic: an N×M cell, images too close, a cluster too big for the cell."""
        sub = self.substrate
        n, m = sub.supercell
        if n != m:
            raise ValueError(f"substrate.supercell {[n, m]}: the sites keep their point group only in an N x N "
                             f"supercell; use [{max(n, m)}, {max(n, m)}]")
        distance = supercell_image_distance_angstrom(n, m, sub.lattice_constant_angstrom)
        if distance < sub.min_image_distance_angstrom:
            fit = math.ceil(sub.min_image_distance_angstrom / sub.lattice_constant_angstrom - 1e-9)
            raise ValueError(f"substrate.supercell {n}x{m} puts the adatom {distance:.2f} Å from its own periodic "
                             f"image; need >= {sub.min_image_distance_angstrom:g} Å "
                             f"(substrate.min_image_distance_angstrom): use at least {fit}x{fit}")
        for site, spec in self.sites.items():
            gap = sub.vacuum_angstrom - spec.height_angstrom
            if gap < sub.min_image_distance_angstrom:
                vacuum = f"{sub.vacuum_angstrom:g}"
                raise ValueError(f"substrate.vacuum_angstrom {vacuum} (vacuum {vacuum} Å) leaves the {site} adatom "
                                 f"only {gap:.2f} Å from the periodic image of the layer; need >= "
                                 f"{sub.min_image_distance_angstrom:g} Å: use vacuum_angstrom >= "
                                 f"{spec.height_angstrom + sub.min_image_distance_angstrom:.2f}")
            if abs(sub.vacuum_angstrom - 2 * spec.height_angstrom) < 0.01:  # spglib then finds a mirror plane
                raise ValueError(f"substrate.vacuum_angstrom {sub.vacuum_angstrom:g} is twice the {site} height "
                                 f"{spec.height_angstrom:g} Å: the adatom sits halfway between the layer and its "
                                 "periodic image, a site of higher symmetry; change vacuum_angstrom")
        most = max_cluster_rings(self.cluster.site, n)
        if self.cluster.rings > most:
            fits = "not even 1 ring fits" if most < 1 else f"at most {most} fit"
            raise ValueError(f"cluster.rings {self.cluster.rings}: the cluster around the {self.cluster.site} site "
                             f"would reach its own periodic image in the {n}x{n} supercell ({fits}; a larger "
                             f"supercell holds more)")

    # Derived values, computed here so that every stage reads them the same way.
    def potcar_symbols(self) -> dict[str, str]:
        """Element -> VASP potential name (study overrides the defaults: Ln_3, and the element itself)."""
        defaults = {"C": "C", self.adatom: potcar_f_in_core(self.adatom)}
        return {**defaults, **self.dft.potcars}

    def relaxes_sites(self) -> bool:
        """Whether the study's graph holds the VASP relaxations (execution.relax, else cluster.geometry)."""
        if self.execution is not None and self.execution.relax is not None:
            return self.execution.relax
        return self.cluster.geometry == "relaxed"

    def orbitals_of(self, label: str) -> Orbitals:
        """The starting-orbital settings of oxidation state ``label``: its own, else molcas.orbitals."""
        assert self.molcas is not None  # a label is an oxidation state of molcas
        return self.molcas.oxidation_states[label].orbitals or self.molcas.orbitals

    def _projects(self, orbitals: Orbitals) -> bool:
        """Whether some element's set is not ``project_from`` and every one is ANO-RCC (EXPBAS can expand)."""
        assert self.molcas is not None  # orbitals: of a molcas oxidation state
        names = [name.upper() for name in self.molcas.basis.values()]
        return all(name.startswith("ANO-RCC") for name in names) and any(
            name != orbitals.project_from.upper() for name in names)

    def orbital_start(self, label: str) -> str:
        """How the first RASSCF of ``label`` starts: "projected" (from its project_from pre-run) or "core"."""
        orbitals = self.orbitals_of(label)
        if orbitals.guess == "auto":
            return "projected" if self._projects(orbitals) else "core"
        return orbitals.guess

    def projection_basis(self) -> str | None:
        """The basis of the starting-orbital pre-runs (one set of integrals per cluster), None when no state of the
        study starts projected (validation keeps it one basis for every projected state)."""
        found = self._projection_bases()
        return found[0] if found else None

    def _projection_bases(self) -> list[str]:
        if self.molcas is None:
            return []
        return sorted({self.orbitals_of(label).project_from for label in self.molcas.oxidation_states
                       if self.orbital_start(label) == "projected"})

    def charge(self, label: str) -> int:
        assert self.molcas is not None  # a label is an oxidation state of molcas
        state = self.molcas.oxidation_states[label]
        return state.charge if state.charge is not None else oxidation_state_charge(label, self.adatom)

    def canonical_json(self) -> str:
        """The validated content as JSON; keys added after studies were run (:data:`ADDED_KEYS`) are left out
        while at their defaults, so a study run before a key existed keeps its hash (and its run folder)."""
        content = self.model_dump(mode="json")
        for section, key, model in ADDED_KEYS:
            part = content.get(section)
            if isinstance(part, dict) and part.get(key) == model().model_dump(mode="json"):
                del part[key]
        for state in ((content.get("molcas") or {}).get("oxidation_states") or {}).values():
            for key in ADDED_STATE_KEYS:
                if state.get(key, 0) is None:
                    del state[key]
        return json.dumps(content, sort_keys=True, separators=(",", ":"))

    def sha256(self) -> str:
        """Hash of the validated content (comments and key order in the file do not change it)."""
        return hashlib.sha256(self.canonical_json().encode()).hexdigest()


def _check_element(symbol):
    if symbol not in ATOMIC_NUMBERS:
        raise ValueError(f"unknown element {symbol!r}; use a chemical symbol such as Tb, C, H")


def check_active_space(state: OxidationState) -> None:
    """Raise ValueError if the active space, spins, roots or multiplet size cannot be right."""
    n, m = state.active_space.electrons, state.active_space.orbitals
    if n > 2 * m:
        raise ValueError(f"active space has {n} electrons in {m} orbitals; at most {2 * m} fit")
    seen = set()
    for spin in state.spin_states:
        mult = spin.multiplicity
        if mult in seen:
            raise ValueError(f"multiplicity {mult} is listed twice")
        seen.add(mult)
        if (n - (mult - 1)) % 2:
            parity = "odd" if n % 2 else "even"
            raise ValueError(
                f"multiplicity {mult} is impossible for {n} active electrons ({parity} count needs "
                f"{'even' if n % 2 else 'odd'} multiplicities)"
            )
        csfs = csf_count(n, m, mult)
        if csfs == 0:
            raise ValueError(f"multiplicity {mult} is impossible for {n} electrons in {m} orbitals")
        if spin.roots > csfs:
            raise ValueError(
                f"{spin.roots} roots for multiplicity {mult} but CAS({n},{m}) has only {csfs} CSFs of that spin"
            )
    available = sum(s.multiplicity * s.roots for s in state.spin_states)
    if state.multiplet_size > available:
        raise ValueError(f"multiplet_size {state.multiplet_size} exceeds the {available} spin-orbit states available")
    if n % 2 and state.multiplet_size % 2:
        raise ValueError(
            f"multiplet_size {state.multiplet_size} is odd but {n} active electrons make a Kramers system "
            "(half-integer pseudospin: the size must be even)"
        )


BUNDLED = "adatom_wf.workflows"


def bundled_studies() -> list[str]:
    return sorted(p.name[:-5] for p in resources.files(BUNDLED).iterdir() if p.name.endswith(".yaml"))


def resolve_study_path(argument: str) -> Path:
    """A study file path, or the name of a bundled study (``demo_tb_benzene``)."""
    path = Path(argument)
    if path.is_file():
        return path
    name = path.name[:-5] if path.name.endswith(".yaml") else path.name
    if len(path.parts) <= 2 and name in bundled_studies():  # also from a folder holding runs/ or a dir of that name
        return Path(str(resources.files(BUNDLED).joinpath(f"{name}.yaml")))
    raise SpecError(f"study file {argument!r} not found (bundled studies: {', '.join(bundled_studies())})")


class _UniqueKeyLoader(yaml.SafeLoader):
    """YAML's safe loader, refusing a key given twice in one mapping (plain YAML keeps the last, silently)."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, (str, int, float, bool)) and key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"key {key!r} is given twice",
                                                        key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def load_study(argument: str | Path) -> Study:
    path = resolve_study_path(str(argument))
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as error:
        raise SpecError(f"{path}: cannot read the study file ({error})") from None
    return load_study_text(text, source=str(path))


def load_study_text(text: str, source: str = "<stdin>") -> Study:
    """A study from the YAML text of a study file (``source`` names it in errors; duplicate keys refused)."""
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        problem = " ".join(str(getattr(error, "problem", None) or error).split())  # one line, whatever YAML says
        raise SpecError(f"{source}:{where} is not valid YAML ({problem})") from None
    return parse_study(data, source=source)


def parse_study(data, source: str = "<study>") -> Study:
    if data is None:
        raise SpecError(f"{source}: the study file is empty; it needs at least name, adatom and sites")
    if not isinstance(data, dict):
        raise SpecError(f"{source}: a study file is a mapping of keys such as name, adatom, sites; "
                        f"got {type(data).__name__}")
    try:
        return Study.model_validate(data)
    except ValidationError as error:
        raise SpecError(f"{source}: {_describe(error)}") from None


def _describe(error: ValidationError) -> str:
    parts = []
    for item in error.errors():
        loc = ".".join(str(p) for p in item["loc"]) or "study"
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] in ("value_error", "assertion_error"):
            parts.append(f"{loc}: {message}")
        else:
            parts.append(f"{loc}: got {item['input']!r}: {message}")
    return "; ".join(parts)
