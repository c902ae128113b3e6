"""Reading a structure file: the one reader of supercells, relaxed CONTCARs and carved clusters."""

import hashlib
from pathlib import Path

import ase.io
from ase import Atoms

from adatom_wf.errors import StructureError


def read_structure(path: str | Path, format: str | None = None) -> tuple[Atoms, str]:
    """The last image of an ASE-readable structure file and the file's sha256.

    Names containing POSCAR or CONTCAR are read as VASP structures; vasprun.xml, OUTCAR, extended XYZ
    and the other formats ASE knows are recognised by ASE (``format`` names one). Anything unreadable is
    a :class:`StructureError` naming the file and why.
    """
    path = Path(path)
    if not path.is_file():
        raise StructureError(f"structure file {path} {'is not a file' if path.exists() else 'not found'}")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise StructureError(f"{path}: cannot read the structure file ({error.strerror})") from None
    name = path.name.upper()
    if format is None and ("POSCAR" in name or "CONTCAR" in name):
        format = "vasp"
    try:
        found = ase.io.read(path, index=-1, format=format)
    except Exception as error:  # ASE raises many kinds for a malformed or unknown file
        reason = " ".join(str(error).split())
        if type(error).__name__ == "UnknownFileTypeError":
            reason = "ASE cannot tell its format; name it POSCAR, CONTCAR, vasprun.xml or OUTCAR, or use extended XYZ"
        raise StructureError(f"{path}: not a readable structure file ({reason or type(error).__name__})") from None
    atoms = (found[-1] if found else None) if isinstance(found, list) else found
    if atoms is None or len(atoms) == 0:
        raise StructureError(f"{path}: the structure file holds no atoms")
    return atoms, hashlib.sha256(data).hexdigest()
