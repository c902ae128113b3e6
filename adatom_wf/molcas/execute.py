"""Run one OpenMolcas input in a directory and judge it from its log (reusable by any executor).

Split as the design asks: :func:`pymolcas_command`, :func:`molcas_environment`, :func:`parse_log` and
:func:`judge` are pure and unit-tested; :func:`run_molcas` only runs the command and applies them.

Facts this relies on (OpenMolcas 22.10, Debian): the driver must run under the system Python
(``/usr/bin/python3 /usr/bin/pymolcas``: a pyparsing >= 3.3 on the first ``python3`` of PATH breaks it);
``$MOLCAS_WORKDIR`` must exist (pymolcas creates only ``$MOLCAS_WORKDIR/$Project``); every module ends
with ``--- Stop Module: <name> at <date> /rc=<code> ---``; success ends with "Happy landing".
"""

import os
import re
import shlex
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from adatom_wf.errors import SchedulerError

SYSTEM_PYTHON = Path("/usr/bin/python3")
DEBIAN_PYMOLCAS = Path("/usr/bin/pymolcas")

# data/rcodes.txt of OpenMolcas (the names a module's rc is printed with)
RETURN_CODES = {
    "_RC_ALL_IS_WELL_": 0, "_RC_JOB_KILLED_": 1, "_RC_NOT_AVAILABLE_": 36, "_RC_INVOKED_OTHER_MODULE_": 65,
    "_RC_EXIT_EXPECTED_": 69, "_RC_GENERAL_WARNING_": 80, "_RC_NOT_CONVERGED_": 96, "_RC_TIMEOUT_": 100,
    "_RC_INPUT_ERROR_": 112, "_RC_INPUT_EMIL_ERROR_": 113, "_RC_CHECK_ERROR_": 116, "_RC_INSTALL_ERROR_": 117,
    "_RC_INTERNAL_ERROR_": 128, "_RC_EXTERNAL_TERMINATION_": 129, "_RC_GENERAL_ERROR_": 130,
    "_RC_FLOATING_EXCEPTION_": 134, "_RC_EXTERNAL_TERM_": 137, "_RC_MEMORY_ERROR_": 139,
    "_RC_IO_ERROR_WRITE_": 161, "_RC_IO_ERROR_READ_": 162,
}
SUCCESS_CODES = ("_RC_ALL_IS_WELL_", "_RC_INVOKED_OTHER_MODULE_", "_RC_EXIT_EXPECTED_", "0")

# No "^" anchors: a pattern that starts with a literal is searched for fast (5-10x on a 3 MB log).
# One scan finds the three module lines (bench/bench_parse.py).
_MODULE_LINE = re.compile(r"--- (?:Start Module:\s+(?P<start>\S+) at |Stop Module:\s+(?P<stop>\S+) at .*?/rc=(?P<rc>\S+) ---"
                          r"|Module (?P<spent>\S+) spent (?P<time>.*?) ---)")
_WALL = re.compile(r"Timing: Wall=\s*([0-9.]+)")
_BOX = re.compile(r" ###[ \t]{3,}(\S.*?)\s*###[ \t]*$", re.M)
_XQUIT = re.compile(r"xquit \(rc =\s*(\d+)\): (\S+)")
_NOISE = re.compile(r"RunFile label|was used\s+\d+ times")


@dataclass(frozen=True)
class ModuleRun:
    """One module of a log: its name, return code as printed (``_RC_ALL_IS_WELL_``, ``-6``), wall time, and
    the error lines OpenMolcas boxed in ``###`` while it ran (warnings about RunFile labels left out)."""

    name: str
    rc: str
    seconds: float | None = None
    messages: tuple[str, ...] = ()

    @property
    def code(self) -> int | None:
        if self.rc in RETURN_CODES:
            return RETURN_CODES[self.rc]
        try:
            return int(self.rc)
        except ValueError:
            return None

    @property
    def ok(self) -> bool:
        return self.rc in SUCCESS_CODES


@dataclass(frozen=True)
class LogSummary:
    modules: tuple[ModuleRun, ...]
    unfinished: str | None  # a module that started and never stopped (killed mid-run)
    happy_landing: bool
    wall_seconds: float | None
    messages: tuple[str, ...]  # ### box lines outside any module (EMIL input errors)
    stderr_messages: tuple[str, ...] = ()  # xquit lines of the error stream (where OpenMolcas writes them)
    last_line: str = ""  # the last non-blank line of the log, else of the error stream (why a driver stopped)


@dataclass(frozen=True)
class MolcasRun:
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


def _seconds(text: str) -> float | None:
    total, found = 0.0, False
    for number, unit in re.findall(r"([0-9.]+)\s*(hour|minute|second)s?", text):
        total += float(number) * {"hour": 3600, "minute": 60, "second": 1}[unit]
        found = True
    return total if found else None


def parse_log(text: str, stderr_text: str = "") -> LogSummary:
    """Modules and return codes of a pymolcas log, in order.

    The lines it reads::

        --- Start Module: rasscf at Sun Nov 22 05:54:17 2026 ---
        [ process      0]: xquit (rc =    139): _MEMORY_ERROR_
        --- Stop Module: rasscf at Sun Nov 22 05:54:18 2026 /rc=-6 ---
        --- Module rasscf spent 1 minute 6 seconds ---
            Timing: Wall=84.18 User=74.03 System=3.76
        .# Happy landing! #.
    """
    stops, starts, spent, started = [], [], [], []
    for m in _MODULE_LINE.finditer(text):
        if m.group("start"):
            starts.append(m.start())
            started.append(m.group("start"))
        elif m.group("stop"):
            stops.append((m.start(), m.group("stop"), m.group("rc")))
        else:
            spent.append((m.start(), m.group("spent"), _seconds(m.group("time"))))
    boxes = [(m.start(), m.group(1)) for m in _BOX.finditer(text) if not _NOISE.search(m.group(1))]
    boxes += [(m.start(), f"xquit {m.group(2)} (rc {m.group(1)})") for m in _XQUIT.finditer(text)]
    boxes.sort()
    modules, begin = [], 0
    for position, name, rc in stops:
        begin = max([p for p in starts if p < position], default=begin)
        seconds = next((s for p, n, s in spent if p > position and n == name), None)
        messages = tuple(line for p, line in boxes if begin < p < position)
        modules.append(ModuleRun(name, rc, seconds, messages))
    unfinished = started[-1] if len(started) > len(stops) else None
    inside = [(b, e) for b, e in zip(starts, [p for p, _, _ in stops])]
    loose = tuple(line for p, line in boxes if not any(b < p < e for b, e in inside))
    wall = _WALL.findall(text[-65536:])  # the driver's timing line closes the log
    stderr_messages = tuple(f"xquit {m.group(2)} (rc {m.group(1)})" for m in _XQUIT.finditer(stderr_text))
    tail = text[-4096:].strip() or stderr_text[-4096:].strip()  # the last line, without copying a 3 MB log
    last = [line.strip() for line in tail.splitlines() if line.strip()]
    return LogSummary(tuple(modules), unfinished, "Happy landing" in text[-65536:],
                      float(wall[-1]) if wall else None, loose, stderr_messages, last[-1][:200] if last else "")


def judge(exit_code: int, summary: LogSummary, log_name: str) -> tuple[str, str]:
    """("ok", "") or ("failed", why): the module and its return code, read from the log."""
    for module in summary.modules:
        if not module.ok:
            what = "did not converge" if module.rc == "_RC_NOT_CONVERGED_" else "failed"
            messages = module.messages or summary.stderr_messages
            detail = f": {'; '.join(messages[:4])}" if messages else ""
            return "failed", f"{module.name} {what}: rc={module.rc} (code {module.code}) in {log_name}{detail}"
    if summary.unfinished:
        return "failed", f"{summary.unfinished} started but never finished (killed?) in {log_name}"
    if exit_code != 0:
        messages = summary.messages[:4] or ((summary.last_line,) if summary.last_line and not summary.modules else ())
        detail = f": {'; '.join(messages)}" if messages else ""
        return "failed", f"pymolcas exited with code {exit_code} in {log_name}{detail}"
    if not summary.happy_landing:
        return "failed", f"{log_name} has no 'Happy landing': OpenMolcas did not finish"
    return "ok", ""


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
    raise SchedulerError("OpenMolcas not found: install it (apt-get install openmolcas) or set ADATOM_WF_PYMOLCAS "
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
               timeout_seconds: float | None = None) -> MolcasRun:
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
            raise SchedulerError(f"cannot start OpenMolcas ({' '.join(command)}): {error.strerror}") from None
    wall = time.perf_counter() - start
    summary = parse_log((directory / log_name).read_text(errors="replace"),
                        (directory / err_name).read_text(errors="replace"))
    status, failure = judge(exit_code, summary, log_name)
    if exit_code == -9:
        status, failure = "failed", f"pymolcas stopped after the {timeout_seconds:g} s time limit ({log_name})"
    return MolcasRun(input_name, status, failure, exit_code, summary.modules, wall, log_name)
