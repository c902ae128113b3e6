"""Rendered job scripts: golden files, and shell quoting checked by running the scripts with bash."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from adatom_wf.execution.profiles import parse_profile
from adatom_wf.execution.scripts import BatchJob, NodeContext, batch_script, node_script

GOLDEN = Path(__file__).parent / "golden"
PROFILE = parse_profile({
    "partition": "compute", "time": "04:00:00", "account": "proj42", "qos": "normal", "memory": "4G",
    "modules": ["vasp/6.4.2", "openmolcas/22.10"], "environment": {"OMP_NUM_THREADS": "1"},
    "sbatch_options": ["--constraint=skylake"],
    "vasp": {"command": "srun vasp_std", "time": "12:00:00", "nodes": 2, "ntasks": 128},
    "molcas": {"mem_mb": 8000, "nprocs": 4, "workdir": "/scratch/me/molcas"},
})


def context(node, stage, directory, attempt=1, command=("/opt/venv/bin/adatom-wf",)):
    root = "/home/me/runs/demo"
    return NodeContext(study="demo", node=node, stage=stage, directory=f"{root}/{directory}",
                       study_file=f"{root}/workflow/study.yaml", runs_dir="/home/me/runs",
                       result_file=f"{root}/workflow/results/{node}.json", attempt=attempt, adatom_wf=command)


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("ADATOM_WF_REGOLD"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
    assert text == path.read_text(), f"{name} changed; rerun with ADATOM_WF_REGOLD=1 if that is intended"


def test_node_scripts_match_their_golden_files():
    check_golden("relax.hollow.sh", node_script(context("relax.hollow", "relax", "dft/hollow", 2), PROFILE))
    check_golden("molcas.Tb3+.sh", node_script(context("molcas.Tb3+", "molcas", "molcas/Tb3+"), PROFILE))
    check_golden("carve.hollow-1.sh", node_script(context("carve.hollow-1", "carve", "cluster/hollow-1"), PROFILE))


def test_a_gpaw_relax_node_runs_the_profiles_gpaw_command_then_the_judge():
    gpaw = context("relax.top", "relax", "dft/top")
    gpaw = NodeContext(**{**gpaw.__dict__, "gpaw_command": ("srun", "gpaw", "python")})
    text = node_script(gpaw, PROFILE)
    check_golden("relax.top.gpaw.sh", text)
    assert "srun gpaw python -m adatom_wf.gpaw.relax /home/me/runs/demo/dft/top" in text
    assert "--program-exit-code \"$gpaw_exit\"" in text and "vasp_std" not in text


def test_batch_script_of_an_array_matches_its_golden_file():
    job = BatchJob(study="demo", stage="molcas", nodes=("molcas.Tb3+", "molcas.Tb2+"),
                   scripts=("/home/me/runs/demo/workflow/scripts/molcas.Tb3+.sh",
                            "/home/me/runs/demo/workflow/scripts/molcas.Tb2+.sh"),
                   resources=PROFILE.stage("molcas"), time="08:00:00", log_dir="/home/me/runs/demo/workflow/logs")
    text = batch_script(job, PROFILE)
    check_golden("molcas-array.sbatch", text)
    assert job.log_file("77", 1) == "/home/me/runs/demo/workflow/logs/molcas-77_1.out"
    single = BatchJob("demo", "carve", ("carve.hollow-1",), ("/x/carve.hollow-1.sh",), PROFILE.stage("carve"),
                      "04:00:00", "/x/logs")
    assert "#SBATCH --array" not in batch_script(single, PROFILE) and single.log_file("78", 0) == "/x/logs/carve-78.out"


NASTY = "it's a \"value\" with $HOME, `backticks`; and spaces"


def test_every_value_is_shell_quoted(tmp_path):
    """Run the rendered scripts with bash: nasty values arrive unchanged, nothing is expanded."""
    probe = tmp_path / "probe.py"
    probe.write_text("import json, os, sys\n"
                     "print(json.dumps({'argv': sys.argv[1:], 'env': os.environ.get('WEIRD'),"
                     " 'workdir': os.environ.get('MOLCAS_WORKDIR'), 'cwd': os.getcwd()}))\n")
    weird_dir = tmp_path / "dir with 'quote' and $x"
    weird_dir.mkdir()
    profile = parse_profile({"partition": "p a'rt", "time": "1", "environment": {"WEIRD": NASTY},
                             "vasp": {"command": f"{sys.executable} '{probe}' --flag 'two words'"},
                             "molcas": {"workdir": str(tmp_path / "scratch $USER")}})
    command = (sys.executable, str(probe))
    ctx = NodeContext(study="s", node="relax.hollow", stage="relax", directory=str(weird_dir),
                      study_file=str(tmp_path / "s;rm -rf x.yaml"), runs_dir=str(tmp_path / "runs $HOME"),
                      result_file="r.json", attempt=1, adatom_wf=command)
    script = tmp_path / "relax.sh"
    script.write_text(node_script(ctx, profile))
    out = subprocess.run(["bash", str(script)], capture_output=True, text=True, check=True).stdout
    vasp_line, node_line = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    assert vasp_line["argv"] == ["--flag", "two words"] and vasp_line["env"] == NASTY
    assert vasp_line["cwd"] == str(weird_dir)
    assert node_line["argv"] == ["node", str(tmp_path / "s;rm -rf x.yaml"), "relax.hollow", "--runs-dir",
                                 str(tmp_path / "runs $HOME"), "--attempt", "1", "--vasp-exit-code", "0"]
    molcas = NodeContext(**{**ctx.__dict__, "node": "molcas.Tb3+", "stage": "molcas"})
    script.write_text(node_script(molcas, profile))
    out = json.loads(subprocess.run(["bash", str(script)], capture_output=True, text=True, check=True).stdout)
    assert out["workdir"] == str(tmp_path / "scratch $USER") + "/s/molcas.Tb3+"
    assert (tmp_path / "scratch $USER" / "s" / "molcas.Tb3+").is_dir()
    job = BatchJob("s", "relax", ("relax.hollow",), (str(script),), profile.stage("relax"), "00:01:00", str(tmp_path))
    batch = batch_script(job, profile)
    assert "#SBATCH --partition='p a'\"'\"'rt'" in batch
    assert subprocess.run(["bash", "-n"], input=batch, text=True).returncode == 0


@pytest.mark.parametrize("stage", ["relax", "carve", "molcas"])
def test_scripts_are_valid_bash(stage, tmp_path):
    text = node_script(context(f"{stage}.x", stage, "x"), PROFILE)
    assert subprocess.run(["bash", "-n"], input=text, text=True).returncode == 0
