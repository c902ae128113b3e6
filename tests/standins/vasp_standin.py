#!/usr/bin/env python3
"""STAND-IN for the licensed VASP binary, for tests only. It computes nothing.

It places a recorded real VASP output (tests/fixtures/vasp/<recording>/) in the current directory and
returns the input POSCAR as CONTCAR (the recording is not this structure: the study's own geometry flows
on). It fails loudly unless told what to place:

    ADATOM_WF_VASP_STANDIN=/path/control.json

where control.json maps the run directory's name (the site: ``hollow``) or ``default`` to a behaviour::

    {"default": {"recording": "c_diamond_vasp630"},
     "top":     {"recording": "c_diamond_vasp630", "sleep_seconds": 90},
     "bridge":  {"recording": "c_diamond_vasp630", "killed": true, "exit_code": 0}}

- ``recording``: a folder under tests/fixtures/vasp/ (or an absolute path); required.
- ``sleep_seconds``: first write what a running VASP has written (CONTCAR, a vasprun.xml that ends inside
  an ``<scstep>``), then sleep — so a time limit or scancel kills it mid-run.
- ``memory_mb``: first hold that much memory (touched, so it is resident) for ``memory_seconds`` (default 4) —
  so a job with a smaller ``--mem`` is killed by Slurm's memory enforcement.
- ``killed``: leave the vasprun.xml cut inside an ``<scstep>`` (as a killed VASP does) instead of the full file.
- ``exit_code``: exit with this code (default 0).
- ``golden``: a folder holding the reference INCAR, KPOINTS and POSCAR (absolute, or relative to
  tests/vasp/golden/; ``{site}`` is replaced by the run directory's name, so one ``default`` behaviour
  can check every site: ``"golden": "tb_graphene/{site}"``). Before anything is placed, the inputs in
  the current directory are compared with it, as atomate2's ``fake_run_vasp`` does: INCAR as parsed
  tags (order, case of the tag names, whitespace and comments ignored; numbers compared numerically;
  SYSTEM, a free-text title, is not compared), KPOINTS as whitespace-normalised text (its comment line
  skipped), POSCAR as species, counts, lattice and positions to 1e-6 Å (its comment line skipped,
  positions compared as periodic images). Any difference: one line on stderr naming the file and what
  differs, exit 97, and no output written (no call logged either).

Every call appends a line to ``.vasp_standin_calls`` in the run directory, so tests can count VASP runs.
"""

import json
import math
import os
import shutil
import sys
import time
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "vasp"
GOLDEN = Path(__file__).resolve().parents[1] / "vasp" / "golden"
LOUD = 97
POSITION_TOLERANCE_ANGSTROM = 1e-6
INCAR_TITLES = {"SYSTEM"}  # free text VASP only echoes: a study's name must not need its own golden


def fail(message: str, code: int = LOUD) -> None:
    print(f"vasp_standin (a STAND-IN for VASP, tests only): {message}", file=sys.stderr, flush=True)
    sys.exit(code)


def killed_copy(text: str) -> str:
    """The recorded vasprun.xml cut just inside its last <scstep>, as VASP leaves it when killed."""
    cut = text.rfind("<scstep>")
    if cut < 0:
        fail("the recording's vasprun.xml has no <scstep> to cut inside")
    return text[: cut + len("<scstep>")] + "\n   <time name=\"dav\">"


# --- the golden check: are these the inputs the test expects? ---------------------------------------------

def incar_tags(text: str) -> dict[str, str]:
    """INCAR tag -> raw value; ``;`` separates tags on a line, ``#`` and ``!`` start comments (as in VASP)."""
    tags = {}
    for line in text.splitlines():
        for statement in line.split("#")[0].split("!")[0].split(";"):
            if "=" in statement:
                key, value = statement.split("=", 1)
                tags[key.strip().upper()] = value.strip()
    return tags


def incar_value(raw: str):
    """A value as VASP means it: a tuple of numbers, a bool, or case-folded words (``Accurate`` = ``accurate``)."""
    words = raw.split()
    try:
        return tuple(float(word) for word in words)
    except ValueError:
        pass
    flag = raw.strip().strip(".").upper()
    if flag in ("TRUE", "T", "FALSE", "F"):
        return flag.startswith("T")
    return " ".join(words).casefold()


def same_incar_value(here, golden) -> bool:
    if isinstance(here, tuple) and isinstance(golden, tuple):
        return len(here) == len(golden) and all(math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
                                                for a, b in zip(here, golden))
    return here == golden


def incar_differences(here_text: str, golden_text: str) -> list[str]:
    here, golden = incar_tags(here_text), incar_tags(golden_text)
    differences = []
    for key in sorted((here.keys() | golden.keys()) - INCAR_TITLES):
        if key not in here:
            differences.append(f"{key} is missing here (golden: {golden[key]})")
        elif key not in golden:
            differences.append(f"{key} = {here[key]} is not in the golden INCAR")
        elif not same_incar_value(incar_value(here[key]), incar_value(golden[key])):
            differences.append(f"{key} = {here[key]} here, {golden[key]} in the golden")
    return differences


def kpoints_differences(here_text: str, golden_text: str) -> list[str]:
    """Line by line after the comment line, each line's words joined by one space, blank lines dropped."""
    def lines(text):
        return [" ".join(line.split()) for line in text.splitlines()[1:] if line.strip()]

    here, golden = lines(here_text), lines(golden_text)
    for number, (mine, theirs) in enumerate(zip(here, golden), start=2):
        if mine != theirs:
            return [f"line {number} is {mine!r} here, {theirs!r} in the golden"]
    if len(here) != len(golden):
        return [f"{len(here)} non-blank lines after the comment here, {len(golden)} in the golden"]
    return []


def parse_poscar(text: str) -> dict:
    """Species (None in a VASP 4 file), counts, lattice rows (Å) and Cartesian positions (Å) of a POSCAR."""
    lines = [line.split() for line in text.splitlines()]
    scale = float(lines[1][0])
    rows = [[float(x) for x in lines[i][:3]] for i in (2, 3, 4)]
    if scale < 0:  # a negative scale is the cell volume in Å^3
        scale = (-scale / abs(determinant(rows))) ** (1 / 3)
    lattice = [[scale * x for x in row] for row in rows]
    line = 5
    species = None
    if not lines[line][0].lstrip("+-").isdigit():
        species, line = lines[line], line + 1
    counts = [int(word) for word in lines[line]]
    line += 1
    if lines[line][0][0] in "sS":  # Selective dynamics
        line += 1
    cartesian = lines[line][0][0] in "cCkK"
    coordinates = [[float(x) for x in lines[line + 1 + i][:3]] for i in range(sum(counts))]
    positions = [[scale * x for x in c] for c in coordinates] if cartesian else \
        [fractional_to_cartesian(c, lattice) for c in coordinates]
    return {"species": species, "counts": counts, "lattice": lattice, "positions": positions}


def determinant(m) -> float:
    return (m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
            + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]))


def fractional_to_cartesian(fractional, lattice) -> list[float]:
    return [sum(fractional[i] * lattice[i][k] for i in range(3)) for k in range(3)]


def cartesian_to_fractional(cartesian, lattice) -> list[float]:
    """Cramer's rule on the lattice rows: fractional f with f . lattice = cartesian."""
    volume = determinant(lattice)
    fractional = []
    for i in range(3):
        rows = [list(row) for row in lattice]
        rows[i] = list(cartesian)
        fractional.append(determinant(rows) / volume)
    return fractional


def periodic_distance_angstrom(a, b, lattice) -> float:
    """Distance between two Cartesian points to the nearest periodic image (a wrapped 0.9999999 = 0.0)."""
    delta = cartesian_to_fractional([x - y for x, y in zip(a, b)], lattice)
    wrapped = [d - round(d) for d in delta]
    return math.dist(fractional_to_cartesian(wrapped, lattice), [0.0, 0.0, 0.0])


def poscar_differences(here_text: str, golden_text: str) -> list[str]:
    here, golden = parse_poscar(here_text), parse_poscar(golden_text)
    if here["species"] != golden["species"] or here["counts"] != golden["counts"]:
        return [f"species {here['species']} x {here['counts']} here, {golden['species']} x {golden['counts']} "
                f"in the golden"]
    for axis, (mine, theirs) in enumerate(zip(here["lattice"], golden["lattice"]), start=1):
        if math.dist(mine, theirs) > POSITION_TOLERANCE_ANGSTROM:
            return [f"lattice vector {axis} is {mine} Å here, {theirs} Å in the golden"]
    symbols = [s for s, n in zip(golden["species"] or ["?"] * len(golden["counts"]), golden["counts"])
               for _ in range(n)]
    for index, (mine, theirs) in enumerate(zip(here["positions"], golden["positions"])):
        distance = periodic_distance_angstrom(mine, theirs, golden["lattice"])
        if distance > POSITION_TOLERANCE_ANGSTROM:
            return [f"atom {index + 1} ({symbols[index]}) is {distance:.3g} Å from its golden position "
                    f"(here {[round(x, 6) for x in mine]} Å, golden {[round(x, 6) for x in theirs]} Å)"]
    return []


COMPARERS = {"INCAR": incar_differences, "KPOINTS": kpoints_differences, "POSCAR": poscar_differences}


def golden_folder(behaviour: dict, site: str) -> Path:
    golden = Path(str(behaviour["golden"]).replace("{site}", site))
    return golden if golden.is_absolute() else GOLDEN / golden


def check_against_golden(cwd: Path, golden: Path) -> None:
    """Fail (exit 97, nothing placed) unless INCAR, KPOINTS and POSCAR of ``cwd`` match those in ``golden``."""
    problems = []
    for name, differences in COMPARERS.items():
        if not (golden / name).is_file():
            fail(f"the golden folder {golden} has no {name}")
        try:
            found = differences((cwd / name).read_text(), (golden / name).read_text())
        except (ValueError, IndexError) as error:
            found = [f"cannot be read as a {name} ({type(error).__name__}: {error})"]
        problems += [f"{name}: {difference}" for difference in found]
    if problems:
        fail(f"the inputs in {cwd} differ from the golden ones in {golden}: {'; '.join(problems)}")


def main() -> None:
    control_path = os.environ.get("ADATOM_WF_VASP_STANDIN")
    if not control_path:
        fail("ADATOM_WF_VASP_STANDIN is not set: set it to a JSON file naming the recorded VASP output to place "
             "(see the docstring of tests/standins/vasp_standin.py). This program is not VASP.")
    try:
        control = json.loads(Path(control_path).read_text())
    except (OSError, json.JSONDecodeError) as error:
        fail(f"cannot read the control file {control_path}: {error}")
    cwd = Path.cwd()
    behaviour = control.get(cwd.name, control.get("default"))
    if not isinstance(behaviour, dict) or "recording" not in behaviour:
        fail(f"{control_path} names no recording for {cwd.name!r} and has no 'default'")
    recording = Path(behaviour["recording"])
    recording = recording if recording.is_absolute() else FIXTURES / recording
    if not recording.is_dir() or not any(recording.iterdir()):
        fail(f"no recorded VASP output in {recording}")
    for name in ("POSCAR", "INCAR", "KPOINTS"):
        if not (cwd / name).is_file():
            fail(f"no {name} in {cwd} (VASP would stop here too)", code=1)
    if behaviour.get("golden"):
        check_against_golden(cwd, golden_folder(behaviour, cwd.name))
    with open(cwd / ".vasp_standin_calls", "a") as log:
        log.write(f"{time.strftime('%F %T')} {recording.name} {json.dumps(behaviour, sort_keys=True)}\n")

    if behaviour.get("memory_mb"):
        held = bytearray(int(behaviour["memory_mb"]) * 1024 * 1024)
        for page in range(0, len(held), 4096):
            held[page] = 1
        print(f"vasp_standin: holding {behaviour['memory_mb']} MB", flush=True)
        time.sleep(float(behaviour.get("memory_seconds", 4)))
        del held
    contcar = cwd / "CONTCAR"
    recorded_vasprun = recording / "vasprun.xml"
    if behaviour.get("sleep_seconds"):
        shutil.copyfile(cwd / "POSCAR", contcar)
        if recorded_vasprun.is_file():
            (cwd / "vasprun.xml").write_text(killed_copy(recorded_vasprun.read_text(encoding="latin-1")),
                                             encoding="latin-1")
        print(f"vasp_standin: running (sleeping {behaviour['sleep_seconds']} s)", flush=True)
        time.sleep(float(behaviour["sleep_seconds"]))
    for source in sorted(recording.iterdir()):
        if source.is_file():
            shutil.copyfile(source, cwd / source.name)
    if behaviour.get("killed") and recorded_vasprun.is_file():
        (cwd / "vasprun.xml").write_text(killed_copy(recorded_vasprun.read_text(encoding="latin-1")),
                                         encoding="latin-1")
    shutil.copyfile(cwd / "POSCAR", contcar)
    print(f"vasp_standin: placed the recorded output {recording.name} in {cwd}", flush=True)
    sys.exit(int(behaviour.get("exit_code", 0)))


if __name__ == "__main__":
    main()
