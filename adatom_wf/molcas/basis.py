"""Basis-set names checked against OpenMolcas's basis library, when one is installed.

OpenMolcas resolves ``Tb.ANO-RCC-VTZP`` through ``basis_library/basis.tbl`` (aliases such as
``Tb.ANO-rcc-VTZP  Tb.ANO-rcc...8s7p5d3f2g1h.``) or through a library file named after the family
(``CC-PVDZ`` holding ``/C.cc-pVDZ....``); names are case-insensitive. Where the library is looked for:
``$MOLCAS/basis_library``, then Debian's ``/usr/share/openmolcas/basis_library``. No library, no check.
"""

import os
from pathlib import Path

from adatom_wf.errors import SpecError

DEBIAN_LIBRARY = Path("/usr/share/openmolcas/basis_library")


def basis_library_dir() -> Path | None:
    """The installed basis library, or None (looked up when called, never at import)."""
    candidates = []
    if os.environ.get("MOLCAS"):
        candidates.append(Path(os.environ["MOLCAS"]) / "basis_library")
    candidates.append(DEBIAN_LIBRARY)
    for path in candidates:
        if (path / "basis.tbl").is_file():
            return path
    return None


def known_basis(library: Path, element: str, name: str) -> bool:
    wanted = f"{element}.{name}".lower()
    for line in (library / "basis.tbl").read_text(errors="replace").splitlines():
        fields = line.split()
        if fields and not fields[0].startswith("#") and fields[0].lower() == wanted:
            return True
    family = library / name.upper()
    if family.is_file():
        prefix = f"/{element}.{name}.".lower()
        with open(family, errors="replace") as handle:
            return any(line.lower().startswith(prefix) for line in handle)
    return False


def check_basis(basis: dict[str, str], elements, library: Path | None) -> None:
    """Raise SpecError naming the first basis set the library does not know (no library: no check)."""
    if library is None:
        return
    for element in elements:
        name = basis[element]
        if not known_basis(library, element, name):
            options = sorted(
                line.split()[0].split(".", 1)[1]
                for line in (library / "basis.tbl").read_text(errors="replace").splitlines()
                if line.split() and line.split()[0].lower().startswith(f"{element.lower()}.ano-rcc")
            )
            hint = f"; for {element} it has e.g. {', '.join(options)}" if options else ""
            raise SpecError(f"molcas.basis: OpenMolcas's basis library ({library}) has no basis {name!r} for "
                            f"{element}{hint}")
