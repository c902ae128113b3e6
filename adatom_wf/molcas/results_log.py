"""What only the OpenMolcas log has: the version, RASSCF convergence, SINGLE_ANISO's multiplets and CF tables
(and, for a run whose rassi.h5 and ASCII file are gone, SINGLE_ANISO's list of SO energies and its doublets).

One small reader per block, the lines it reads pasted in its docstring (OpenMolcas 22.10, Debian). The
SINGLE_ANISO sources that print "(ESO) as defined in" (OpenMolcas >= 24.10; ``src/aniso_util/g_high_1.F90``,
``g_high.F90`` and the ``print_CFP_*`` routines of ``src/aniso_util``) changed three things in these blocks,
all read here: the ESO header gained a space, B(k,q) and the ITO numbers are written ``ES22.14``
(``-6.07464270595520E+00``) instead of ``E22.14`` (``-0.60746427059552E+01``), and a multiplet of fewer than
10 states lists ``spin-orbit state 1; energy(1)`` instead of ``spin-orbit state 1. energy(1)``. Column
layout, widths and the ``(Knm)^2`` / ``(K)^2`` titles are the same (tests/molcas/fixtures/logs/PROVENANCE.md).

A block that is recognised but cannot be read raises :class:`ParseError` naming the file and the block and
what was expected — never an empty or partial table. A log that ends before a block is printed simply lacks
it (the caller learns from :func:`adatom_wf.molcas.verdict.parse_log` that the module never finished).
"""

import math
import re
import warnings

from adatom_wf.errors import ParseError
from adatom_wf.molcas.log_index import HEADER, LogIndex, index_log, matches_at

# A Fortran real as OpenMolcas prints it: F (-0.000), E22.14 (0.35216457100758E-02), ES22.14
# (3.52164571007580E-03); an E22.14 exponent beyond +-99 loses its "E" (0.12345678901234-100).
NUMBER = r"[-+]?\d+\.\d*(?:[EeDd][-+]?\d+|[-+]\d{3})?"
_NUMBER = re.compile(r"[-+]?\d+\.\d*(?:([EeDd])[-+]?\d+|([-+]\d{3}))?$")  # NUMBER: which exponent it has

# The whole log is searched only once, by .log_index.index_log (the module lines and SINGLE_ANISO's headers);
# inside a block a rare literal is found with str.find and a regex matched there: "---", "::" or "No " are
# everywhere in a log, and a regex that starts with them scans it slowly (bench/bench_parse.py).
_VERSION = re.compile(r"version:\s+(v?\d+\.\d+\S*)")
_RASSCF_STOP = re.compile(r"--- Stop Module: rasscf .*?/rc=(\S+) ---")
SPIN_LINE = re.compile(r"Spin quantum number\s+(\d+(?:\.\d+)?)")  # also the live progress (.follow)
_ROOTS = re.compile(r"Number of root\(s\) required\s+(\d+)")
_ACTIVE_ELECTRONS = re.compile(r"Number of electrons in active shells\s+(\d+)")
# capital C: not "No convergence after"; the count is Fortran I3, so 100 and more follow "after" with no space
_CONVERGED = re.compile(r"Convergence after\s*(\d+) iterations")
_NOT_CONVERGED = re.compile(r"No convergence after\s*(\d+) iterations")
_ROOT = re.compile(r"::\s+RASSCF root number\s+(\d+) Total energy:\s*(\S+)")
_MULTIPLET = re.compile(r"CALCULATION OF PSEUDOSPIN HAMILTONIAN TENSORS FOR THE MULTIPLET\s*(\S+)\s*"
                        r"\(\s*effective S\s*=\s*(\S+?)\s*\)")
_SO_STATE = re.compile(r"spin-orbit state\s*(\d+)\s*[.;]\s*energy\(\s*(\d+)\)\s*=\s*(\S+)\s*cm-1")
# SINGLE_ANISO's list of every SO state it read (src/single_aniso/single_aniso2.F90, format (A,I4,A,F25.14))
_SO_LIST = "LOW-LYING SPIN-ORBIT ENERGIES:"
_SF_LIST = "LOW-LYING SPIN-FREE ENERGIES:"
_SO_LIST_LINE = re.compile(r"ENERGY OF THE SPIN-ORBIT STATE \(\s*(\d+)\) =\s*(\S+)$")
_SO_LIST_WHAT = "SINGLE_ANISO's SO energies (LOW-LYING SPIN-ORBIT ENERGIES)"
# SINGLE_ANISO prints a multiplet's SO energies with three decimals (cm⁻¹): rounding leaves 5e-4.
SO_ENERGY_TOLERANCE_CM1 = 2e-3
_CF_J = re.compile(r"CALCULATION OF CRYSTAL-FIELD PARAMETERS OF THE GROUND ATOMIC MULTIPLET J\s*=\s*(\S+?)\.?[ \t]*$",
                   re.M)

_G_HEADER = "g TENSOR:"
_G_ROW = re.compile(r"\s*g([XYZ])\s*=\s*(\S+)\s*\|\s*([XYZ])m\s*\|\s*(\S+)\s+(\S+)\s+(\S+)\s*\|\s*$")
_G_ZERO = "Norm of the magnetic moment is zero."
_G_NEGATIVE = "ALL EIGENVALUES OF THE A-TENSOR ARE NEGATIVE"

_ZFS_ESO = re.compile(r"The ZFS Hamiltonian:\s*\n\s*ZFS = SUM_\{k,q\} \* \[ B\(k,q\) \* O\(k,q\) \];")
_CF_ESO = re.compile(r"The Crystal-Field Hamiltonian:\s*\n\s*Hcf = SUM_\{k,q\} \* \[ B\(k,q\) \* O\(k,q\) \];"
                     r"\s*\n\s*where:\s*\n\s*O\(k,q\) =\s+Extended Stevens")
_ESO_HEADER = re.compile(r"O\(k,q\) =\s+Extended Stevens Operators \(ESO\) ?as defined in:")
_ESO_TITLE = re.compile(r"\s*k\s*\|\s*q\s*\|\s*\((Knm|K)\)\^2\s*\|\s*B\(k,q\)\s*\|\s*$")
_ESO_GROUP = re.compile(r"-{4}\|-{5}\|-{13}\|-{23}\|$")
_ESO_CLOSE = re.compile(r"-{48}\|$")
_ESO_ROW = re.compile(r"\s*(\d+)\s*\|\s*(-?\d+)\s*\|\s*(\S+)\s*\|\s*(\S+)\s*\|\s*$")
ZFS_COLUMNS = "k | q | (Knm)^2 | B(k,q)"
CF_COLUMNS = "k | q | (K)^2 | B(k,q)"
MAX_ESO_RANK = 12  # the highest k of OpenMolcas's ESO ("the maximal k implemented in EasySpin")


def number(text: str, source: str, what: str) -> float:
    """A finite Fortran real, else ParseError naming the block."""
    python = _python_real(text)
    if python is None:
        raise ParseError(f"{source}: {what}: {text!r} is not a number")
    value = float(python)
    if not math.isfinite(value):
        raise ParseError(f"{source}: {what}: {python!r} is not a finite number")
    return value


def real(text: str) -> float | None:
    """:func:`number` without the message, for the many numbers of a table: None where it would raise."""
    python = _python_real(text)
    value = float(python) if python is not None else math.nan
    return value if math.isfinite(value) else None


def _python_real(text: str) -> str | None:
    """A Fortran real (NUMBER) spelled for float(), else None."""
    match = _NUMBER.match(text)
    if match is None:
        return None
    if match.group(2):  # E22.14 with a 3-digit exponent lost its "E": 0.12345678901234-100, 0.+404
        return text[:-4] + "E" + text[-4:]
    if match.group(1) in ("D", "d"):
        return text.replace("D", "E").replace("d", "e")
    return text


def molcas_version(text: str) -> str | None:
    """``v22.10`` from the banner line::

                   OPENMOLCASOPENMOLCA        version: v22.10 ?
    """
    match = _VERSION.search(text, 0, 20000)
    return match.group(1) if match else None


def rasscf_runs(text: str, source: str, index: LogIndex | None = None) -> list[dict]:
    """One dict per RASSCF module, in order: multiplicity, converged, iterations, root energies (Hartree).

    Each module's block runs from its Start line to its Stop line (the last one before the next RASSCF, so
    not RASSI's lines after it), else to the next RASSCF or the end of the log; ``index``:
    :func:`.log_index.index_log` of ``text``.
    """
    index = (index or index_log(text)).check(text)
    starts = list(index.rasscf_starts)
    runs = []
    for n, (start, end) in enumerate(zip(starts, starts[1:] + [len(text)]), 1):
        stop_at = index.last_rasscf_stop(start, end)
        stop = _RASSCF_STOP.match(text, stop_at) if stop_at >= 0 else None
        runs.append(rasscf_run(text[start:stop.end() if stop else end], source, n))
    return runs


def _find_match(pattern: re.Pattern, text: str, literal: str, start: int = 0, end: int | None = None):
    """``pattern`` matched where ``literal`` first occurs in text[start:end], else None."""
    position = text.find(literal, start, len(text) if end is None else end)
    return pattern.match(text, position) if position >= 0 else None


def rasscf_run(block: str, source: str, n: int) -> dict:
    """The n-th RASSCF module of a log (from its Start line to its Stop line)::

        --- Start Module: rasscf at Sun Nov 22 08:08:13 2026 ---
              Spin quantum number                      3.5
              Number of electrons in active shells       9
              Number of root(s) required                21
              Convergence after 20 iterations           (or: No convergence after  3 iterations)
        ::    RASSCF root number  1 Total energy: -11928.66137912
        --- Stop Module: rasscf at Sun Nov 22 08:08:51 2026 /rc=_RC_ALL_IS_WELL_ ---   (or /rc=_RC_NOT_CONVERGED_)

    A module that stopped normally (converged or not) must print one energy per root; one that crashed or
    never stopped (the log was cut) is returned as not converged with the energies it printed.
    """
    what = f"RASSCF run {n}"
    spin = _find_match(SPIN_LINE, block, "Spin quantum number")
    if spin is None:
        raise ParseError(f"{source}: {what}: no 'Spin quantum number' line (expected it in the input summary)")
    stop_at = block.rfind("--- Stop Module: rasscf ")
    stop = _RASSCF_STOP.match(block, stop_at) if stop_at >= 0 else None
    first = block.find("RASSCF root number")  # the energies are consecutive lines, then a blank line
    first = block.rfind("\n", 0, first) + 1 if first >= 0 else len(block)
    blank = block.find("\n\n", first)
    converged = _find_match(_CONVERGED, block, "Convergence after", 0, first)  # the iterations come first
    failed = _find_match(_NOT_CONVERGED, block, "No convergence after", 0, first)
    energies = []
    for index, match in enumerate(_ROOT.finditer(block, first, blank if blank >= 0 else len(block)), 1):
        if int(match.group(1)) != index:
            raise ParseError(f"{source}: {what}: root energy lines out of order at root {match.group(1)} "
                             f"(expected root {index})")
        energies.append(number(match.group(2), source, f"{what}: energy of root {index}"))
    if stop is not None and stop.group(1) in ("_RC_ALL_IS_WELL_", "_RC_NOT_CONVERGED_"):
        roots = _find_match(_ROOTS, block, "Number of root(s) required")
        if not energies or (roots and len(energies) != int(roots.group(1))):
            expected = f"{roots.group(1)} (Number of root(s) required)" if roots else "one per root"
            raise ParseError(f"{source}: {what}: {len(energies)} 'RASSCF root number N Total energy' lines, "
                             f"expected {expected}")
    iterations = (failed or converged).group(1) if (failed or converged) else None
    electrons = _find_match(_ACTIVE_ELECTRONS, block, "Number of electrons in active shells", 0, first)
    return {
        "multiplicity": int(round(2 * float(spin.group(1)) + 1)),
        "converged": (stop is not None and stop.group(1) != "_RC_NOT_CONVERGED_" and failed is None
                      and (converged is not None or stop.group(1) == "_RC_ALL_IS_WELL_")),
        "iterations": int(iterations) if iterations is not None else None,
        "root_energies_hartree": energies,
        "active_electrons": int(electrons.group(1)) if electrons else None,
    }


def _section(text: str, index: LogIndex, start: int) -> str:
    """From a SINGLE_ANISO header to the next "CALCULATION OF" header, the module's Stop line or the end."""
    ends = [index.next_header(start + len(HEADER)), index.next_stop_line(start + len(HEADER))]
    return text[start:min([end for end in ends if end >= 0], default=len(text))]


def so_energies(block: str, size: int, source: str, what: str) -> list[float]:
    """The SO states a pseudospin is built on, in cm^-1 (10 or more states; fewer: "state 1. energy(1)",
    from 24.10 "state 1; energy(1)")::

        spin-orbit state 1; energy( 1) =       0.000 cm-1.
        spin-orbit state10; energy(10) =     567.038 cm-1.
    """
    energies = []
    for index, match in enumerate(_SO_STATE.finditer(block), 1):
        if int(match.group(1)) != index or int(match.group(2)) != index:
            raise ParseError(f"{source}: {what}: 'spin-orbit state' lines out of order at state {match.group(1)}")
        energies.append(number(match.group(3), source, f"{what}: energy of spin-orbit state {index}"))
    if len(energies) != size:
        raise ParseError(f"{source}: {what}: {len(energies)} 'spin-orbit state' lines, expected {size}")
    return energies


def g_tensor(block: str, source: str, what: str) -> tuple[list[float], list[list[float]]]:
    """Main g values and main magnetic axes (rows Xm, Ym, Zm in the initial x, y, z frame)::

            g TENSOR:
        --------------------------------------------------------|
            MAIN VALUES    |             MAIN MAGNETIC AXES     |   x , y , z  -- initial Cartesian axes
        -------------------|----|----- x ------- y ------- z ---|   Xm, Ym, Zm -- main magnetic axes
         gX =   1.50845320315776 | Xm |  0.00517957795424  0.99998658589614  0.00000000027705 |
         gY =   1.50845320066206 | Ym | -0.99998658589614  0.00517957795424 -0.00000000062213 |
         gZ =   1.47638040891087 | Zm | -0.00000000062355 -0.00000000027382  1.00000000000000 |
        --------------------------------------------------------|

    A multiplet whose moment is zero has no table ("Norm of the magnetic moment is zero." / "Returning the
    default (dummy) values"): g = 0 along OpenMolcas's default axes x, y, z, with a warning.
    """
    header = block.find(_G_HEADER)
    if header < 0:
        if _G_NEGATIVE in block:
            raise ParseError(f"{source}: {what}: OpenMolcas says '{_G_NEGATIVE}' and that the pseudospin "
                             "results must be disregarded")
        if _G_ZERO in block:
            warnings.warn(f"{source}: {what}: the magnetic moment is zero; g = 0 (no main axes)", stacklevel=3)
            return [0.0, 0.0, 0.0], [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
        raise ParseError(f"{source}: {what}: no 'g TENSOR:' table (expected MAIN VALUES gX, gY, gZ with the "
                         "main magnetic axes)")
    lines = block[header:header + 2000].splitlines()
    first = next((i for i, line in enumerate(lines[1:8], 1) if line.lstrip().startswith("gX =")), None)
    lines = lines[first:first + 3] if first is not None else []
    values, axes = [], []
    for axis, line in zip("XYZ", lines + [""] * (3 - len(lines))):
        match = _G_ROW.match(line)
        if match is None or match.group(1) != axis or match.group(3) != axis:
            found = f"cannot read {line.strip()!r}" if line.strip() else f"the table is cut before g{axis}"
            raise ParseError(f"{source}: {what}: g TENSOR table: {found} (expected "
                             f"' g{axis} = <g> | {axis}m | <x> <y> <z> |')")
        values.append(number(match.group(2), source, f"{what}: g{axis}"))
        axes.append([number(match.group(i), source, f"{what}: axis {axis}m") for i in (4, 5, 6)])
    return values, axes


def eso_table(block: str, source: str, what: str, columns: str, ranks: list[int],
              debug_ranks: list[int] | None = None) -> list[dict]:
    """The ESO table of ``block`` (which starts at its "The ZFS/Crystal-Field Hamiltonian:" line)::

           O(k,q) =  Extended Stevens Operators (ESO)as defined in:      (>= 24.10: "(ESO) as defined in")
        ...
        ------------------------------------------------|
          k |  q  |    (Knm)^2  |         B(k,q)        |                 (CRYS: "(K)^2")
        ----|-----|-------------|-----------------------|
          2 |  -2 |       1.50  | -0.36582808614020E-09 |
        ...
         12 |  12 |  169009.75  |  0.21241986171005E-13 |
        ------------------------------------------------|

    Every rank k of ``ranks`` (or of ``debug_ranks``: with PRLV >= 4 the CRYS table also lists odd k) must be
    there with all q = -k..k in order, and the table must be closed.
    """
    header = _ESO_HEADER.search(block, 0, 800)
    if header is None:
        raise ParseError(f"{source}: {what}: no 'O(k,q) = Extended Stevens Operators (ESO) as defined in' line "
                         f"(expected the ESO table {columns})")
    lines = block[header.end():].splitlines()
    title = next((i for i, line in enumerate(lines[:12]) if _ESO_TITLE.match(line)), None)
    if title is None:
        raise ParseError(f"{source}: {what}: no ESO column titles (expected {columns})")
    rows, closed = [], False
    for line in lines[title + 1:]:
        match = _ESO_ROW.match(line)  # a row starts with a digit, the group and closing lines with "-"
        if match is None:
            stripped = line.strip()
            if _ESO_GROUP.match(stripped):
                continue
            if _ESO_CLOSE.match(stripped):
                closed = True
                break
            raise ParseError(f"{source}: {what}: cannot read the ESO row {stripped!r} (expected {columns})")
        k, q, squared, b = match.groups()
        k, q = int(k), int(q)
        if real(squared) is None:
            number(squared, source, f"{what}: (K)^2 of B({k},{q})")  # raises, saying why
        value = real(b)
        rows.append({"k": k, "q": q, "b_cm1": value if value is not None else number(b, source, f"{what}: B({k},{q})")})
    if not rows:
        raise ParseError(f"{source}: {what}: ESO table has no rows (expected {columns})")
    if not closed:
        raise ParseError(f"{source}: {what}: ESO table is cut after B({rows[-1]['k']},{rows[-1]['q']}) "
                         f"(expected {columns} rows up to k = {ranks[-1]} and a closing line)")
    expected = [(k, q) for k in ranks for q in range(-k, k + 1)]
    found = [(row["k"], row["q"]) for row in rows]
    if debug_ranks and found == [(k, q) for k in debug_ranks for q in range(-k, k + 1)]:
        return rows
    if found != expected:
        wrong = next((f"B{e} expected, B{f} found" for e, f in zip(expected, found) if e != f),
                     f"{len(found)} rows, expected {len(expected)}")
        raise ParseError(f"{source}: {what}: ESO table does not hold k = {', '.join(map(str, ranks))} with "
                         f"q = -k..k ({wrong})")
    return rows


def _pseudospin_size(text: str) -> int | None:
    numerator, _, denominator = text.partition("/")
    if not numerator.isdigit() or denominator not in ("", "2"):
        return None
    return int(numerator) + 1 if denominator else 2 * int(numerator) + 1


def single_aniso_multiplets(text: str, source: str, index: LogIndex | None = None) -> list[dict]:
    """Every pseudospin multiplet SINGLE_ANISO printed (MLTP), in order::

        %%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%
             CALCULATION OF PSEUDOSPIN HAMILTONIAN TENSORS FOR THE MULTIPLET 1 ( effective S = 6)
             CALCULATION OF PSEUDOSPIN HAMILTONIAN TENSORS FOR THE MULTIPLET 1 ( effective S =  1/2)

    then :func:`so_energies`, :func:`g_tensor` and, for more than 2 states, the ESO table of
    "The ZFS Hamiltonian: ZFS = SUM_{k,q} * [ B(k,q) * O(k,q) ];" (even k up to min(size - 1, 12);
    not the magnetic moment's ESO table, which has odd k and an "i" column). The headers are looked for from
    SINGLE_ANISO's Start line on (``index``: :func:`.log_index.index_log` of ``text``).
    """
    log_index = (index or index_log(text)).check(text)
    multiplets = []
    for match in matches_at(_MULTIPLET, text, log_index.headers):
        multiplet, pseudospin = match.group(1), match.group(2)
        block = _section(text, log_index, match.start())
        size = _pseudospin_size(pseudospin)
        if size is None:  # I1 overflow ("effective S = *") for S >= 10: the state lines say how many
            size = len(_SO_STATE.findall(block))
            pseudospin = f"{size - 1}/2" if size % 2 == 0 else str((size - 1) // 2)
        what = f"SINGLE_ANISO multiplet {multiplet} (effective S = {pseudospin})"
        if not multiplet.isdigit():
            raise ParseError(f"{source}: {what}: multiplet number {multiplet!r} is not a number")
        energies = so_energies(block, size, source, what)
        g_main, g_axes = g_tensor(block, source, what)
        parameters = []
        if size > 2:
            zfs = _ZFS_ESO.search(block)
            if zfs is None:
                raise ParseError(f"{source}: {what}: no ESO table of the ZFS Hamiltonian (expected 'The ZFS "
                                 f"Hamiltonian: ZFS = SUM_{{k,q}} * [ B(k,q) * O(k,q) ]' then {ZFS_COLUMNS})")
            ranks = list(range(2, min(size - 1, MAX_ESO_RANK) + 1, 2))
            parameters = eso_table(block[zfs.start():], source, f"{what}: ZFS Hamiltonian", ZFS_COLUMNS, ranks)
        multiplets.append({"index": int(multiplet), "size": size, "pseudospin": pseudospin, "energies_cm1": energies,
                           "g_main": g_main, "g_axes": g_axes, "cf_parameters": parameters})
    return multiplets


def crystal_field_j(text: str, source: str, index: LogIndex | None = None) -> dict | None:
    """The CRYS block: B(k,q) of the ground atomic J multiplet in ESO (the first such block of the log)::

             CALCULATION OF CRYSTAL-FIELD PARAMETERS OF THE GROUND ATOMIC MULTIPLET J =  6.
        ...
        The Crystal-Field Hamiltonian:
           Hcf = SUM_{k,q} * [ B(k,q) * O(k,q) ];
        where:
           O(k,q) =  Extended Stevens Operators (ESO)as defined in:
        ...
          k |  q  |    (K)^2    |         B(k,q)        |

    The block's other "Crystal-Field Hamiltonian" tables (ITO with alpha(k), B/C(k,q), complex A(k,q)) and the
    weights table are not ESO and are skipped; the L-term block after it is a different section. The header is
    looked for from SINGLE_ANISO's Start line on (``index``: :func:`.log_index.index_log` of ``text``).
    """
    index = (index or index_log(text)).check(text)
    match = next((match for start in index.headers if (match := _CF_J.match(text, start))), None)
    if match is None:
        return None
    j = match.group(1)
    what = f"SINGLE_ANISO crystal field of the ground atomic multiplet J = {j}"
    numerator, _, denominator = j.partition("/")
    if not numerator.isdigit() or denominator not in ("", "2"):
        raise ParseError(f"{source}: {what}: J {j!r} is not an integer or half-integer")
    block = _section(text, index, match.start())
    table = _CF_ESO.search(block)
    if table is None:
        raise ParseError(f"{source}: {what}: no ESO table (expected 'The Crystal-Field Hamiltonian: Hcf = "
                         f"SUM_{{k,q}} * [ B(k,q) * O(k,q) ]; O(k,q) = Extended Stevens Operators' then {CF_COLUMNS})")
    two_j = 2 * int(numerator) if not denominator else int(numerator)
    kmax = min(two_j, MAX_ESO_RANK)
    rows = eso_table(block[table.start():], source, what, CF_COLUMNS, list(range(2, kmax + 1, 2)),
                     list(range(2, kmax + 1)))
    return {"j": j, "cf_parameters": rows}


def spin_orbit_energies(text: str, source: str, index: LogIndex | None = None) -> list[float] | None:
    """Every SO energy SINGLE_ANISO read, in cm^-1 above the lowest, as it lists them after its input whatever the
    restart option (all nss states, F25.14; ``src/single_aniso/single_aniso2.F90``)::

        LOW-LYING SPIN-ORBIT ENERGIES:
        ENERGY OF THE SPIN-ORBIT STATE (   1) =         0.00000000000000
        ...
        ENERGY OF THE SPIN-ORBIT STATE (  74) =     35420.88604993880290
        LOW-LYING SPIN-FREE ENERGIES:

    None where the log has no such list (no SINGLE_ANISO, or it stopped before); a list that is cut (not closed by
    the spin-free header), out of order or holds a non-number raises :class:`ParseError`. Looked for from
    SINGLE_ANISO's Start line to its first "CALCULATION OF" header (``index``: :func:`.log_index.index_log`).
    """
    index = (index or index_log(text)).check(text)
    if index.single_aniso_start < 0:
        return None
    block = _section(text, index, index.single_aniso_start)
    start = block.find(_SO_LIST)
    if start < 0:
        return None
    energies: list[float] = []
    line = ""
    for line in block[start + len(_SO_LIST):].split("\n")[1:]:
        match = _SO_LIST_LINE.match(line.rstrip())
        if match is None:
            break
        if int(match.group(1)) != len(energies) + 1:
            raise ParseError(f"{source}: {_SO_LIST_WHAT}: state {match.group(1)} where state {len(energies) + 1} "
                             "was expected")
        energies.append(number(match.group(2), source, f"{_SO_LIST_WHAT}: energy of SO state {len(energies) + 1}"))
    if line.strip() != _SF_LIST or not energies:
        found = f"{line.strip()!r}" if line.strip() else "the list ends there"
        raise ParseError(f"{source}: {_SO_LIST_WHAT}: cut after {len(energies)} states: {found} (expected "
                         f"'ENERGY OF THE SPIN-ORBIT STATE ({len(energies) + 1:4d}) = <cm-1>' or '{_SF_LIST}')")
    return energies


def multiplet_doublets(multiplets: list[dict], energies: list[float], source: str) -> list[dict]:
    """The doublets a log describes without L and S: each SINGLE_ANISO multiplet of 2 states (MLTP), with
    :func:`spin_orbit_energies` for its energies (the MLTP blocks follow each other up the SO list; a multiplet of
    one state has no block, "THE DIMENSION OF THE n MULTIPLET IS 1.") and its printed g: ``energy_cm1`` (mean of
    the two above the lowest SO state), ``tunnel_splitting_cm1`` (their difference, >= 0: SINGLE_ANISO lists a
    near-degenerate pair as RASSI left it, the upper one first by up to ~1e-6 cm^-1), ``g_main`` (largest g),
    ``g_principal`` (ascending) and ``jz_abs`` None (the log prints ⟨L⟩ and ⟨S⟩ along each multiplet's own axes,
    not |⟨J_n⟩| along the spectrum's main axis). Every multiplet's printed energies (3 decimals) must be those
    states', else :class:`ParseError`."""
    lowest = min(energies)
    doublets, first, previous = [], 0, 0
    for multiplet in multiplets:
        first += max(multiplet["index"] - previous - 1, 0)  # the multiplets of one state before it
        size, what = multiplet["size"], f"SINGLE_ANISO multiplet {multiplet['index']}"
        states = energies[first:first + size]
        if len(states) < size:
            raise ParseError(f"{source}: {what} spans SO states {first + 1}-{first + size}, beyond the "
                             f"{len(energies)} of {_SO_LIST_WHAT}")
        deviation = max(abs(a - b) for a, b in zip(states, multiplet["energies_cm1"]))
        if deviation > SO_ENERGY_TOLERANCE_CM1:
            raise ParseError(f"{source}: {what}: its SO energies differ from states {first + 1}-{first + size} of "
                             f"{_SO_LIST_WHAT} by {deviation:.3g} cm^-1 (tolerance {SO_ENERGY_TOLERANCE_CM1:g})")
        if size == 2:
            g = sorted(float(value) for value in multiplet["g_main"])
            doublets.append({"energy_cm1": (states[0] + states[1]) / 2 - lowest,
                             "tunnel_splitting_cm1": abs(states[1] - states[0]), "g_main": g[2], "g_principal": g,
                             "jz_abs": None})
        first, previous = first + size, multiplet["index"]
    return doublets
