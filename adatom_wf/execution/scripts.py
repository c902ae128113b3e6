"""Script text, pure: the node script both executors run, and the Slurm batch script of a group of nodes.

One Jinja2 environment with ``StrictUndefined`` over ``templates/slurm/``; every value that reaches the
shell goes through ``shlex.quote`` (filters ``q`` and ``qjoin``).
"""

import shlex
from dataclasses import dataclass
from functools import cache
from importlib import resources

from jinja2 import Environment, FunctionLoader, StrictUndefined

from adatom_wf.execution.profiles import Profile, Resources
from adatom_wf.facts import MOLCAS_DEFAULT_MEM_MB


def _load(name: str):
    path = resources.files("adatom_wf.templates").joinpath("slurm", name)
    return path.read_text(), None, lambda: True


@cache
def environment() -> Environment:
    env = Environment(loader=FunctionLoader(_load), undefined=StrictUndefined, trim_blocks=True,
                      lstrip_blocks=True, keep_trailing_newline=True, autoescape=False)
    env.filters["q"] = lambda value: shlex.quote(str(value))
    env.filters["qjoin"] = lambda words: " ".join(shlex.quote(str(word)) for word in words)
    return env


@dataclass(frozen=True)
class NodeContext:
    """Everything a node script needs besides the profile (absolute paths)."""

    study: str
    node: str
    stage: str
    directory: str  # the node's directory
    study_file: str  # workflow/study.yaml
    runs_dir: str
    result_file: str
    attempt: int
    adatom_wf: tuple[str, ...]  # the command that runs adatom-wf on the compute node
    molcas_mem_mb: int | None = None  # MOLCAS_MEM of a molcas node from its cost estimate (None: the profile's)
    gpaw_command: tuple[str, ...] = ()  # a relax node of a GPAW study: what runs `-m adatom_wf.gpaw.relax DIR`


def node_script(context: NodeContext, profile: Profile) -> str:
    """The bash script of one node: modules, environment, then the node's command (VASP or GPAW + judge for
    relax)."""
    values = {
        "study": context.study,
        "node": context.node,
        "stage": context.stage,
        "directory": context.directory,
        "study_file": context.study_file,
        "runs_dir": context.runs_dir,
        "result_file": context.result_file,
        "attempt": int(context.attempt),
        "adatom_wf": list(context.adatom_wf),
        "modules": list(profile.modules),
        "environment": sorted(profile.environment.items()),
        "vasp_command": shlex.split(profile.vasp.command) if profile.vasp is not None else [],
        "gpaw_command": list(context.gpaw_command),
        "molcas_mem_mb": int(context.molcas_mem_mb or profile.molcas.mem_mb or MOLCAS_DEFAULT_MEM_MB),
        "molcas_nprocs": int(profile.molcas.nprocs),
        "molcas_workdir": molcas_workdir(profile, context),
    }
    return environment().get_template("node.sh.j2").render(**values)


def molcas_workdir(profile: Profile, context: NodeContext) -> str:
    """Scratch of one OpenMolcas node: <workdir>/<study>/<node> (default: the node's directory/scratch)."""
    if profile.molcas.workdir:
        return f"{profile.molcas.workdir.rstrip('/')}/{context.study}/{context.node}"
    return f"{context.directory}/scratch"


@dataclass(frozen=True)
class BatchJob:
    """One sbatch call: a job array (or a single job) over nodes of one stage with the same needs."""

    study: str
    stage: str
    nodes: tuple[str, ...]
    scripts: tuple[str, ...]  # node script paths, array task i runs scripts[i]
    resources: Resources
    time: str
    log_dir: str

    @property
    def job_name(self) -> str:
        return f"{self.study}:{self.stage}"

    @property
    def is_array(self) -> bool:
        return len(self.nodes) > 1

    def log_file(self, job_id: str, index: int) -> str:
        """Where Slurm writes task ``index``'s output once the job id is known."""
        if self.is_array:
            return f"{self.log_dir}/{self.stage}-{job_id}_{index}.out"
        return f"{self.log_dir}/{self.stage}-{job_id}.out"


def batch_script(job: BatchJob, profile: Profile) -> str:
    output = f"{job.log_dir}/{job.stage}-%A_%a.out" if job.is_array else f"{job.log_dir}/{job.stage}-%j.out"
    values = {
        "job_name": job.job_name,
        "study": job.study,
        "stage": job.stage,
        "resources": job.resources,
        "account": profile.account,
        "time": job.time,
        "output": output,
        "array": f"0-{len(job.nodes) - 1}" if job.is_array else "",
        "sbatch_options": list(profile.sbatch_options),
        "scripts": list(zip(job.nodes, job.scripts)),
    }
    return environment().get_template("batch.sh.j2").render(**values)
