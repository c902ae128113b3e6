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


def test_sacct_after_faults_from_slurmdbd():
    jobs = slurm.parse_sacct(read("sacct_faults.txt"))
    assert {k: (v.state, v.exit_code, v.memory) for k, v in jobs.items()} == {
        "1": ("FAILED", "0:9", "100M"),  # over its --mem: FAILED, the output says why (below)
        "5": ("CANCELLED", "0:0", "256M"),  # scancel while pending on its dependency
        "7": ("NODE_FAIL", "0:0", "256M"),
        "10_0": ("TIMEOUT", "0:0", "100M"),
        "10_1": ("FAILED", "0:9", "100M")}
    assert jobs["5"].reason == "Dependency" and jobs["10_0"].source == "sacct"
    text = "7_0|COMPLETED|0:0|None|billing=1,cpu=1,mem=1G,node=1\n7.batch|COMPLETED|0:0||cpu=1,mem=1G,node=1\n" \
           "11|OUT_OF_MEMORY|0:125|None|\n13|PREEMPTED|0:0|None|\n14|PENDING|0:0|DependencyNeverSatisfied|\n"
    jobs = slurm.parse_sacct(text)  # states the test cluster cannot produce (cgroups, preemption), sacct(1)'s format
    assert {k: v.state for k, v in jobs.items()} == {
        "7_0": "COMPLETED", "11": "OUT_OF_MEMORY", "13": "PREEMPTED", "14": "DEPENDENCY_NEVER_SATISFIED"}
    assert jobs["7_0"].memory == "1G" and jobs["11"].memory == ""
    with pytest.raises(SchedulerError, match="unexpected sacct line"):
        slurm.parse_sacct("1|COMPLETED\n")


def test_scontrol_after_faults_matches_sacct():
    by_scontrol = slurm.parse_scontrol(read("scontrol_faults.txt"))
    by_sacct = slurm.parse_sacct(read("sacct_faults.txt"))
    assert {k: (v.state, v.memory) for k, v in by_scontrol.items()} == \
        {k: (v.state, v.memory) for k, v in by_sacct.items()}
    assert by_scontrol["10_0"].exit_code == "0:15" != by_sacct["10_0"].exit_code  # the signal, as the controller saw it
    assert by_scontrol["1"].reason == "JobLaunchFailure" and by_scontrol["7"].reason == "NodeDown"


def test_a_memory_kill_is_told_by_the_job_output():
    assert slurm.memory_exceeded(read("oom_job_output.txt"))
    assert not slurm.memory_exceeded(read("sbatch_bad_partition_stderr.txt"))
    assert not slurm.memory_exceeded("slurmstepd-vm: error: *** JOB 11 ON vm CANCELLED AT 2026-12-02T00:02:21 "
                                     "DUE TO TIME LIMIT ***")


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
