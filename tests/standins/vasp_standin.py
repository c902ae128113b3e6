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
- ``killed``: leave the vasprun.xml cut inside an ``<scstep>`` (as a killed VASP does) instead of the full file.
- ``exit_code``: exit with this code (default 0).

Every call appends a line to ``.vasp_standin_calls`` in the run directory, so tests can count VASP runs.
"""

import json
import os
import shutil
import sys
import time
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "vasp"
LOUD = 97


def fail(message: str, code: int = LOUD) -> None:
    print(f"vasp_standin (a STAND-IN for VASP, tests only): {message}", file=sys.stderr, flush=True)
    sys.exit(code)


def killed_copy(text: str) -> str:
    """The recorded vasprun.xml cut just inside its last <scstep>, as VASP leaves it when killed."""
    cut = text.rfind("<scstep>")
    if cut < 0:
        fail("the recording's vasprun.xml has no <scstep> to cut inside")
    return text[: cut + len("<scstep>")] + "\n   <time name=\"dav\">"


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
    with open(cwd / ".vasp_standin_calls", "a") as log:
        log.write(f"{time.strftime('%F %T')} {recording.name} {json.dumps(behaviour, sort_keys=True)}\n")

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
