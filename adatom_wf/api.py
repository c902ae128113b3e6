"""The Python API (docs/api.md): a results store as typed records of numpy arrays, a study, and the analysis of a
stored state.

    import adatom_wf
    store = adatom_wf.open_store("runs/demo_tb_benzene/results.h5")
    tb3 = store.molcas("Tb3+")
    tb3.so_energies_cm1, tb3.g.principal, tb3.cf_parameters.b_cm1
    tb3.spectrum().u_eff_cm1
    tb3.magnetisation(field_t=[0, 1, 7], temperature_k=[2, 10]).magnetisation_mub

Every number carries its unit in its name (``_cm1``, ``_hartree``, ``_ev``, ``_angstrom``, ``_mub``, ``_t``, ``_k``;
``hbar`` for ⟨Jz⟩ and dimensionless g). Records are frozen dataclasses read once from the store (the file is closed
again); the L and S matrices are read only when a state's spectrum or magnetisation is asked for. This module is
imported on first use of ``adatom_wf.open_store`` (``import adatom_wf`` alone imports nothing heavy).
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from adatom_wf.errors import StoreError
from adatom_wf.facts import DFT_KINDS


def _array(values, dtype=float) -> np.ndarray:
    array = np.asarray(values if values is not None else [], dtype=dtype)
    array.setflags(write=False)
    return array


@dataclass(frozen=True)
class CrystalField:
    """ESO parameters B_k^q (cm⁻¹) of the extended Stevens operators O_k^q, as SINGLE_ANISO prints them."""

    k: np.ndarray
    q: np.ndarray
    b_cm1: np.ndarray

    @classmethod
    def from_record(cls, parameters) -> "CrystalField":
        return cls(_array([p["k"] for p in parameters], int), _array([p["q"] for p in parameters], int),
                   _array([p["b_cm1"] for p in parameters]))

    def as_dict(self) -> dict:
        """{(k, q): B_k^q in cm⁻¹}: what :func:`adatom_wf.analysis.spectrum.states_from_crystal_field` takes."""
        return {(int(k), int(q)): float(b) for k, q, b in zip(self.k, self.q, self.b_cm1)}

    def __getitem__(self, kq) -> float:
        try:
            return self.as_dict()[tuple(kq)]
        except KeyError:
            raise KeyError(f"no B_{kq[0]}^{kq[1]} stored; stored (k, q): {sorted(self.as_dict())}") from None


@dataclass(frozen=True)
class GTensor:
    """Main g values (gX, gY, gZ, dimensionless, in SINGLE_ANISO's order) and their axes (rows, cluster frame)."""

    principal: np.ndarray
    axes: np.ndarray


@dataclass(frozen=True)
class Configuration:
    """What a multiplet is made of (mean over its SO states; docs/results.md, "Configurations"): electrons per
    active-orbital group (``groups``, e.g. 4f, 6s/5d0, 5dxy+5dx2-y2) and the weight of each spin multiplicity."""

    groups: tuple
    electrons: np.ndarray  # (groups,), adds up to the active electrons
    spin_multiplicities: np.ndarray  # 2S+1, descending
    spin_weights: np.ndarray  # (multiplicities,), adds up to 1


@dataclass(frozen=True)
class Multiplet:
    """A SINGLE_ANISO pseudospin multiplet: its size, pseudospin (text, e.g. "6", "13/2"), g, SO energies, CF, and
    its configuration where the run allowed it (else None)."""

    index: int
    size: int
    pseudospin: str
    g: GTensor
    energies_cm1: np.ndarray
    cf_parameters: CrystalField
    configuration: Configuration | None = None


@dataclass(frozen=True)
class RasscfRoots:
    """The state-averaged CASSCF roots of one spin multiplicity."""

    multiplicity: int
    root_energies_hartree: np.ndarray
    converged: bool
    iterations: int | None
    occupations_electrons: np.ndarray | None = None  # (roots, groups of MolcasRun.orbital_groups), or None


@dataclass(frozen=True)
class Doublets:
    """The ground multiplet's doublets from the stored analysis: one entry per doublet, ascending in energy."""

    energy_cm1: np.ndarray
    tunnel_splitting_cm1: np.ndarray
    g_main: np.ndarray
    g_principal: np.ndarray  # (n_doublets, 3), ascending
    jz_abs_hbar: np.ndarray


@dataclass(frozen=True)
class StoredSpectrum:
    """The spectrum ``parse`` stored: levels, signed ⟨J_n⟩ along the main axis, E_ZFS, E_MAB, U_eff."""

    levels_cm1: np.ndarray
    jz_hbar: np.ndarray
    main_axis: np.ndarray
    kramers: bool
    e_zfs_cm1: float | None
    e_mab_cm1: float | None
    u_eff_cm1: float | None


@dataclass(frozen=True)
class Magnetisation:
    """M in μB per ion, shape (fields, temperatures), powder-averaged or along ``direction``."""

    field_t: np.ndarray
    temperature_k: np.ndarray
    magnetisation_mub: np.ndarray
    direction: np.ndarray | None  # None: powder average
    powder_points: int | None


@dataclass(frozen=True)
class Run:
    """What every stored run has: its group, kind (vasp|molcas), name (site or label), status and failure."""

    key: str
    kind: str
    name: str
    path: str
    status: str
    failure: str | None
    warnings: tuple

    @property
    def ok(self) -> bool:
        return self.status == "ok"


@dataclass(frozen=True)
class DftRun(Run):
    """A DFT relaxation of one site: VASP (kind "vasp") or GPAW (kind "gpaw"), the same fields."""

    energy_ev: float | None
    energy_sigma0_ev: float | None
    adatom_height_angstrom: float | None
    converged: bool | None
    ionic_steps: int | None
    largest_energy_rise_ev: float | None  # the relaxation's checks (docs/gpaw.md, "Relaxations that cannot…")
    layer_buckling_angstrom: float | None
    relaxation_flags: tuple  # one sentence per failed check; empty: none failed (or a store older than the check)
    symbols: tuple
    cell_angstrom: np.ndarray  # (3, 3) rows; empty when no final structure
    positions_angstrom: np.ndarray  # (natoms, 3)



VaspRun = DftRun  # its name before GPAW runs were stored too (kept: the documented API)

@dataclass(frozen=True)
class MolcasRun(Run):
    """An OpenMolcas run: CASSCF roots per multiplicity, SO energies, SINGLE_ANISO multiplets (the first is the
    ground one: :attr:`g`, :attr:`cf_parameters`), the CRYS crystal field, the stored doublets and spectrum."""

    store_path: Path
    rasscf: tuple
    so_energies_cm1: np.ndarray
    multiplets: tuple
    crystal_field_j: CrystalField | None
    crystal_field_j_value: str | None  # the J of the CRYS multiplet, e.g. "6"
    doublets: Doublets | None
    stored_spectrum: StoredSpectrum | None
    orbital_groups: tuple  # the active-orbital groups of the occupations (empty when the store has none)
    expected_configuration: dict | None  # the study's {group: electrons} for the ground multiplet

    @property
    def g(self) -> GTensor | None:
        """The ground multiplet's g tensor (None when SINGLE_ANISO printed none)."""
        return self.multiplets[0].g if self.multiplets else None

    @property
    def cf_parameters(self) -> CrystalField | None:
        """The ground multiplet's ESO crystal-field parameters (None when SINGLE_ANISO printed none)."""
        return self.multiplets[0].cf_parameters if self.multiplets else None

    def so_states(self):
        """The ground multiplet's SO states (:class:`adatom_wf.analysis.spectrum.MagneticStates`) rebuilt from the
        stored L and S, as ``adatom-wf spectrum STORE --state LABEL`` uses them."""
        from adatom_wf.analysis.stored import stored_states

        return stored_states(self.store_path, self.name)

    def spectrum(self, **options):
        """:func:`adatom_wf.analysis.spectrum.analyse_spectrum` of :meth:`so_states` (its keyword options:
        ``main_axis``, ``tunnel_threshold_cm1``, ``transverse_g_threshold``, ``degeneracy_tolerance_cm1``,
        ``moment_convention``): levels, doublets, U_eff, the relaxation path, transition moments."""
        from adatom_wf.analysis.stored import stored_analysis

        return stored_analysis(self.store_path, self.name, **options)

    def magnetisation(self, field_t, temperature_k, *, direction=None, powder_points="auto") -> Magnetisation:
        """M(B, T) in μB of the stored ground multiplet (exact diagonalisation in the field): along ``direction``
        (x, y, z in the cluster frame), or powder-averaged: ``"auto"`` refines Gauss–Legendre grids about the main
        axis to 1e-5 of max |M| (as ``adatom-wf magnetisation``), a number uses that Lebedev grid."""
        from adatom_wf.analysis.magnetism import (
            adaptive_powder_magnetisation_mub,
            magnetisation_mub,
            powder_magnetisation_mub,
        )

        states = self.so_states()
        fields, temperatures = _array(field_t), _array(temperature_k)
        if direction is None:
            if powder_points == "auto":
                values, convergence = adaptive_powder_magnetisation_mub(states, fields, temperatures)
                return Magnetisation(fields, temperatures, _array(values), None, convergence.n_points)
            values = powder_magnetisation_mub(states, fields, temperatures, n_points=powder_points)
            return Magnetisation(fields, temperatures, _array(values), None, powder_points)
        values = magnetisation_mub(states, fields, temperatures, [direction])[0]
        return Magnetisation(fields, temperatures, _array(values), _array(direction), None)


def _common(record: dict) -> dict:
    name = record.get("site") if record["kind"] in DFT_KINDS else record.get("label")
    return {"key": record["key"], "kind": record["kind"], "name": name or record["key"].split("/", 1)[-1],
            "path": record["path"], "status": record["status"], "failure": record.get("failure"),
            "warnings": tuple(record.get("warnings") or ())}


def _vasp(record: dict) -> DftRun:
    structure = record.get("final_structure") or {}
    return DftRun(**_common(record), energy_ev=record.get("energy_ev"),
                   energy_sigma0_ev=record.get("energy_sigma0_ev"),
                   adatom_height_angstrom=record.get("adatom_height_angstrom"), converged=record.get("converged"),
                   ionic_steps=record.get("ionic_steps"),
                   largest_energy_rise_ev=record.get("largest_energy_rise_ev"),
                   layer_buckling_angstrom=record.get("layer_buckling_angstrom"),
                   relaxation_flags=tuple(record.get("relaxation_flags") or ()),
                   symbols=tuple(structure.get("symbols") or ()),
                   cell_angstrom=_array(structure.get("cell_angstrom")),
                   positions_angstrom=_array(structure.get("positions_angstrom")))


def _molcas(record: dict, store_path: Path) -> MolcasRun:
    multiplets = tuple(
        Multiplet(m["index"], m["size"], m["pseudospin"], GTensor(_array(m["g_main"]), _array(m["g_axes"])),
                  _array(m["energies_cm1"]), CrystalField.from_record(m["cf_parameters"]), _configuration(m))
        for m in record.get("multiplets") or [])
    rasscf = tuple(RasscfRoots(r["multiplicity"], _array(r["root_energies_hartree"]), r["converged"], r["iterations"],
                               _array([[o["electrons"] for o in root] for root in r["occupations"]])
                               if r.get("occupations") else None)
                   for r in record.get("rasscf") or [])
    crystal = record.get("crystal_field_j")
    rows = record.get("doublets") or []
    doublets = Doublets(*(_array([d[key] for d in rows]) for key in
                          ("energy_cm1", "tunnel_splitting_cm1", "g_main", "g_principal", "jz_abs"))) if rows else None
    spectrum = record.get("spectrum")
    stored = StoredSpectrum(_array(spectrum["levels_cm1"]), _array(spectrum["jz"]), _array(spectrum["main_axis"]),
                            bool(spectrum["kramers"]), spectrum.get("e_zfs_cm1"), spectrum.get("e_mab_cm1"),
                            spectrum.get("u_eff_cm1")) if spectrum else None
    return MolcasRun(**_common(record), store_path=store_path, rasscf=rasscf,
                     so_energies_cm1=_array(record.get("so_energies_cm1")), multiplets=multiplets,
                     crystal_field_j=CrystalField.from_record(crystal["cf_parameters"]) if crystal else None,
                     crystal_field_j_value=crystal["j"] if crystal else None, doublets=doublets,
                     stored_spectrum=stored, orbital_groups=tuple(record.get("orbital_groups") or ()),
                     expected_configuration=record.get("expected_configuration"))


def _configuration(multiplet: dict) -> Configuration | None:
    if not multiplet.get("occupations"):
        return None
    return Configuration(tuple(o["character"] for o in multiplet["occupations"]),
                         _array([o["electrons"] for o in multiplet["occupations"]]),
                         _array([w["multiplicity"] for w in multiplet["spin_weights"]], dtype=int),
                         _array([w["weight"] for w in multiplet["spin_weights"]]))


@dataclass(frozen=True)
class Store:
    """A results store (``adatom-wf parse``) read into records: :attr:`runs`, :meth:`molcas`, :meth:`vasp`."""

    path: Path
    schema_version: int
    producer: str
    study: str | None
    study_sha256: str | None
    runs: tuple

    def molcas(self, label: str) -> MolcasRun:
        """The OpenMolcas run of oxidation state ``label`` (e.g. "Tb3+")."""
        return self._find("molcas", label)

    def vasp(self, site: str) -> DftRun:
        """The VASP run of adsorption site ``site`` (e.g. "hollow")."""
        return self._find("vasp", site)

    def gpaw(self, site: str) -> DftRun:
        """The GPAW relaxation of adsorption site ``site``: the same fields as a VASP run (kind "gpaw")."""
        return self._find("gpaw", site)

    @property
    def states(self) -> list[str]:
        """The labels of the stored OpenMolcas runs, in the store's order."""
        return [run.name for run in self.runs if run.kind == "molcas"]

    def _find(self, kind: str, name: str):
        for run in self.runs:
            if run.kind == kind and run.name == name:
                return run
        stored = ", ".join(run.name for run in self.runs if run.kind == kind) or "none"
        raise StoreError(f"{self.path} has no {kind} run {name!r} (stored: {stored})")


def open_store(path) -> Store:
    """Read the results store at ``path`` (StoreError for a missing, foreign or newer file)."""
    from adatom_wf.store import read_store

    path = Path(path)
    data = read_store(path)
    runs = tuple(_vasp(r) if r["kind"] in DFT_KINDS else _molcas(r, path) for r in data["runs"])
    return Store(path, data["schema_version"], data["producer"], data["study"], data["study_sha256"], runs)


def load_study(study):
    """The validated :class:`adatom_wf.spec.Study` of a study file, or of a bundled study's name."""
    from adatom_wf.spec import load_study as load

    return load(study)
