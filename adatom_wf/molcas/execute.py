"""Run one OpenMolcas input in a directory and judge it from its log (reusable by any executor).

Split as the design asks: :func:`pymolcas_command` and :func:`molcas_environment` are pure and unit-tested,
the verdict is :mod:`.verdict`'s; :func:`run_molcas` only runs the command and applies them.

Facts this relies on (OpenMolcas 22.10, Debian): the driver must run under the system Python
(``/usr/bin/python3 /usr/bin/pymolcas``: a pyparsing >= 3.3 on the first ``python3`` of PATH breaks it);
``$MOLCAS_WORKDIR`` must exist (pymolcas creates only ``$MOLCAS_WORKDIR/$Project``).
"""

import os
import shlex
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from adatom_wf.errors import ProgramNotFound
from adatom_wf.molcas.verdict import ModuleRun, judge, parse_log

SYSTEM_PYTHON = Path("/usr/bin/python3")
DEBIAN_PYMOLCAS = Path("/usr/bin/pymolcas")

@dataclass(frozen=True)
class MolcasProcess:
    """The verdict on one pymolcas run: status "ok" or "failed", why, and every module's return code."""

    input_name: str
    status: str
    failure: str
    exit_code: int
    modules: tuple[ModuleRun, ...]
    wall_seconds: float
    log_name: str

    def record(self) -> dict:
        return {"input": self.input_name, "log": self.log_name, "status": self.status, "failure": self.failure,
                "exit_code": self.exit_code, "wall_seconds": round(self.wall_seconds, 1),
                "modules": [{"module": m.name, "rc": m.rc, "code": m.code, "seconds": m.seconds} for m in self.modules]}


def pymolcas_command(environ=None) -> list[str]:
    """The driver: $ADATOM_WF_PYMOLCAS, else Debian's pymolcas under the system Python, else pymolcas on PATH."""
    environ = os.environ if environ is None else environ
    if environ.get("ADATOM_WF_PYMOLCAS"):
        return shlex.split(environ["ADATOM_WF_PYMOLCAS"])
    if DEBIAN_PYMOLCAS.is_file() and SYSTEM_PYTHON.is_file():
        return [str(SYSTEM_PYTHON), str(DEBIAN_PYMOLCAS)]
    found = shutil.which("pymolcas", path=environ.get("PATH"))
    if found:
        return [found]
    raise ProgramNotFound("OpenMolcas not found: install it (apt-get install openmolcas) or set ADATOM_WF_PYMOLCAS "
                         "to the driver command")


def molcas_environment(environ, *, project: str, workdir: Path, nprocs: int, mem_mb: int) -> dict[str, str]:
    """The environment of one pymolcas run (pure).

    Debian's build is serial with OpenMP: MOLCAS_NPROCS is passed on, and the threads default to nprocs.
    PYTHONPATH/PYTHONHOME are dropped so the system Python does not pick up a virtualenv's pyparsing.
    """
    env = {k: v for k, v in environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env.update({"Project": project, "MOLCAS_PROJECT": project, "MOLCAS_WORKDIR": str(workdir),
                "MOLCAS_MEM": str(int(mem_mb)), "MOLCAS_NPROCS": str(int(nprocs))})
    env.setdefault("OMP_NUM_THREADS", str(int(nprocs)))
    return env


def run_molcas(directory: str | Path, input_name: str, nprocs: int = 1, mem_mb: int = 2000, *,
               project: str | None = None, workdir: str | Path | None = None,
               timeout_seconds: float | None = None) -> MolcasProcess:
    """Run ``pymolcas input_name`` in ``directory`` and judge it; the log goes to ``<input stem>.log``.

    ``workdir`` (default ``$MOLCAS_WORKDIR``, else ``directory/scratch``) is created if missing; the
    integrals of a previous run with the same ``project`` there are reused (that is how step 2 reads step 1's).
    """
    directory = Path(directory).resolve()
    stem = input_name[:-len(".input")] if input_name.endswith(".input") else input_name
    project = project or stem.split(".")[0]
    workdir = Path(workdir or os.environ.get("MOLCAS_WORKDIR") or directory / "scratch").resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    env = molcas_environment(os.environ, project=project, workdir=workdir, nprocs=nprocs, mem_mb=mem_mb)
    command = pymolcas_command(env) + [input_name]
    log_name, err_name = f"{stem}.log", f"{stem}.err"
    start = time.perf_counter()
    with open(directory / log_name, "wb") as out, open(directory / err_name, "wb") as err:
        try:
            exit_code = subprocess.run(command, cwd=directory, env=env, stdout=out, stderr=err,
                                       timeout=timeout_seconds).returncode
        except subprocess.TimeoutExpired:
            exit_code = -9
        except OSError as error:
            raise ProgramNotFound(f"cannot start OpenMolcas ({' '.join(command)}): {error.strerror}") from None
    wall = time.perf_counter() - start
    summary = parse_log((directory / log_name).read_text(errors="replace"),
                        (directory / err_name).read_text(errors="replace"))
    verdict = judge(exit_code, summary, log_name)
    status, failure = verdict.status, verdict.reason
    if exit_code == -9:
        status, failure = "failed", f"pymolcas stopped after the {timeout_seconds:g} s time limit ({log_name})"
    return MolcasProcess(input_name, status, failure, exit_code, summary.modules, wall, log_name)
