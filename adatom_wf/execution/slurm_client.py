"""Slurm, the thin part: run sbatch, squeue, sacct, scontrol and scancel; count the calls."""

import shutil
import subprocess
from collections import Counter

from adatom_wf.errors import SchedulerError
from adatom_wf.execution import slurm

TIMEOUT_SECONDS = 120


class SlurmClient:
    """Runs Slurm's commands (found on PATH; SLURM_CONF and the like come from the environment)."""

    def __init__(self):
        self.calls = Counter()

    def _run(self, command: list[str], check: bool = True) -> subprocess.CompletedProcess:
        program = command[0]
        if shutil.which(program) is None:
            raise SchedulerError(
                f"{program} not found: this machine has no Slurm client commands on PATH; "
                "use --executor local, or run from a Slurm login node"
            )
        self.calls[program] += 1
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            raise SchedulerError(f"{program} did not answer within {TIMEOUT_SECONDS} s") from None
        if check and result.returncode != 0:
            message = " ".join((result.stderr or result.stdout).split()) or f"exit code {result.returncode}"
            raise SchedulerError(f"{' '.join(command[:3])} failed: {message}")
        return result

    @staticmethod
    def available() -> bool:
        return shutil.which("sbatch") is not None

    def submit(self, script: str, after_ok: list[str]) -> str:
        result = self._run(slurm.sbatch_command(script, after_ok), check=False)
        if result.returncode != 0:
            raise SchedulerError(f"sbatch refused the job: {slurm.sbatch_error(result.stderr or result.stdout)}")
        return slurm.parse_sbatch(result.stdout)

    def cancel(self, job_ids: list[str]) -> None:
        if job_ids:
            self._run(["scancel", *job_ids], check=False)

    def max_array_size(self) -> int | None:
        result = self._run(["scontrol", "show", "config"], check=False)
        return slurm.max_array_size(result.stdout) if result.returncode == 0 else None

    def query(self, job_ids: list[str]) -> dict[str, slurm.JobInfo]:
        """States of jobs and array tasks: squeue for live jobs, then sacct, else scontrol (no accounting)."""
        bases = sorted({slurm.base_job_id(job) for job in job_ids}, key=int)
        if not bases:
            return {}
        found = {}
        result = self._run(slurm.squeue_command(bases), check=False)
        if result.returncode == 0:
            found.update(slurm.parse_squeue(result.stdout))
        elif "invalid job id" not in result.stderr.lower():
            raise SchedulerError(f"squeue failed: {' '.join(result.stderr.split())}")
        missing = [job for job in job_ids if job not in found]
        if not missing:
            return found
        missing_bases = sorted({slurm.base_job_id(job) for job in missing}, key=int)
        result = self._run(slurm.sacct_command(missing_bases), check=False)
        if result.returncode == 0:
            for job_id, info in slurm.parse_sacct(result.stdout).items():
                found.setdefault(job_id, info)
            return found
        if not slurm.sacct_disabled(result.stderr):
            raise SchedulerError(f"sacct failed: {' '.join(result.stderr.split())}")
        for base in missing_bases:  # accounting disabled: the controller still knows jobs for MinJobAge
            result = self._run(slurm.scontrol_command(base), check=False)
            if result.returncode == 0:
                for job_id, info in slurm.parse_scontrol(result.stdout).items():
                    found.setdefault(job_id, info)
        return found
