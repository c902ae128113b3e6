"""Slurm, pure: command lines, and the parsing of what sbatch, squeue, sacct and scontrol answer.

Nothing here runs a program (slurm_client.py does). The sample lines in the docstrings are real output of
Slurm 22.05 (Debian's slurm-wlm) on the throwaway test cluster, as are the fixtures in tests/execution/.
"""

import re
from dataclasses import dataclass

from adatom_wf.errors import SchedulerError

# Slurm job states as adatom-wf reports them (a node state is one of these, or one of workflow.status's).
PENDING, RUNNING, COMPLETED, FAILED = "PENDING", "RUNNING", "COMPLETED", "FAILED"
TIMEOUT, OUT_OF_MEMORY, NODE_FAIL = "TIMEOUT", "OUT_OF_MEMORY", "NODE_FAIL"
CANCELLED, PREEMPTED = "CANCELLED", "PREEMPTED"
DEPENDENCY_NEVER_SATISFIED = "DEPENDENCY_NEVER_SATISFIED"

# Slurm's long state names (squeue %T, sacct State, scontrol JobState) -> ours.
_STATES = {
    "PENDING": PENDING, "REQUEUED": PENDING, "REQUEUE_FED": PENDING, "REQUEUE_HOLD": PENDING,
    "RESV_DEL_HOLD": PENDING, "SUSPENDED": RUNNING, "STOPPED": RUNNING, "SIGNALING": RUNNING,
    "RUNNING": RUNNING, "CONFIGURING": RUNNING, "COMPLETING": RUNNING, "STAGE_OUT": RUNNING,
    "RESIZING": RUNNING, "COMPLETED": COMPLETED, "FAILED": FAILED, "SPECIAL_EXIT": FAILED,
    "TIMEOUT": TIMEOUT, "DEADLINE": TIMEOUT, "OUT_OF_MEMORY": OUT_OF_MEMORY, "NODE_FAIL": NODE_FAIL,
    "BOOT_FAIL": NODE_FAIL, "CANCELLED": CANCELLED, "REVOKED": CANCELLED, "PREEMPTED": PREEMPTED,
}  # fmt: skip
ACTIVE = (PENDING, RUNNING)
# Reasons Slurm gives a job whose dependency can no longer be met.
_NEVER = ("DependencyNeverSatisfied",)


@dataclass(frozen=True)
class JobInfo:
    """What the scheduler says about one job (or one array task: ``job_id`` = ``<array id>_<index>``)."""

    job_id: str
    state: str  # one of the states above
    reason: str = ""
    exit_code: str = ""
    source: str = ""  # squeue | sacct | scontrol
    memory: str = ""  # the job's memory as Slurm gave it (``mem=`` of its TRES: ``600M``); "" when not told


def normalise_state(text: str, reason: str = "") -> str:
    """``CANCELLED by 0`` -> CANCELLED; a job pending (or cancelled) on an impossible dependency gets its own state."""
    word = text.strip().split(" ")[0].rstrip("+").upper()
    state = _STATES.get(word)
    if state is None:
        raise SchedulerError(f"Slurm reported an unknown job state {text!r}")
    if state in (PENDING, CANCELLED) and reason in _NEVER:
        return DEPENDENCY_NEVER_SATISFIED
    return state


# --- sbatch ----------------------------------------------------------------------------------------------------

def sbatch_command(script: str, after_ok: list[str]) -> list[str]:
    command = ["sbatch", "--parsable"]
    if after_ok:
        command.append("--dependency=afterok:" + ":".join(after_ok))
    return command + [script]


def parse_sbatch(stdout: str) -> str:
    """``sbatch --parsable`` prints ``<job id>`` or ``<job id>;<cluster>``::

        42
    """
    lines = [line.strip() for line in stdout.splitlines() if line.strip()]
    match = re.fullmatch(r"(\d+)(?:;\S+)?", lines[-1]) if lines else None
    if not match:
        raise SchedulerError(f"sbatch printed no job id (got {stdout.strip()!r})")
    return match.group(1)


def sbatch_error(stderr: str) -> str:
    """Slurm's own words, on one line::

        sbatch: error: invalid partition specified: nope
        sbatch: error: Batch job submission failed: Invalid partition name specified
    """
    lines = [re.sub(r"^sbatch: (error: )?", "", line.strip()) for line in stderr.splitlines() if line.strip()]
    unique = list(dict.fromkeys(lines))
    return "; ".join(unique) or "sbatch failed without a message"


# --- squeue ----------------------------------------------------------------------------------------------------

SQUEUE_FORMAT = "%i|%T|%r"


def squeue_command(job_ids: list[str]) -> list[str]:
    return ["squeue", "--noheader", "--array", "--format", SQUEUE_FORMAT, "--jobs", ",".join(job_ids)]


def parse_squeue(text: str) -> dict[str, JobInfo]:
    """``squeue --noheader --array --format '%i|%T|%r'``, one job or array task per line::

        7_0|RUNNING|None
        7_1|PENDING|Resources
        8|PENDING|DependencyNeverSatisfied
    """
    jobs = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        parts = line.strip().split("|")
        if len(parts) != 3:
            raise SchedulerError(f"unexpected squeue line {line!r} (expected JOBID|STATE|REASON)")
        job_id, state, reason = parts
        jobs[job_id] = JobInfo(job_id, normalise_state(state, reason), reason, "", "squeue")
    return jobs


# --- sacct -----------------------------------------------------------------------------------------------------

SACCT_FIELDS = ("JobID", "State", "ExitCode", "Reason", "ReqTRES")


def sacct_command(job_ids: list[str]) -> list[str]:
    return ["sacct", "--noheader", "--parsable2", "--allocations", "--format=" + ",".join(SACCT_FIELDS),
            "--jobs", ",".join(job_ids)]


def parse_sacct(text: str, fields: tuple[str, ...] = SACCT_FIELDS, delimiter: str = "|") -> dict[str, JobInfo]:
    """``sacct --noheader --parsable2 --allocations --format=JobID,State,ExitCode,Reason,ReqTRES``, from slurmdbd::

        12_0|TIMEOUT|0:0|None|billing=1,cpu=1,mem=256M,node=1
        14|FAILED|0:9|None|billing=1,cpu=1,mem=600M,node=1
        15|CANCELLED by 0|0:0|Dependency|billing=1,cpu=1,mem=256M,node=1
        16|NODE_FAIL|0:0|None|billing=1,cpu=1,mem=256M,node=1

    (14 went over its memory under jobacct_gather/linux: see :func:`memory_exceeded`.) Job steps (``7.batch``,
    ``7.0``) are skipped; ``fields`` and ``delimiter`` allow other formats.
    """
    index = {name: fields.index(name) for name in ("JobID", "State")}
    jobs = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        parts = line.rstrip("\n").split(delimiter)
        if len(parts) != len(fields):
            raise SchedulerError(f"unexpected sacct line {line!r} (expected {len(fields)} fields)")
        job_id = parts[index["JobID"]]
        if "." in job_id:
            continue
        reason = parts[fields.index("Reason")] if "Reason" in fields else ""
        exit_code = parts[fields.index("ExitCode")] if "ExitCode" in fields else ""
        memory = tres_memory(parts[fields.index("ReqTRES")]) if "ReqTRES" in fields else ""
        jobs[job_id] = JobInfo(job_id, normalise_state(parts[index["State"]], reason), reason, exit_code, "sacct",
                               memory)
    return jobs


def tres_memory(tres: str) -> str:
    """``billing=1,cpu=1,mem=600M,node=1`` -> ``600M`` ("" without a mem entry)."""
    for item in tres.split(","):
        key, _, value = item.partition("=")
        if key == "mem":
            return value
    return ""


# Written into the job's output by slurmstepd when jobacct_gather's OverMemoryKill (no cgroups) kills a job over
# its --mem; Slurm 22.05 then calls the job FAILED with ExitCode 0:9 (under cgroups the state is OUT_OF_MEMORY).
_MEMORY_EXCEEDED = ("Exceeded job memory limit", "Exceeded step memory limit")


def memory_exceeded(log_text: str) -> bool:
    """Whether a job's output says Slurm killed it for its memory::

        slurmstepd-vm: error: StepId=14.batch exceeded memory limit (840421376 > 629145600), being killed
        slurmstepd-vm: error: Exceeded job memory limit
    """
    return any(marker in log_text for marker in _MEMORY_EXCEEDED)


def sacct_disabled(stderr: str) -> bool:
    """``Slurm accounting storage is disabled`` (no slurmdbd): fall back to scontrol."""
    return "accounting storage is disabled" in stderr.lower()


# --- scontrol --------------------------------------------------------------------------------------------------

def scontrol_command(job_id: str) -> list[str]:
    return ["scontrol", "--oneliner", "show", "job", job_id]


_PAIR = re.compile(r"(?:^|\s)([A-Za-z][A-Za-z0-9_:/]*)=")


def parse_scontrol(text: str) -> dict[str, JobInfo]:
    """``scontrol --oneliner show job ID``: one record per line of ``Key=Value`` pairs (values may hold spaces)::

        JobId=13 ArrayJobId=9 ArrayTaskId=0 JobName=cap:relax ... JobState=TIMEOUT Reason=TimeLimit ... ExitCode=0:15

    Array tasks are keyed ``<ArrayJobId>_<ArrayTaskId>``.
    """
    jobs = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        record = scontrol_record(line)
        if "JobId" not in record or "JobState" not in record:
            raise SchedulerError(f"unexpected scontrol line {line[:80]!r} (no JobId/JobState)")
        task = record.get("ArrayTaskId")
        array = record.get("ArrayJobId")
        job_id = f"{array}_{task}" if array and task and task.isdigit() else record["JobId"]
        reason = record.get("Reason", "")
        jobs[job_id] = JobInfo(job_id, normalise_state(record["JobState"], reason), reason,
                               record.get("ExitCode", ""), "scontrol", tres_memory(record.get("TRES", "")))
    return jobs


def scontrol_record(line: str) -> dict[str, str]:
    matches = list(_PAIR.finditer(line))
    record = {}
    for n, match in enumerate(matches):
        end = matches[n + 1].start() if n + 1 < len(matches) else len(line)
        record[match.group(1)] = line[match.end():end].strip()
    return record


def max_array_size(config_text: str) -> int | None:
    """``MaxArraySize            = 1001`` from ``scontrol show config``: the largest index is one less."""
    match = re.search(r"^MaxArraySize\s*=\s*(\d+)", config_text, re.MULTILINE)
    return int(match.group(1)) if match else None


def base_job_id(job_id: str) -> str:
    """``12_3`` -> ``12``."""
    return job_id.split("_")[0]
