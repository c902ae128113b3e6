"""The pure half of adatom_wf.molcas.execute: the environment of a pymolcas run and the driver command."""

from pathlib import Path

from adatom_wf.molcas.execute import molcas_environment, pymolcas_command


def test_environment_sets_project_workdir_memory_and_drops_pythonpath(tmp_path):
    env = molcas_environment({"PYTHONPATH": "/venv", "PATH": "/bin", "HOME": "/root"}, project="Tb3p",
                             workdir=tmp_path, nprocs=2, mem_mb=1500)
    assert env["Project"] == "Tb3p" and env["MOLCAS_WORKDIR"] == str(tmp_path)
    assert env["MOLCAS_MEM"] == "1500" and env["MOLCAS_NPROCS"] == "2" and env["OMP_NUM_THREADS"] == "2"
    assert "PYTHONPATH" not in env and env["HOME"] == "/root"
    assert molcas_environment({"OMP_NUM_THREADS": "1"}, project="p", workdir=tmp_path, nprocs=4,
                              mem_mb=100)["OMP_NUM_THREADS"] == "1"


def test_driver_command():
    assert pymolcas_command({"ADATOM_WF_PYMOLCAS": "/opt/molcas/pymolcas -v"}) == ["/opt/molcas/pymolcas", "-v"]
    if Path("/usr/bin/pymolcas").is_file():
        assert pymolcas_command({"PATH": "/usr/bin"}) == ["/usr/bin/python3", "/usr/bin/pymolcas"]
