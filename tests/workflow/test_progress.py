"""Live progress (adatom_wf.workflow.progress): the OpenMolcas module read from a real growing log, the VASP
step from a stand-in's vasprun.xml, time-stamped lines of a local run in a log file, the refreshing table
under a real pseudo-terminal (`script`), and `status --watch` of a run started elsewhere."""

import os
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TESTS / "execution"))
sys.path.insert(0, str(TESTS / "molcas"))
from conftest import adatom_wf_command  # noqa: E402
from studies import potcar_library, write_control, write_profiles, write_study  # noqa: E402
from tb3p_run import unpack_tb3p  # noqa: E402

from adatom_wf.molcas.follow import Follower as MolcasFollower  # noqa: E402
from adatom_wf.vasp.follow import Follower as VaspFollower  # noqa: E402
from adatom_wf.workflow.progress import Activities, Row, expectations, line, table  # noqa: E402

STAMP = re.compile(r"^\d{4}-\d\d-\d\dT")  # our lines; other stderr lines (library warnings) are left alone
LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d (\S+) (PENDING|RUNNING|COMPLETED|FAILED|SKIPPED)\b(.*)$")


def test_the_module_running_is_read_from_a_growing_real_log(tmp_path):
    text = (unpack_tb3p(tmp_path) / "Tb3p.casscf.log").read_text()
    growing = tmp_path / "growing.log"
    growing.write_text("")
    follower = MolcasFollower(growing)
    seen = []
    marks = ("--- Start Module: rasscf", "Spin quantum number", "--- Start Module: rassi",
             "--- Start Module: single_aniso")
    ends = [text.index("\n", text.index(mark)) + 1 for mark in marks]
    for cut in (ends[0] - 5, *ends, len(text)):
        with open(growing, "a") as handle:  # appended in pieces, as OpenMolcas writes it (a line may be cut)
            handle.write(text[len(growing.read_text()):cut])
        seen.append(follower.activity())
    assert seen == ["", "rasscf #1", "rasscf #1 (2S+1 = 7)", "rassi", "single_aniso", ""]
    assert follower.offset == len(text.encode())


def test_a_relax_node_is_followed_by_its_programs_follower(tmp_path):
    assert Activities().of("relax", tmp_path) == ""
    (tmp_path / "vasprun.xml").write_text("<modeling><calculation><scstep></scstep><scstep></scstep></calculation>"
                                          "<calculation><scstep>")
    assert Activities().of("relax", tmp_path) == "VASP ionic step 2, electronic step 1"
    (tmp_path / "gpaw.json").write_text("{}")  # a GPAW site directory (adatom_wf.gpaw.inputs)
    (tmp_path / "gpaw.txt").write_text("SCF iterations:\n|iter:  1|\n|iter:  2|\nSCF iterations:\n|iter:  1|\n")
    assert Activities().of("relax", tmp_path) == "GPAW ionic step 2, SCF iteration 1"


@pytest.fixture
def slow_relax(tmp_path):
    """A VASP-only study whose stand-in VASP runs 3 s (relax, carve, parse, report), locally."""
    slow = {"recording": "c_diamond_vasp630", "sleep_seconds": 3, "golden": "tb_graphene/{site}"}
    control = write_control(tmp_path / "control.json", {"hollow": slow})
    profiles = write_profiles(tmp_path, control)
    study = write_study(tmp_path, "progress_relax", sites=("hollow",))
    run = ["run", study, "--runs-dir", tmp_path / "runs", "--profile", "test", "--profiles", profiles,
           "--potcar-dir", potcar_library(tmp_path)]
    return {"run": [str(a) for a in run], "study": study, "runs": tmp_path / "runs", "cwd": tmp_path}


def test_a_local_run_writes_time_stamped_lines_when_not_on_a_terminal(slow_relax):
    result = subprocess.run(adatom_wf_command() + slow_relax["run"], capture_output=True, text=True,
                            cwd=slow_relax["cwd"])
    assert result.returncode == 0, result.stderr
    lines = [LINE.match(line) for line in result.stderr.splitlines() if STAMP.match(line)]
    assert lines and all(lines), result.stderr
    events = [(m.group(1), m.group(2)) for m in lines]
    assert events.index(("relax.hollow", "RUNNING")) < events.index(("relax.hollow", "COMPLETED")) \
        < events.index(("carve.hollow-1", "RUNNING")) < events.index(("report", "COMPLETED"))
    steps = [m.group(3) for m in lines if m.group(1) == "relax.hollow" and m.group(2) == "RUNNING"]
    assert any("VASP ionic step 1, electronic step" in step for step in steps), steps
    assert "\x1b[" not in result.stderr  # no terminal control sequences in a log file
    assert "finished in" in result.stdout  # the summary on stdout, as before
    again = subprocess.run(adatom_wf_command() + slow_relax["run"] + ["--force"], capture_output=True, text=True,
                           cwd=slow_relax["cwd"])
    done = [line for line in again.stderr.splitlines() if LINE.match(line) and " relax.hollow COMPLETED " in line]
    assert again.returncode == 0 and len(done) == 1 and "(last run 0:0" in done[0], again.stderr  # expected: 3-6 s


def test_a_local_run_shows_a_refreshing_table_on_a_terminal(slow_relax):
    command = " ".join(shlex.quote(a) for a in adatom_wf_command() + slow_relax["run"])
    screen = subprocess.run(["script", "-qec", command, "/dev/null"], capture_output=True, text=True,
                            cwd=slow_relax["cwd"], env={**os.environ, "COLUMNS": "120"})
    assert screen.returncode == 0, screen.stdout[-2000:]
    out = screen.stdout
    assert "progress_relax: local run" in out and "expected" in out and "elapsed" in out
    assert "\x1b[" in out  # the table is redrawn in place (cursor movement)
    assert re.search(r"relax\.hollow\s*│\s*RUNNING", re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", out))
    assert not LINE.search(out.replace("\r", "\n"))  # no time-stamped lines on a terminal


def test_status_watch_follows_a_run_started_elsewhere(slow_relax):
    runner = subprocess.Popen(adatom_wf_command() + slow_relax["run"], cwd=slow_relax["cwd"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not (slow_relax["runs"] / "progress_relax" / "workflow" / "jobs.json").exists():
            assert time.monotonic() < deadline
            time.sleep(0.2)
        watch = subprocess.run(adatom_wf_command() + ["status", slow_relax["study"], "--runs-dir",
                                                      str(slow_relax["runs"]), "--watch", "--interval", "0.5"],
                               capture_output=True, text=True, cwd=slow_relax["cwd"], timeout=120)
    finally:
        assert runner.wait(timeout=120) == 0
    assert watch.returncode == 0, watch.stderr
    lines = [LINE.match(line) for line in watch.stderr.splitlines() if STAMP.match(line)]
    assert lines and all(lines), watch.stderr
    final = {m.group(1): m.group(2) for m in lines}
    assert final == {"relax.hollow": "COMPLETED", "carve.hollow-1": "COMPLETED", "parse": "COMPLETED",
                     "report": "COMPLETED"}
    assert ("relax.hollow", "RUNNING") in [(m.group(1), m.group(2)) for m in lines]


def test_the_vasp_follower_reads_only_what_was_appended(tmp_path):
    path = tmp_path / "vasprun.xml"
    path.write_text("<modeling>\n<calculation>\n<scstep>\n</scstep>\n<scstep>")
    follower = VaspFollower(path)
    assert follower.activity() == "VASP ionic step 1, electronic step 2"  # the line being written counts
    with open(path, "a") as handle:
        handle.write("\n</scstep>\n</calculation>\n<calculation>\n<scstep>\n")
    assert follower.activity() == "VASP ionic step 2, electronic step 1"
    assert follower.offset == path.stat().st_size


def test_expected_is_the_cost_model_where_it_has_one_else_the_last_run():
    found = expectations({"molcas.Tb3+": 95.0, "integrals.hollow-1": 40.0},
                         {"molcas.Tb3+": 80.0, "carve.hollow-1": 3.0},
                         ["molcas.Tb3+", "carve.hollow-1", "parse"])
    assert found == {"molcas.Tb3+": (95.0, True), "carve.hollow-1": (3.0, False)}
    assert line(Row("molcas.Tb3+", "RUNNING", "rassi", 61.0, 95.0, True)).endswith(" molcas.Tb3+ RUNNING rassi 1:01 "
                                                                                    "(expected ~1:35)")
    assert line(Row("carve.hollow-1", "COMPLETED", "", 2.0, 3.0, False)).endswith(" 0:02 (last run 0:03)")
    from rich.console import Console

    console = Console(record=True, width=120)
    console.print(table([Row("molcas.Tb3+", "RUNNING", "rassi", 61.0, 95.0, True),
                         Row("carve.hollow-1", "PENDING", "", None, 3.0, False)], "t"))
    text = console.export_text()
    assert "~1:35" in text and "0:03" in text and "~0:03" not in text
