"""One typed record per run kind, declared once as a field table (cclib's ``ccData._attributes``).

Each :class:`Field` names a record key (the JSON key of ``show --json``), where the store keeps it in the run's
group (``@name``: an attribute; ``name``: a dataset; ``name/``: a sub-group the store writes with its own code), its
units and description (the dataset's attributes) and which files fill it. The record classes are made from the
tables: a reader fills one (an unknown key is refused, so no scratch key can reach the store), :mod:`adatom_wf.store`
writes and reads it field by field, and tests/test_records.py checks docs/results.md against the tables.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, make_dataclass
from typing import TYPE_CHECKING, Any, ClassVar, cast

import numpy as np

# How the store keeps a field (adatom_wf.store):
ATTRIBUTE = "attribute"  # a string attribute; None is written "" and read back None
JSON = "json"  # a JSON attribute, always written (None as the field's empty value)
JSON_IF_SET = "json if set"  # a JSON attribute written only when not None
DATASET = "dataset"  # a scalar dataset with units and description, written only when not None
GROUP = "group"  # a sub-group (or datasets under one) written and read by the store's own code


@dataclass(frozen=True)
class Field:
    key: str
    storage: str
    path: str  # in the run's group: "@attr", "dataset", "group/…"
    units: str = ""
    description: str = ""
    sources: str = ""
    empty: object = None  # the value of a run that does not have it (a factory for lists and dicts)

    @property
    def name(self) -> str:
        """The attribute or dataset name in the run's group."""
        return self.path.lstrip("@")

    def empty_value(self) -> object:
        return self.empty() if callable(self.empty) else self.empty


def _common(*, cross_checks: bool) -> tuple[Field, ...]:
    common: tuple[Field, ...] = (
        Field("kind", ATTRIBUTE, "@kind", description="the program: vasp, gpaw or molcas", sources="the reader"),
        Field("path", ATTRIBUTE, "@path", description="the run directory as parsed", sources="the reader"),
        Field("status", ATTRIBUTE, "@status", description="ok or failed", empty="ok",
              sources="the program's verdict (vasp/verdict.py, gpaw/results.py, molcas/verdict.py)"),
        Field("failure", ATTRIBUTE, "@failure", description="why the run failed (one line naming the file), or null",
              sources="the verdict, or the reader that could not read a file"),
        Field("sources", JSON, "@sources", description="every file a number was read from, with its sha256",
              empty=dict, sources="the reader"),
        Field("warnings", JSON, "@warnings", description="what the run lacks or what was assumed", empty=list,
              sources="the reader"),
    )
    if cross_checks:
        common += (Field("cross_checks", JSON, "@cross_checks", empty=list,
                         description="numbers read from two files and compared: quantity, files, max_deviation, "
                                     "tolerance", sources="the reader"),)
    return common


# The relaxation's checks (adatom_wf.structure.relaxation_check), VASP and GPAW alike. Absent from stores written
# before issue 36: read back as None and [].
CHECK_FIELDS = (
    Field("largest_energy_rise_ev", DATASET, "largest_energy_rise", "eV",
          "largest change of the free energy from one ionic step to the next (> 0: a step went uphill; < 0: every "
          "step went down)", "every ionic step's F: vasprun.xml or OUTCAR; relax.traj"),
    Field("energy_rise_step", DATASET, "energy_rise_step", "1",
          "the ionic step of largest_energy_rise (0: the start structure)", "as largest_energy_rise_ev"),
    Field("layer_buckling_angstrom", DATASET, "layer_buckling", "angstrom",
          "span of the substrate layer along its normal in the final structure", "the final structure"),
    Field("relaxation_flags", JSON, "@relaxation_flags", empty=list,
          description="one sentence per failed check (a step uphill by more than 0.05 eV, a layer spanning more "
                      "than 0.25 Å)", sources="the checks above"),
)
_FINAL_STRUCTURE = Field("final_structure", GROUP, "final_structure/", "angstrom",
                         "cell (rows), Cartesian positions and symbols of the final structure (attribute source)",
                         "CONTCAR, else vasprun.xml or OUTCAR (VASP); CONTCAR or relax.traj (GPAW)")
_DFT_START = (
    Field("site", ATTRIBUTE, "@site", description="the adsorption site (hollow, top, bridge) the folder names",
          sources="the folder name"),
)
_DFT_HEIGHT = (
    Field("adatom", ATTRIBUTE, "@adatom", description="the adatom's element", sources="the study, else the structure"),
    Field("adatom_height_angstrom", DATASET, "adatom_height", "angstrom",
          "height of the adatom above the mean substrate plane", "the final structure"),
    Field("structure_source", ATTRIBUTE, "@structure_source",
          description="the file the final structure was read from", sources="the reader"),
)
VASP_RECORD = (
    *_common(cross_checks=False), *_DFT_START,
    Field("vasp_version", ATTRIBUTE, "@vasp_version", description="VASP's version", sources="vasprun.xml, OUTCAR"),
    Field("energy_ev", DATASET, "energy", "eV", "final free energy F (TOTEN) of the last ionic step",
          "vasprun.xml, else OUTCAR"),
    Field("energy_sigma0_ev", DATASET, "energy_sigma0", "eV",
          "energy(sigma->0) of the last electronic step of the last ionic step", "vasprun.xml, else OUTCAR"),
    Field("ionic_steps", DATASET, "ionic_steps", "1", "number of ionic steps", "vasprun.xml, else OUTCAR"),
    Field("natoms", DATASET, "natoms", "1", "number of atoms in the final structure", "the final structure"),
    Field("converged", DATASET, "converged", "bool", "electronic and ionic convergence (forces below |EDIFFG|)",
          "vasprun.xml, else OUTCAR"),
    Field("max_force_ev_per_angstrom", DATASET, "max_force", "eV/angstrom",
          "largest force on an atom in the final structure", "vasprun.xml, else OUTCAR"),
    Field("ediffg", DATASET, "ediffg", "eV/angstrom (<0) or eV (>0)", "EDIFFG of the run", "vasprun.xml, OUTCAR"),
    Field("nsw", DATASET, "nsw", "1", "NSW of the run (maximum ionic steps)", "vasprun.xml, OUTCAR"),
    *_DFT_HEIGHT, _FINAL_STRUCTURE, *CHECK_FIELDS,
)
_VASP = {f.key: f for f in VASP_RECORD}
# A GPAW relaxation: the VASP record's fields, its own criterion instead of EDIFFG/NSW.
GPAW_RECORD = (
    *_common(cross_checks=False),
    Field("program", ATTRIBUTE, "@program", description="gpaw", sources="relax.json"),
    *_DFT_START,
    Field("gpaw_version", ATTRIBUTE, "@gpaw_version", description="GPAW's version", sources="relax.json, gpaw.txt"),
    Field("energy_ev", DATASET, "energy", "eV", "final free energy F of the last ionic step (GPAW's 'Free energy')",
          "relax.traj, relax.json"),
    Field("energy_sigma0_ev", DATASET, "energy_sigma0", "eV",
          "energy of the last ionic step extrapolated to zero smearing width (GPAW's 'Extrapolated')",
          "relax.json, gpaw.txt"),
    _VASP["ionic_steps"], _VASP["natoms"],
    Field("converged", DATASET, "converged", "bool",
          "the optimiser brought every force below fmax within max_steps", "relax.json"),
    _VASP["max_force_ev_per_angstrom"],
    Field("fmax_ev_per_angstrom", DATASET, "fmax", "eV/angstrom", "force criterion of the optimiser", "relax.json"),
    Field("max_steps", DATASET, "max_steps", "1", "maximum ionic steps of the optimiser", "relax.json"),
    *_DFT_HEIGHT, _FINAL_STRUCTURE, *CHECK_FIELDS,
)
MOLCAS_RECORD = (
    *_common(cross_checks=True),
    Field("label", ATTRIBUTE, "@label", description="the oxidation state (Tb3+) or the folder name",
          sources="the study, else the folder"),
    Field("project", ATTRIBUTE, "@project", description="OpenMolcas's $Project", sources="the log's name"),
    Field("molcas_version", ATTRIBUTE, "@molcas_version", description="OpenMolcas's version", sources="the log"),
    Field("orbital_start", ATTRIBUTE, "@orbital_start", description="where the first RASSCF started",
          sources="status.json of adatom-wf's molcas node"),
    Field("convergence", ATTRIBUTE, "@convergence", description="converged, after rescue, or not",
          sources="status.json"),
    Field("rasscf_attempts", JSON, "@rasscf_attempts", empty=list,
          description="each attempt of the rescue ladder: settings, status, RASSCF runs", sources="status.json"),
    Field("orbital_groups", JSON_IF_SET, "@orbital_groups",
          description="the active-orbital groups of the occupations", sources="the study, else the orbital count"),
    Field("expected_configuration", JSON_IF_SET, "@expected_configuration",
          description="the study's electrons per group for the ground multiplet", sources="the study"),
    Field("rasscf", GROUP, "rasscf/", "Eh", "root energies, convergence, iterations and occupations of each RASSCF",
          "the rasscf h5 holding its roots, else the log", empty=list),
    Field("so_energies_cm1", GROUP, "spin_orbit/energies", "cm^-1", "all SO states above the lowest",
          "rassi.h5, else SINGLE_ANISO's ASCII file, else its log", empty=list),
    Field("multiplets", GROUP, "single_aniso/", "1", "SINGLE_ANISO's multiplets: g, axes, energies, ESO parameters",
          "the log", empty=list),
    Field("crystal_field_j", GROUP, "crystal_field_j/", "cm^-1", "crystal field of the ground J multiplet (CRYS)",
          "the log"),
    Field("doublets", GROUP, "doublets/", "", "the ground multiplet's doublets", "the analysis of the SO states",
          empty=list),
    Field("spectrum", GROUP, "spectrum/", "", "levels, ⟨Jz⟩, main axis, E_ZFS, E_MAB, U_eff, Kramers check, L, S",
          "the analysis of the SO states"),
)
TABLES = {"vasp": VASP_RECORD, "gpaw": GPAW_RECORD, "molcas": MOLCAS_RECORD}

# The tables of the sub-groups: record key -> (dataset, units, description)
DOUBLET_FIELDS = {
    "energy_cm1": ("energy", "cm^-1", "mean energy of the doublet above the lowest SO state"),
    "tunnel_splitting_cm1": ("tunnel_splitting", "cm^-1", "energy difference of the doublet's two states"),
    "g_main": ("g_main", "1", "largest principal g of the doublet as a pseudospin 1/2"),
    "g_principal": ("g_principal", "1", "principal g values of the doublet, ascending (n_doublets x 3)"),
    "jz_abs": ("jz_abs", "hbar", "|<J_n>| of the doublet's states along the main axis"),
}
SPECTRUM_FIELDS = {
    "levels_cm1": ("levels", "cm^-1", "SO levels of the ground multiplet above the lowest"),
    "jz": ("jz", "hbar", "signed <J_n> of each level along the main axis (doublets diagonalised in J_n)"),
    "main_axis": ("main_axis", "1", "unit vector of the main (quantisation) axis in the cluster frame"),
}


class Record(Mapping[str, Any]):
    """A run's record: a dataclass of its kind's fields, and a mapping of them (what ``show --json`` prints), so
    ``record["status"]`` reads a field and ``record["status"] = …`` sets one; a key its table lacks is refused."""

    if TYPE_CHECKING:  # what make_dataclass gives each record class (_record_class), for the type checker only
        __dataclass_fields__: ClassVar[dict[str, Any]]

        def __init__(self, **values: Any) -> None: ...

    def __getitem__(self, key: str) -> Any:
        if key not in self.__dataclass_fields__:
            raise KeyError(f"{type(self).__name__} has no field {key!r}")
        return getattr(self, key)

    def __setitem__(self, key: str, value: Any) -> None:
        if key not in self.__dataclass_fields__:
            raise KeyError(f"{type(self).__name__} has no field {key!r} (the fields: adatom_wf/records.py)")
        setattr(self, key, value)

    def __iter__(self) -> Iterator[str]:
        return iter(self.__dataclass_fields__)

    def __len__(self) -> int:
        return len(self.__dataclass_fields__)

    def update(self, values: dict[str, Any] | None = None, /, **more: Any) -> None:
        for key, value in {**(values or {}), **more}.items():
            self[key] = value

    def as_dict(self) -> dict[str, Any]:
        """The JSON-able record (lists and dicts as they are)."""
        return dict(self)


def _record_class(kind: str, table: tuple[Field, ...]) -> type[Record]:
    columns = [(f.key, object, field(default_factory=f.empty_value)) for f in table if f.key != "kind"]
    cls = cast("type[Record]", make_dataclass(f"{kind.capitalize()}Record",
                                              [("kind", str, field(default=kind)), *columns], bases=(Record,), eq=True))
    cls.__doc__ = f"The record of a {kind} run (fields: adatom_wf.records.{kind.upper()}_RECORD)."
    return cls


if TYPE_CHECKING:  # the made classes, as the type checker sees them (fields by key: Record's __getitem__)
    class VaspRecord(Record): ...
    class GpawRecord(Record): ...
    class MolcasRecord(Record): ...
else:
    VaspRecord = _record_class("vasp", VASP_RECORD)
    GpawRecord = _record_class("gpaw", GPAW_RECORD)
    MolcasRecord = _record_class("molcas", MOLCAS_RECORD)


@dataclass(frozen=True)
class MultipletStates:
    """The SO states of the multiplet a run's spectrum is analysed on (cm⁻¹ above the SO ground; ħ units), as an
    OpenMolcas reader hands them on in :class:`RunResult` (not stored as such: the store keeps their analysis)."""

    energies_cm1: np.ndarray
    angular_momentum: np.ndarray  # (3, n, n) <i|L_a|j>
    spin: np.ndarray  # (3, n, n) <i|S_a|j>
    active_electrons: int  # 0 where the run does not say (a SINGLE_ANISO-only run)
    odd_electrons: bool | None = None  # from the spin multiplicities (even 2S+1: odd electron count)


@dataclass
class RunResult:
    """One parsed run: its typed record, the arrays the store keeps beside it, and, for OpenMolcas, the
    multiplet's SO states that :mod:`adatom_wf.molcas.analysed` analyses (not stored as such)."""

    record: Record
    arrays: dict[str, Any] = field(default_factory=dict)
    states: MultipletStates | None = None
