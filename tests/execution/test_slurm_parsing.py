"""Parsing what Slurm answers: real output of the test cluster (tests/execution/fixtures/README.md)."""

from pathlib import Path

import pytest

from adatom_wf.errors import SchedulerError
from adatom_wf.execution import slurm

FIXTURES = Path(__file__).parent / "fixtures"


def read(name):
    return (FIXTURES / name).read_text()


def test_squeue_running_array_dependencies_and_never_satisfied():
    jobs = slurm.parse_squeue(read("squeue_running.txt"))
    assert {job_id: job.state for job_id, job in jobs.items()} == {
        "9_0": "RUNNING", "9_2": "RUNNING", "10": "DEPENDENCY_NEVER_SATISFIED",
        "11_0": "PENDING", "11_1": "PENDING", "12": "PENDING"}
    assert jobs["12"].reason == "Resources" and jobs["11_0"].reason == "Dependency"
    assert set(slurm.parse_squeue(read("squeue_after_faults.txt"))) == {"10", "11_0", "11_1"}


def test_scontrol_after_timeout_failure_and_scancel():
    jobs = slurm.parse_scontrol(read("scontrol_show_job.txt"))
    assert jobs["9_0"].state == "TIMEOUT" and jobs["9_0"].reason == "TimeLimit" and jobs["9_0"].exit_code == "0:15"
    assert jobs["9_1"].state == "FAILED" and jobs["9_1"].exit_code == "3:0"
    assert jobs["9_2"].state == "CANCELLED"
    assert jobs["10"].state == "DEPENDENCY_NEVER_SATISFIED" and jobs["12"].state == "COMPLETED"
    assert jobs["11"].state == "PENDING"  # a pending array is one record (ArrayTaskId=0-1)
    record = slurm.scontrol_record(read("scontrol_show_job.txt").splitlines()[0])
    assert record["JobName"] == "cap:relax" and record["TRES"] == "cpu=1,mem=256M,node=1,billing=1"


def test_sacct_parsable2_lines():
    # sacct(1) --parsable2 format (the test cluster has no accounting database to capture from)
    text = "7_0|COMPLETED|0:0|None\n7.batch|COMPLETED|0:0|\n9|CANCELLED by 1000|0:15|None\n" \
           "10|TIMEOUT|0:0|TimeLimit\n11|OUT_OF_MEMORY|0:125|OutOfMemory\n12|NODE_FAIL|0:0|NodeDown\n" \
           "13|PREEMPTED|0:0|None\n14|PENDING|0:0|DependencyNeverSatisfied\n15|FAILED|2:0|NonZeroExitCode\n"
    jobs = slurm.parse_sacct(text)
    assert {k: v.state for k, v in jobs.items()} == {
        "7_0": "COMPLETED", "9": "CANCELLED", "10": "TIMEOUT", "11": "OUT_OF_MEMORY", "12": "NODE_FAIL",
        "13": "PREEMPTED", "14": "DEPENDENCY_NEVER_SATISFIED", "15": "FAILED"}
    assert jobs["15"].exit_code == "2:0" and jobs["10"].source == "sacct"
    with pytest.raises(SchedulerError, match="unexpected sacct line"):
        slurm.parse_sacct("1|COMPLETED\n")


def test_accounting_disabled_is_recognised():
    assert slurm.sacct_disabled(read("sacct_disabled_stderr.txt"))
    assert not slurm.sacct_disabled("sacct: error: Problem talking to the database")


def test_sbatch_answers():
    assert slurm.parse_sbatch("42\n") == "42" and slurm.parse_sbatch("43;cluster\n") == "43"
    with pytest.raises(SchedulerError, match="sbatch printed no job id"):
        slurm.parse_sbatch("Submitted batch job 44\n")
    assert slurm.sbatch_error(read("sbatch_bad_partition_stderr.txt")) == (
        "invalid partition specified: nope; Batch job submission failed: Invalid partition name specified")
    assert slurm.sbatch_command("/x/job.sbatch", ["7_0", "8"]) == [
        "sbatch", "--parsable", "--dependency=afterok:7_0:8", "/x/job.sbatch"]


def test_config_and_states():
    assert slurm.max_array_size(read("scontrol_show_config.txt")) == 1001
    assert slurm.normalise_state("CANCELLED by 0") == "CANCELLED"
    assert slurm.normalise_state("COMPLETING") == "RUNNING" and slurm.normalise_state("BOOT_FAIL") == "NODE_FAIL"
    with pytest.raises(SchedulerError, match="unknown job state 'WEIRD'"):
        slurm.normalise_state("WEIRD")
