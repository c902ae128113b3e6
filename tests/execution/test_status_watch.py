"""``adatom-wf status --watch`` follows a study submitted to the throwaway Slurm cluster (VASP stand-in, no
OpenMolcas) until every node has finished, with a time-stamped line per change."""

import re
import subprocess

import pytest
from conftest import adatom_wf_command
from test_slurm_executor import Case, slurm_cluster  # noqa: F401  (the session's Slurm cluster)

pytestmark = [pytest.mark.slurm, pytest.mark.filterwarnings("ignore:POTCAR data with symbol")]
LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d (\S+) ([A-Z_]+)\b(.*)$")


def test_status_watch_follows_a_slurm_run_to_its_end(slurm_cluster, tmp_path):  # noqa: F811
    case = Case(tmp_path / "watch", "slurm_watch", sites=("hollow",),
                behaviours={"hollow": {"recording": "c_diamond_vasp630", "sleep_seconds": 8,
                                       "golden": "tb_graphene/{site}"}})
    case.run()  # returns at once
    watch = subprocess.run(adatom_wf_command() + ["status", str(case.study_file), "--runs-dir", str(case.runs),
                                                  "--watch", "--interval", "1"],
                           capture_output=True, text=True, timeout=400, cwd=tmp_path)
    assert watch.returncode == 0, watch.stderr
    lines = [LINE.match(line) for line in watch.stderr.splitlines() if re.match(r"^\d{4}-", line)]
    assert lines and all(lines), watch.stderr
    events = [(m.group(1), m.group(2), m.group(3)) for m in lines]
    states = [(node, state) for node, state, _ in events]
    assert ("relax.hollow", "RUNNING") in states
    assert states.index(("relax.hollow", "RUNNING")) < states.index(("relax.hollow", "COMPLETED"))
    assert any(node == "relax.hollow" and "VASP ionic step 1" in now for node, state, now in events
               if state == "RUNNING"), events
    final = {node: state for node, state in states}
    assert final == {node: "COMPLETED" for node in ("relax.hollow", "carve.hollow-1", "parse", "report")}, final
    assert final == case.states()
