"""What only the OpenMolcas log has: the version, RASSCF convergence, SINGLE_ANISO's multiplets and CF tables.

One small reader per block, the lines it reads pasted in its docstring (OpenMolcas 22.10; the ESO header
changed in 24.10, both read). A block that is recognised but cannot be read raises :class:`ParseError` naming
the file and the block — never an empty table. A log that ends before a block is printed simply lacks it
(the caller learns from the module return codes that the module never finished).
"""

import re

from adatom_wf.errors import ParseError

NUMBER = r"[-+]?\d+\.\d*(?:[EeDd][-+]?\d+)?"
_VERSION = re.compile(r"^\s*\S*\s+version:?\s+(v?\d+\.\d+\S*)", re.M)
# Patterns start with a literal, not "^": re then searches a 3 MB log 5-10x faster (bench/bench_parse.py).
_RASSCF_START = re.compile(r"--- Start Module: rasscf\b")
_RASSCF_STOP = re.compile(r"--- Stop Module: rasscf\b.*?/rc=(\S+) ---")
_SPIN = re.compile(r"Spin quantum number\s+(\d+(?:\.\d+)?)")
_CONVERGED = re.compile(r"Convergence after\s+(\d+) iterations")  # capital C: not "No convergence after"
_NOT_CONVERGED = re.compile(r"No convergence after\s+(\d+) iterations", re.M)
_ROOT = re.compile(r"::\s+RASSCF root number\s+(\d+) Total energy:\s+(" + NUMBER + ")")
_MULTIPLET = re.compile(r"CALCULATION OF PSEUDOSPIN HAMILTONIAN TENSORS FOR THE MULTIPLET\s+(\d+)\s+"
                        r"\(\s*effective S\s*=\s*([0-9/]+)\s*\)")
_SO_STATE = re.compile(r"^spin-orbit state\s*(\d+)[.;]\s*energy\(\s*\d+\)\s*=\s*(" + NUMBER + r")\s*cm-1", re.M)
_G_MAIN = re.compile(r"^\s*g([XYZ])\s*=\s*(" + NUMBER + r")\s*\|\s*[XYZ]m\s*\|\s*(" + NUMBER + r")\s+(" + NUMBER
                     + r")\s+(" + NUMBER + r")\s*\|", re.M)
_CF_J = re.compile(r"CALCULATION OF CRYSTAL-FIELD PARAMETERS OF THE GROUND ATOMIC MULTIPLET J\s*=\s*([0-9/.]+?)\.?\s*$",
                   re.M)
_ESO_HEADER = re.compile(r"Extended Stevens Operators \(ESO\)\s?as defined in")
_ESO_ROW = re.compile(r"^\s*(\d+)\s*\|\s*(-?\d+)\s*\|\s*(" + NUMBER + r")\s*\|\s*(\S+)\s*\|\s*$")


def _number(text: str) -> float:
    return float(text.replace("D", "E").replace("d", "e"))


def molcas_version(text: str) -> str | None:
    """``v22.10`` from the banner line::

                   OPENMOLCASOPENMOLCA        version: v22.10 ?
    """
    match = _VERSION.search(text[:20000])
    return match.group(1) if match else None


def rasscf_runs(text: str, source: str) -> list[dict]:
    """One dict per RASSCF module, in order: multiplicity, converged, iterations, root energies (Hartree)::

              Spin quantum number                      3.5
              Convergence after 20 iterations
        ::    RASSCF root number  1 Total energy: -11928.66137912
        --- Stop Module: rasscf at Sun Nov 22 08:08:51 2026 /rc=_RC_ALL_IS_WELL_ ---
    """
    starts = [m.start() for m in _RASSCF_START.finditer(text)]
    runs = []
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(text)
        block = text[start:end]
        spin = _SPIN.search(block)
        if spin is None:
            raise ParseError(f"{source}: RASSCF run {n + 1}: no 'Spin quantum number' line (expected it in the "
                             "input summary)")
        stop = _RASSCF_STOP.search(block)
        converged = _CONVERGED.search(block)
        failed = _NOT_CONVERGED.search(block)
        iterations = int((converged or failed).group(1)) if (converged or failed) else None
        runs.append({
            "multiplicity": int(round(2 * float(spin.group(1)) + 1)),
            "converged": bool(converged) and not failed and stop is not None and stop.group(1) != "_RC_NOT_CONVERGED_",
            "iterations": iterations,
            "root_energies_hartree": [_number(m.group(2)) for m in _ROOT.finditer(block)],
        })
    return runs


def _section(text: str, start: int) -> str:
    """From ``start`` to the next multiplet/CF header or the end of the module."""
    ends = [m.start() for m in (_MULTIPLET.search(text, start + 1), _CF_J.search(text, start + 1),
                                re.compile(r"^--- Stop Module:|CALCULATION OF CRYSTAL-FIELD PARAMETERS OF THE GROUND "
                                           r"ATOMIC TERM|CALCULATION OF THE MAGNETIC", re.M).search(text, start + 1))
            if m]
    return text[start:min(ends) if ends else len(text)]


def eso_table(block: str, source: str, what: str, columns: str) -> list[dict]:
    """The ESO table after the first "(ESO)as defined in" header of ``block`` whose rows are k | q | K² | B::

           O(k,q) =  Extended Stevens Operators (ESO)as defined in:
        ...
          k |  q  |    (K)^2    |         B(k,q)        |
        ----|-----|-------------|-----------------------|
          2 |  -2 |       1.50  | -0.36582808614020E-09 |
        ------------------------------------------------|
    """
    for header in _ESO_HEADER.finditer(block):
        lines = block[header.end():].splitlines()
        title = next((i for i, line in enumerate(lines[:20]) if re.match(r"^\s*k\s*\|\s*q\s*\|", line)), None)
        if title is None or lines[title].count("|") != 4:  # the moment's table has an "i" column: not this one
            continue
        rows = []
        for line in lines[title + 1:]:
            if set(line.strip()) <= {"-", "|"}:
                if line.strip().startswith("----|") or line.strip().startswith("|"):
                    continue
                break
            match = _ESO_ROW.match(line)
            if match is None:
                raise ParseError(f"{source}: {what}: cannot read the ESO row {line.strip()!r} (expected {columns})")
            try:
                value = _number(match.group(4))
            except ValueError:
                raise ParseError(f"{source}: {what}: B(k,q) {match.group(4)!r} is not a number") from None
            rows.append({"k": int(match.group(1)), "q": int(match.group(2)), "b_cm1": value})
        if not rows:
            raise ParseError(f"{source}: {what}: the ESO table has no rows (expected {columns})")
        return rows
    return []


def single_aniso_multiplets(text: str, source: str) -> list[dict]:
    """Every pseudospin multiplet SINGLE_ANISO printed (MLTP), in order::

             CALCULATION OF PSEUDOSPIN HAMILTONIAN TENSORS FOR THE MULTIPLET 1 ( effective S = 6)
        spin-orbit state 1; energy( 1) =       0.000 cm-1.     (10 or more states; with fewer: "state 1. energy(1)")
         gX =   1.50845320315776 | Xm |  0.00517957795424  0.99998658589614  0.00000000027705 |
         gY =   1.50845320066206 | Ym | -0.99998658589614  0.00517957795424 -0.00000000062213 |
         gZ =   1.47638040891087 | Zm | -0.00000000062355 -0.00000000027382  1.00000000000000 |
        The ZFS Hamiltonian:  ... Extended Stevens Operators (ESO)as defined in: ... k | q | (Knm)^2 | B(k,q)
    """
    multiplets = []
    for match in _MULTIPLET.finditer(text):
        index, pseudospin = int(match.group(1)), match.group(2)
        what = f"SINGLE_ANISO multiplet {index} (effective S = {pseudospin})"
        block = _section(text, match.start())
        energies = [_number(m.group(2)) for m in _SO_STATE.finditer(block)]
        numerator, _, denominator = pseudospin.partition("/")
        size = int(round(2 * int(numerator) / int(denominator or 1))) + 1
        if len(energies) != size:
            raise ParseError(f"{source}: {what}: {len(energies)} 'spin-orbit state' lines, expected {size}")
        g_rows = {m.group(1): m for m in _G_MAIN.finditer(block)}
        if set(g_rows) != {"X", "Y", "Z"}:
            raise ParseError(f"{source}: {what}: the g TENSOR table (MAIN VALUES gX, gY, gZ with their axes) is "
                             "missing or cut")
        zfs = block.find("The ZFS Hamiltonian:\n   ZFS = SUM_{k,q} * [ B(k,q) * O(k,q) ]")
        parameters = eso_table(block[zfs:], source, f"{what}: ZFS Hamiltonian", "k | q | (Knm)^2 | B(k,q)") \
            if zfs >= 0 else []
        if size > 2 and not parameters:
            raise ParseError(f"{source}: {what}: no ESO table of the ZFS Hamiltonian (expected k | q | (Knm)^2 | "
                             "B(k,q) after 'The ZFS Hamiltonian')")
        multiplets.append({
            "index": index, "size": size, "pseudospin": pseudospin, "energies_cm1": energies,
            "g_main": [_number(g_rows[a].group(2)) for a in "XYZ"],
            "g_axes": [[_number(g_rows[a].group(i)) for i in (3, 4, 5)] for a in "XYZ"],
            "cf_parameters": parameters,
        })
    return multiplets


def crystal_field_j(text: str, source: str) -> dict | None:
    """The CRYS block: B(k,q) of the ground atomic J multiplet in ESO::

             CALCULATION OF CRYSTAL-FIELD PARAMETERS OF THE GROUND ATOMIC MULTIPLET J =  6.
        The Crystal-Field Hamiltonian:
           Hcf = SUM_{k,q} * [ B(k,q) * O(k,q) ];
           O(k,q) =  Extended Stevens Operators (ESO)as defined in:
          k |  q  |    (K)^2    |         B(k,q)        |
    """
    match = _CF_J.search(text)
    if match is None:
        return None
    block = _section(text, match.start())
    what = f"SINGLE_ANISO crystal field of the ground atomic multiplet J = {match.group(1)}"
    parameters = eso_table(block, source, what, "k | q | (K)^2 | B(k,q)")
    if not parameters:
        raise ParseError(f"{source}: {what}: no ESO table (expected 'Extended Stevens Operators (ESO)as defined in' "
                         "then k | q | (K)^2 | B(k,q))")
    return {"j": match.group(1).rstrip("."), "cf_parameters": parameters}
