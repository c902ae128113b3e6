"""SINGLE_ANISO's ASCII interface files: the SO energies, spin and magnetic moment of every SO state.

SINGLE_ANISO (OpenMolcas 22.10, ``src/aniso_util/write_formatted_aniso.F90`` and
``write_new_formatted_aniso.F90``; unchanged in the 26.x sources) writes two ASCII files beside the binary
``$Project.aniso`` (a direct-access file, not read here); pymolcas copies them to the submit directory as
``$Project.old.aniso`` (``ANISOINPUT``) and ``$Project.aniso`` (``ANISOFILE``). Both are recognised by their
content, whatever their names:

* the "old" format (SINGLE_ANISO's restart options 2 and 4, the molcas-8.0 ``aniso.input`` of OpenMolcas's own
  test ``additional/459``)::

          12        74                                         nstate, nss
        0.00000000000000E+00    0.00000000000000E+00 ...       nss SO energies, cm-1 above the lowest
           7   7   7   7   7   7   7   5   5   5   5   5       nstate spin multiplicities
        ...                                                    <i|M_a|j> then <i|S_a|j>, a = x, y, z: nss rows
                                                               of nss (re, im) pairs each (then data not read)

* the "new" format (restart option 6), keyword sections::

        # OPENMOLCAS interface to ANISO
        $source
        VERSION v22.10 ?
        $nss
        74
        $eso                                                   absolute SO energies, Hartree
        74
         -1.16973284558792E+04 ...
        $magn_xr / $magn_xi ... $spin_zi                       nss x nss, after a "74 74" line

M is the magnetic moment in Bohr magnetons, M = -(L + g_e S), and S the spin, in the basis of the SO states
(checked on a real 22.10 run: S obeys [S_x, S_y] = i S_z, and L = -M - g_e S has the same traces as the L
rebuilt from that run's rassi.h5; tests/molcas/fixtures/run_tbfree/PROVENANCE.md).
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from adatom_wf.analysis.units import HARTREE_CM1
from adatom_wf.errors import ParseError

NEW_HEADER = b"# OPENMOLCAS interface to ANISO"


@dataclass(frozen=True)
class AnisoStates:
    """Every SO state of the file: energies (cm⁻¹ above the lowest, in the file's order, ascending), the spin
    multiplicity of each spin-free state, and M, S (3, n, n) complex."""

    energies_cm1: np.ndarray
    multiplicities: list
    magnetic_moment: np.ndarray
    spin: np.ndarray
    file_format: str  # "old" or "new"
    molcas_version: str | None


def _head(path: Path) -> bytes:
    with open(path, "rb") as handle:
        return handle.read(512)


def aniso_format(path) -> str | None:
    """``"new"`` or ``"old"`` when ``path`` looks like one of SINGLE_ANISO's ASCII files, else None."""
    try:
        head = _head(Path(path))
    except OSError:
        return None
    if head.startswith(NEW_HEADER):
        return "new"
    if b"\0" in head:
        return None
    lines = head.split(b"\n")
    if len(lines) < 3:
        return None
    first, second = lines[0].split(), lines[1].split()
    if len(first) != 2 or not all(word.isdigit() for word in first) or not second:
        return None
    nstate, nss = int(first[0]), int(first[1])
    if not 1 <= nstate <= nss:
        return None
    try:
        [float(word) for word in second]
    except ValueError:
        return None
    return "old" if all(b"." in word and b"E" in word.upper() for word in second) else None


def read_aniso(path) -> AnisoStates:
    """The SO states of a SINGLE_ANISO ASCII file; ParseError naming the file and the block if it is cut or
    malformed."""
    path = Path(path)
    kind = aniso_format(path)
    try:
        text = path.read_text(errors="replace")
    except OSError as error:
        raise ParseError(f"{path.name}: cannot be read ({error})") from None
    if kind == "new":
        return _read_new(text, path.name)
    if kind == "old":
        return _read_old(text, path.name)
    raise ParseError(f"{path.name}: not a SINGLE_ANISO ASCII file (expected '# OPENMOLCAS interface to ANISO' or "
                     "the 'nstate nss' line of the old format)")


def _numbers(words, count: int, source: str, what: str) -> np.ndarray:
    if len(words) < count:
        raise ParseError(f"{source}: {what}: {len(words)} numbers, expected {count} (the file is cut?)")
    try:
        values = np.array(words[:count], dtype=float)
    except ValueError:
        bad = next(w for w in words[:count] if not _is_float(w))
        raise ParseError(f"{source}: {what}: {bad!r} is not a number") from None
    if not np.all(np.isfinite(values)):
        raise ParseError(f"{source}: {what}: holds NaN or infinite values")
    return values


def _is_float(word: str) -> bool:
    try:
        float(word)
    except ValueError:
        return False
    return True


def _read_old(text: str, source: str) -> AnisoStates:
    words = text.split()
    nstate, nss = (int(w) for w in words[:2])
    at = 2
    energies = _numbers(words[at:], nss, source, "SO energies")
    at += nss
    multiplicities = _numbers(words[at:], nstate, source, "spin multiplicities").astype(int)
    at += nstate
    matrices = []
    for what in ("magnetic moment", "spin"):
        values = _numbers(words[at:], 3 * nss * nss * 2, source, f"{what} matrices (3 x {nss} x {nss} complex)")
        at += values.size
        pairs = values.reshape(3, nss, nss, 2)
        matrices.append(pairs[..., 0] + 1j * pairs[..., 1])
    _check(multiplicities, nss, source)
    return AnisoStates(energies - energies.min(), multiplicities.tolist(), matrices[0], matrices[1], "old", None)


def _sections(text: str) -> dict:
    sections = {}
    for chunk in ("\n" + text).split("\n$")[1:]:
        title, _, body = chunk.partition("\n")
        words = title.split()
        if words:
            sections[words[0].lower()] = body.split()
    return sections


def _section(sections: dict, name: str, source: str) -> list:
    if name not in sections:
        raise ParseError(f"{source}: no ${name} section (expected in a SINGLE_ANISO 'OPENMOLCAS interface to ANISO' "
                         "file)")
    return sections[name]


def _read_new(text: str, source: str) -> AnisoStates:
    sections = _sections(text)
    version: str | None = None
    for line in text[:2000].splitlines():
        if line.startswith("VERSION"):
            version = next(iter(line.split()[1:]), None)
    nss = int(_numbers(_section(sections, "nss", source), 1, source, "$nss")[0])
    nstate = int(_numbers(_section(sections, "nstate", source), 1, source, "$nstate")[0])
    if not 1 <= nstate <= nss:
        raise ParseError(f"{source}: $nss {nss} and $nstate {nstate} are inconsistent")
    multiplicity = _section(sections, "multiplicity", source)
    multiplicities = _numbers(multiplicity, nstate + 1, source, "$multiplicity")[1:].astype(int)
    eso = _numbers(_section(sections, "eso", source), nss + 1, source, "$eso")[1:]

    def matrix(name: str) -> np.ndarray:
        words = _section(sections, name, source)
        values = _numbers(words, nss * nss + 2, source, f"${name} ({nss} x {nss})")
        if values[0] != nss or values[1] != nss:
            raise ParseError(f"{source}: ${name} is {int(values[0])} x {int(values[1])}, expected {nss} x {nss}")
        return values[2:].reshape(nss, nss)

    moment = np.array([matrix(f"magn_{a}r") + 1j * matrix(f"magn_{a}i") for a in "xyz"])
    spin = np.array([matrix(f"spin_{a}r") + 1j * matrix(f"spin_{a}i") for a in "xyz"])
    _check(multiplicities, nss, source)
    return AnisoStates((eso - eso.min()) * HARTREE_CM1, multiplicities.tolist(), moment, spin, "new", version)


def _check(multiplicities: np.ndarray, nss: int, source: str) -> None:
    if multiplicities.min() < 1 or int(multiplicities.sum()) != nss:
        raise ParseError(f"{source}: spin multiplicities {multiplicities.tolist()} do not add up to the {nss} SO "
                         "states")
