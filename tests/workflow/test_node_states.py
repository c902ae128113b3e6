"""Node states from result files, job records and Slurm's answers (pure), and the state files themselves."""

import pytest

from adatom_wf.errors import SchedulerError
from adatom_wf.execution.slurm import JobInfo
from adatom_wf.spec import load_study
from adatom_wf.workflow import ledger
from adatom_wf.workflow.graph import study_graph
from adatom_wf.workflow.status import node_state, propagate

SLURM_JOB = {"executor": "slurm", "job_id": "7_0", "time": "00:01:00"}


def info(state, reason="None", exit_code="0:0", memory="1024M"):
    return JobInfo("7_0", state, reason, exit_code, "scontrol", memory)


@pytest.mark.parametrize(
    ("result", "job", "answer", "expected"),
    [
        ({"state": "ok"}, SLURM_JOB, None, ("COMPLETED", "")),
        # Slurm says COMPLETED, the program failed: FAILED with the node's reason
        ({"state": "failed", "reason": "VASP exited with code 1"}, SLURM_JOB, info("COMPLETED"),
         ("FAILED", "VASP exited with code 1")),
        (None, None, None, ("NOT_SUBMITTED", "")),
        (None, SLURM_JOB, info("PENDING", "Priority"), ("PENDING", "Priority")),
        (None, SLURM_JOB, info("RUNNING"), ("RUNNING", "")),
        (None, SLURM_JOB, info("DEPENDENCY_NEVER_SATISFIED", "DependencyNeverSatisfied"),
         ("DEPENDENCY_NEVER_SATISFIED", "a job it depends on failed, so Slurm will never start it")),
        (None, SLURM_JOB, info("TIMEOUT", "TimeLimit", "0:15"), ("TIMEOUT", "reached its time limit (00:01:00)")),
        (None, SLURM_JOB, info("OUT_OF_MEMORY"), ("OUT_OF_MEMORY", "ran out of memory (its limit: 1024M)")),
        (None, {**SLURM_JOB, "memory": "600M"}, info("OUT_OF_MEMORY"),
         ("OUT_OF_MEMORY", "ran out of memory (its limit: 600M)")),
        (None, SLURM_JOB, info("NODE_FAIL"), ("NODE_FAIL", "the compute node failed")),
        (None, SLURM_JOB, info("CANCELLED", "None", "0:15"), ("CANCELLED", "cancelled (scancel or an administrator)")),
        (None, SLURM_JOB, info("PREEMPTED"), ("PREEMPTED", "preempted by a higher-priority job")),
        (None, SLURM_JOB, info("COMPLETED"),
         ("FAILED", "the job ended without the node writing a result (see its log)")),
        (None, SLURM_JOB, info("FAILED", "NonZeroExitCode", "3:0"),
         ("FAILED", "the job failed with exit code 3:0 before the node wrote a result")),
        (None, SLURM_JOB, None, ("LOST", "Slurm no longer knows job 7_0 and the node wrote no result")),
    ],
)
def test_slurm_node_states(result, job, answer, expected):
    assert node_state(result, job, answer) == expected


def test_a_memory_kill_without_cgroups_is_out_of_memory():
    """jobacct_gather's OverMemoryKill: Slurm says FAILED 0:9; slurmstepd's line in the output tells why."""
    killed = info("FAILED", "JobLaunchFailure", "0:9", "100M")
    output = "slurmstepd-vm: error: Exceeded job memory limit\n"
    assert (node_state(None, SLURM_JOB, killed, log_text=output)
            == ("OUT_OF_MEMORY", "ran out of memory (its limit: 100M)"))
    assert node_state(None, SLURM_JOB, killed, log_text="Killed\n")[0] == "FAILED"
    # the node's own verdict still wins
    assert node_state({"state": "failed", "reason": "x"}, SLURM_JOB, killed, log_text=output) == ("FAILED", "x")


def test_local_node_states():
    assert node_state(None, {"executor": "local", "state": "running"}, None, True) == ("RUNNING", "")
    assert node_state(None, {"executor": "local", "state": "queued"}, None, True) == ("PENDING", "")
    assert node_state(None, {"executor": "local", "state": "running"}, None, False)[0] == "LOST"
    assert node_state(None, {"executor": "local", "state": "skipped", "reason": "needs relax.hollow"},
                      None) == ("SKIPPED", "needs relax.hollow")
    assert node_state(None, {"executor": "local", "state": "exited", "exit_code": 1}, None)[0] == "FAILED"


def test_a_pending_job_whose_need_failed_never_starts():
    assert propagate("PENDING", "Dependency", [("carve.hollow-1", "DEPENDENCY_NEVER_SATISFIED")]) == (
        "DEPENDENCY_NEVER_SATISFIED", "needs carve.hollow-1, which did not succeed")
    assert propagate("PENDING", "Dependency", [("carve.hollow-1", "RUNNING")]) == ("PENDING", "Dependency")
    assert propagate("RUNNING", "", [("x", "FAILED")]) == ("RUNNING", "")


def test_snapshot_reads_back_as_the_same_study(tmp_path):
    study = load_study("tb_graphene")
    path = ledger.write_snapshot(tmp_path, study, study_graph(study))
    assert load_study(path).sha256() == study.sha256() == ledger.recorded_study_sha256(tmp_path)


def test_results_are_written_atomically_and_archived(tmp_path):
    ledger.write_result(tmp_path, "relax.hollow", "failed", "VASP exited\n with code 1", attempt=1)
    assert ledger.read_result(tmp_path, "relax.hollow")["reason"] == "VASP exited with code 1"
    ledger.archive_result(tmp_path, "relax.hollow", 1, {"job_id": "3"})
    assert ledger.read_result(tmp_path, "relax.hollow") is None
    kept = ledger.read_json(tmp_path / "workflow" / "history" / "relax.hollow.attempt-1.json")
    assert kept["job"] == {"job_id": "3"} and kept["result"]["state"] == "failed"
    assert not list((tmp_path / "workflow" / "results").glob(".*tmp"))


def test_a_second_submitter_is_refused_while_the_lock_is_held(tmp_path):
    with ledger.study_lock(tmp_path, "demo"):
        assert "adatom-wf pid" in ledger.lock_holder(tmp_path)
        with pytest.raises(SchedulerError, match="study demo is already running"):
            with ledger.study_lock(tmp_path, "demo"):
                pass
    assert ledger.lock_holder(tmp_path) is None
