"""Cluster profiles: a documented YAML file of named profiles (templates/slurm/profiles.example.yaml).

Looked up in ``--profiles FILE``, else ``$ADATOM_WF_PROFILES``, else ``$XDG_CONFIG_HOME/adatom-wf/profiles.yaml``
(``~/.config/adatom-wf/profiles.yaml``). Unknown keys are rejected and missing required keys named.
"""

import math
import os
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import ConfigDict, Field, ValidationError, field_validator

from adatom_wf.errors import SpecError
from adatom_wf.spec import StrictModel

_TIME = re.compile(r"^(?:(\d+)-)?(\d+)(?::(\d+))?(?::(\d+))?$")
_MEMORY = re.compile(r"^\d+[KMGT]?$")


def slurm_time_seconds(text: str) -> int:
    """Slurm's time formats: M, M:S, H:M:S, D-H, D-H:M, D-H:M:S -> seconds."""
    match = _TIME.match(str(text).strip())
    if not match:
        raise ValueError(f"time {text!r} is not a Slurm time such as 90, 01:30:00 or 2-00:00:00")
    days, a, b, c = match.groups()
    if days is not None:  # D-H, D-H:M, D-H:M:S
        hours, minutes, seconds = int(a), int(b or 0), int(c or 0)
        return ((int(days) * 24 + hours) * 60 + minutes) * 60 + seconds
    if c is not None:  # H:M:S
        return (int(a) * 60 + int(b)) * 60 + int(c)
    if b is not None:  # M:S
        return int(a) * 60 + int(b)
    return int(a) * 60  # M


def slurm_time(seconds: int) -> str:
    """Seconds -> ``D-HH:MM:SS`` (or ``HH:MM:SS`` under a day); whole minutes are rounded up."""
    seconds = max(60, int(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{hours:02d}:{minutes:02d}:{secs:02d}"
    return f"{days}-{text}" if days else text


_MEMORY_UNITS_MB = {"K": 1 / 1024, "M": 1, "G": 1024, "T": 1024 * 1024}


def slurm_memory_mb(text: str) -> int:
    """A Slurm memory size (``4000``, ``4000M``, ``16G``; no unit: megabytes) -> MB, rounded up."""
    text = str(text).strip()
    if not _MEMORY.match(text):
        raise ValueError(f"memory {text!r} is not a Slurm size such as 4000, 4000M or 16G")
    unit = text[-1] if text[-1].isalpha() else "M"
    return max(1, math.ceil(int(text.rstrip("KMGT")) * _MEMORY_UNITS_MB[unit]))


def slurm_memory(mb: int) -> str:
    """MB -> ``<n>M``, the form adatom-wf writes into ``#SBATCH --mem``."""
    return f"{int(mb)}M"


class _Strict(StrictModel):
    """The study's strict model (unknown keys named with the allowed ones), with YAML-friendly coercion."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


def _check_time(value):
    """A Slurm time; a bare number (YAML int) is minutes, as in Slurm."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError(f"time {value!r} is not a Slurm time such as 90, 01:30:00 or 2-00:00:00")
    slurm_time_seconds(str(value))
    return str(value)


def _check_memory(value):
    """A Slurm memory size; a bare number (YAML int) is megabytes, as in Slurm."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)) or not _MEMORY.match(str(value)):
        raise ValueError(f"memory {value!r} is not a Slurm size such as 4000, 4000M or 16G")
    return str(value)


class Resources(_Strict):
    """Slurm resources of one job; a stage section overrides the profile's defaults key by key."""

    time: str | None = None
    nodes: int | None = Field(default=None, ge=1)
    ntasks: int | None = Field(default=None, ge=1)
    cpus_per_task: int | None = Field(default=None, ge=1)
    memory: str | None = None
    partition: str | None = None
    qos: str | None = None

    @field_validator("time", mode="before")
    @classmethod
    def _time_format(cls, value):
        return _check_time(value)

    @field_validator("memory", mode="before")
    @classmethod
    def _memory_format(cls, value):
        return _check_memory(value)


class VaspSettings(Resources):
    command: str  # the VASP command line, e.g. "srun vasp_std"; split like a shell would, every word quoted


class GpawSettings(Resources):
    # What runs `-m adatom_wf.gpaw.relax DIR`, e.g. "srun gpaw python" or "mpiexec -n 8 gpaw python" (GPAW built
    # with MPI). Default: the Python of the adatom-wf that submits (one process).
    command: str | None = None


class MolcasSettings(Resources):
    mem_mb: int | None = Field(default=None, ge=100)  # MOLCAS_MEM; None: from each state's cost estimate
    max_mem_mb: int | None = Field(default=None, ge=100)  # cap of the MOLCAS_MEM taken from the estimate
    nprocs: int = Field(default=1, ge=1)  # MOLCAS_NPROCS
    workdir: str | None = None  # MOLCAS_WORKDIR base (scratch); <workdir>/<study>/<node> is created per node
    scratch_gb: float | None = Field(default=None, gt=0)  # what one job's scratch holds: bigger states are refused


class Profile(_Strict):
    partition: str
    time: str
    account: str | None = None
    qos: str | None = None
    nodes: int = Field(default=1, ge=1)
    ntasks: int = Field(default=1, ge=1)
    cpus_per_task: int = Field(default=1, ge=1)
    memory: str | None = None
    max_time: str | None = None  # resume after TIMEOUT doubles the time limit, up to this (default 4 × time)
    max_memory: str | None = None  # resume after OUT_OF_MEMORY doubles the memory, up to this (default: no cap)
    max_attempts: int = Field(default=4, ge=1)  # attempts per node, the first included
    max_array_size: int | None = Field(default=None, ge=1)  # default: Slurm's MaxArraySize
    sbatch_options: list[str] = []  # extra sbatch options, e.g. ["--constraint=skylake"]
    modules: list[str] = []  # `module load` each, in order
    environment: dict[str, str] = {}  # exported before the node runs
    adatom_wf: str | None = None  # the adatom-wf command on the compute nodes (default: the one submitting)
    vasp: VaspSettings | None = None
    gpaw: GpawSettings = GpawSettings()
    carve: Resources = Resources()
    molcas: MolcasSettings = MolcasSettings()

    @field_validator("time", "max_time", mode="before")
    @classmethod
    def _time_format(cls, value):
        return _check_time(value)

    @field_validator("memory", "max_memory", mode="before")
    @classmethod
    def _memory_format(cls, value):
        return _check_memory(value)

    @field_validator("environment")
    @classmethod
    def _names(cls, value):
        for name in value:
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
                raise ValueError(f"environment variable name {name!r} is not a valid shell name")
        return value

    def stage(self, stage: str, program: str = "vasp") -> Resources:
        """Resources of a stage's jobs: the stage's section over the profile's defaults (relax: the section of the
        study's DFT program, vasp or gpaw)."""
        relax = self.gpaw if program == "gpaw" else self.vasp
        section = {"relax": relax, "carve": self.carve, "integrals": self.molcas, "orbitals": self.molcas,
                   "molcas": self.molcas}.get(stage)
        merged: dict[str, Any] = {"time": self.time, "nodes": self.nodes, "ntasks": self.ntasks,
                                  "cpus_per_task": self.cpus_per_task, "memory": self.memory,
                                  "partition": self.partition, "qos": self.qos}
        if section is not None:
            for key in merged:
                value = getattr(section, key)
                if value is not None:
                    merged[key] = value
        if stage in ("integrals", "orbitals", "molcas") and section is not None and section.cpus_per_task is None:
            merged["cpus_per_task"] = self.molcas.nprocs
        return Resources(**merged)

    def max_time_seconds(self, stage: str, program: str = "vasp") -> int:
        if self.max_time is not None:
            return slurm_time_seconds(self.max_time)
        time = self.stage(stage, program).time
        assert time is not None  # the profile's time where the stage's section has none
        return 4 * slurm_time_seconds(time)

    def max_memory_mb(self) -> int | None:
        return slurm_memory_mb(self.max_memory) if self.max_memory is not None else None


# Used by the local executor when no profile is given: no modules, no VASP command, OpenMolcas defaults.
LOCAL_DEFAULT = Profile(partition="local", time="365-00:00:00")


def default_profiles_file() -> Path:
    explicit = os.environ.get("ADATOM_WF_PROFILES")
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "adatom-wf" / "profiles.yaml"


def load_profile(name: str, profiles_file: str | Path | None = None) -> Profile:
    path = Path(profiles_file).expanduser() if profiles_file else default_profiles_file()
    if not path.is_file():
        raise SpecError(
            f"profiles file {path} not found: write one (see templates/slurm/profiles.example.yaml) "
            "or pass --profiles FILE"
        )
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as error:
        raise SpecError(f"{path}: not valid YAML ({getattr(error, 'problem', error)})") from None
    profiles = (data or {}).get("profiles") if isinstance(data, dict) else None
    if not isinstance(profiles, dict) or not profiles:
        raise SpecError(f"{path}: expected a mapping 'profiles:' of named profiles")
    if name not in profiles:
        raise SpecError(f"unknown profile {name!r} in {path}; its profiles: {', '.join(sorted(profiles))}")
    return parse_profile(profiles[name], f"{path}: profile {name!r}")


def parse_profile(data, source: str = "profile") -> Profile:
    if not isinstance(data, dict):
        raise SpecError(f"{source}: expected a mapping of keys such as partition, time, modules")
    try:
        return Profile.model_validate(data)
    except ValidationError as error:
        missing = [".".join(str(p) for p in item["loc"]) for item in error.errors() if item["type"] == "missing"]
        if missing:
            raise SpecError(f"{source}: missing required key(s) {', '.join(missing)}") from None
        parts = []
        for item in error.errors():
            loc = ".".join(str(p) for p in item["loc"])
            message = item["msg"].removeprefix("Value error, ")
            if item["type"] != "value_error":
                message = f"got {item['input']!r}: {message}"
            parts.append(f"{loc}: {message}" if loc else message)
        raise SpecError(f"{source}: {'; '.join(parts)}") from None
