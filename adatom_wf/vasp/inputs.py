"""VASP inputs of one adsorption site, built with pymatgen's VASP I/O classes.

:func:`vasp_inputs` is pure: study + site structure -> file name -> text. The POTCAR is assembled from
the user's licensed library (``--potcar-dir`` or ``PMG_VASP_PSP_DIR``); without a library a
``POTCAR.spec`` lists the potentials to fetch. INCAR = the preset ``presets/vasp_relax.yaml``
overridden by the study's ``dft.incar``.
"""

import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import cast

import yaml
from pymatgen.core import Structure
from pymatgen.io.vasp.inputs import POTCAR_FUNCTIONAL_MAP, Incar, Kpoints, Poscar, Potcar, PotcarSingle

from adatom_wf.errors import PotcarError
from adatom_wf.layout import site_dir
from adatom_wf.spec import Study
from adatom_wf.structure.sites import SiteStructure, build_site

# Files whose presence means VASP has run in a site directory: its inputs are then never changed.
VASP_RESULTS = ("OUTCAR", "vasprun.xml", "CONTCAR", "OSZICAR")


@dataclass(frozen=True)
class VaspInputs:
    files: dict[str, str]
    potcar_symbols: list[str]
    potcar_written: bool


def incar_parameters(study: Study, site: str) -> dict:
    """The preset INCAR, overridden by the study, with SYSTEM naming the study and site."""
    preset = yaml.safe_load(resources.files("adatom_wf.presets").joinpath("vasp_relax.yaml").read_text())
    return {**preset, **study.dft.incar, "SYSTEM": f"{study.name} {site}"}


def potcar_library(potcar_dir: str | None) -> Path | None:
    """The POTCAR library: ``--potcar-dir``, else ``PMG_VASP_PSP_DIR`` (environment or .pmgrc.yaml)."""
    if potcar_dir is None:
        from pymatgen.core import SETTINGS

        potcar_dir = os.environ.get("PMG_VASP_PSP_DIR") or SETTINGS.get("PMG_VASP_PSP_DIR")
        if not potcar_dir:
            return None
    library = Path(potcar_dir).expanduser()
    if not library.is_dir():
        raise PotcarError(f"POTCAR library {library} is not a directory (set --potcar-dir or PMG_VASP_PSP_DIR)")
    return library


def find_potcar(library: Path, functional: str, symbol: str) -> Path:
    """A potential's file in the layouts pymatgen and VASP use, or a PotcarError listing what was tried."""
    subdir = POTCAR_FUNCTIONAL_MAP[functional]
    candidates = [
        library / subdir / f"POTCAR.{symbol}",
        library / subdir / f"POTCAR.{symbol}.gz",
        library / subdir / symbol / "POTCAR",
        library / symbol / "POTCAR",
        library / f"POTCAR.{symbol}",
        library / f"POTCAR.{symbol}.gz",
    ]
    for path in candidates:
        if path.is_file():
            return path
    raise PotcarError(
        f"POTCAR library {library} has no {functional} potential {symbol!r} "
        f"(looked for {subdir}/POTCAR.{symbol}[.gz], {subdir}/{symbol}/POTCAR, {symbol}/POTCAR)"
    )


def assemble_potcar(library: Path, functional: str, symbols: list[str]) -> str:
    potcar = Potcar(functional=functional)
    for symbol in symbols:
        path = find_potcar(library, functional, symbol)
        try:
            single = PotcarSingle.from_file(path)
        except Exception as error:  # pymatgen raises assorted errors on a malformed file
            raise PotcarError(f"{path} is not a readable POTCAR ({error})") from None
        if single.symbol != symbol:
            raise PotcarError(f"{path} holds the potential {single.symbol!r}, not {symbol!r}")
        potcar.append(single)
    return str(potcar)


def vasp_inputs(study: Study, structure: SiteStructure, library: Path | None) -> VaspInputs:
    """POSCAR, INCAR, KPOINTS and POTCAR (or POTCAR.spec) of one site, as text."""
    atoms = structure.atoms
    pmg_structure = Structure(
        atoms.cell.array, atoms.get_chemical_symbols(), atoms.positions, coords_are_cartesian=True
    )
    n, m = study.substrate.supercell
    comment = f"{study.name} {structure.site}: {study.adatom} on {n}x{m} graphene, {structure.height_angstrom:g} A"
    poscar = Poscar(pmg_structure, comment=comment)
    species = [str(s) for s in poscar.site_symbols]
    potcar_map = study.potcar_symbols()
    symbols = [potcar_map[element] for element in species]
    kpoints_style = study.dft.kpoints.style
    grid = cast("tuple[int, int, int]", tuple(study.dft.kpoints.grid))  # the study's three divisions
    kpoints = Kpoints.gamma_automatic(grid) if kpoints_style == "gamma" else Kpoints.monkhorst_automatic(grid)
    files = {
        "POSCAR": poscar.get_str(significant_figures=10),
        "INCAR": Incar(incar_parameters(study, structure.site)).get_str(sort_keys=True),
        "KPOINTS": str(kpoints),
    }
    if library is None:
        files["POTCAR.spec"] = "".join(f"{symbol}\n" for symbol in symbols)
    else:
        files["POTCAR"] = assemble_potcar(library, study.dft.potcar_functional, symbols)
    return VaspInputs(files=files, potcar_symbols=symbols, potcar_written=library is not None)


def site_files(study: Study, site: str, library: Path | None) -> tuple[dict[str, bytes], dict]:
    """The input files of one site keyed by path relative to runs/<study> (``dft/<site>/INCAR`` …), and the
    site's record for the manifest (structure metadata and potentials)."""
    structure = build_site(study, site)
    inputs = vasp_inputs(study, structure, library)
    files = {f"{site_dir(site)}/{name}": text.encode() for name, text in inputs.files.items()}
    return files, {**structure.metadata(), "potcars": inputs.potcar_symbols}
