"""Did an OpenMolcas run succeed? Its modules, their return codes and the verdict, read from its log.

Pure (unit-tested on real logs): :func:`parse_log` reads every module's Start/Stop lines, return code, wall
time and boxed error lines; :func:`judge` says ok or failed, and why. Used by :func:`.execute.run_molcas` right
after a run and by :mod:`.results` when a finished run directory is parsed, so both judge alike.

Facts this relies on (OpenMolcas 22.10, Debian): every module ends with ``--- Stop Module: <name> at <date>
/rc=<code> ---``; success ends with "Happy landing".
"""

import re
from dataclasses import dataclass

from adatom_wf.molcas.log_index import SUCCESS_CODES, XQUIT, LogIndex, index_log
from adatom_wf.verdict import Verdict

# data/rcodes.txt of OpenMolcas (the names a module's rc is printed with)
RETURN_CODES = {
    "_RC_ALL_IS_WELL_": 0, "_RC_JOB_KILLED_": 1, "_RC_NOT_AVAILABLE_": 36, "_RC_INVOKED_OTHER_MODULE_": 65,
    "_RC_EXIT_EXPECTED_": 69, "_RC_GENERAL_WARNING_": 80, "_RC_NOT_CONVERGED_": 96, "_RC_TIMEOUT_": 100,
    "_RC_INPUT_ERROR_": 112, "_RC_INPUT_EMIL_ERROR_": 113, "_RC_CHECK_ERROR_": 116, "_RC_INSTALL_ERROR_": 117,
    "_RC_INTERNAL_ERROR_": 128, "_RC_EXTERNAL_TERMINATION_": 129, "_RC_GENERAL_ERROR_": 130,
    "_RC_FLOATING_EXCEPTION_": 134, "_RC_EXTERNAL_TERM_": 137, "_RC_MEMORY_ERROR_": 139,
    "_RC_IO_ERROR_WRITE_": 161, "_RC_IO_ERROR_READ_": 162,
}

# The module lines, ### boxes and xquit lines are found by the one pass of .log_index (bench/bench_parse.py).
_WALL = re.compile(r"Timing: Wall=\s*([0-9.]+)")
_XQUIT = XQUIT
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


def _seconds(text: str) -> float | None:
    total, found = 0.0, False
    for number, unit in re.findall(r"([0-9.]+)\s*(hour|minute|second)s?", text):
        total += float(number) * {"hour": 3600, "minute": 60, "second": 1}[unit]
        found = True
    return total if found else None


def parse_log(text: str, stderr_text: str = "", index: LogIndex | None = None) -> LogSummary:
    """Modules and return codes of a pymolcas log, in order (``index``: :func:`.log_index.index_log` of ``text``).

    The lines it reads::

        --- Start Module: rasscf at Sun Nov 22 05:54:17 2026 ---
        [ process      0]: xquit (rc =    139): _MEMORY_ERROR_
        --- Stop Module: rasscf at Sun Nov 22 05:54:18 2026 /rc=-6 ---
        --- Module rasscf spent 1 minute 6 seconds ---
            Timing: Wall=84.18 User=74.03 System=3.76
        .# Happy landing! #.
    """
    index = (index or index_log(text)).check(text)
    stops, starts, spent, started = [], [], [], []
    for m in index.module_lines:
        if m.group("start"):
            starts.append(m.start())
            started.append(m.group("start"))
        elif m.group("stop"):
            stops.append((m.start(), m.group("stop"), m.group("rc")))
        else:
            spent.append((m.start(), m.group("spent"), _seconds(m.group("time"))))
    boxes = [(m.start(), m.group(1)) for m in index.boxes if not _NOISE.search(m.group(1))]
    boxes += [(m.start(), f"xquit {m.group(2)} (rc {m.group(1)})") for m in index.xquits]
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


def judge(exit_code: int, summary: LogSummary, log_name: str) -> Verdict:
    """ok, or failed and why: the module and its return code, read from the log."""
    for module in summary.modules:
        if not module.ok:
            what = "did not converge" if module.rc == "_RC_NOT_CONVERGED_" else "failed"
            messages = module.messages or summary.stderr_messages
            detail = f": {'; '.join(messages[:4])}" if messages else ""
            return Verdict(False, f"{module.name} {what}: rc={module.rc} (code {module.code}) in {log_name}{detail}")
    if summary.unfinished:
        return Verdict(False, f"{summary.unfinished} started but never finished (killed?) in {log_name}")
    if exit_code != 0:
        messages = summary.messages[:4] or ((summary.last_line,) if summary.last_line and not summary.modules else ())
        detail = f": {'; '.join(messages)}" if messages else ""
        return Verdict(False, f"pymolcas exited with code {exit_code} in {log_name}{detail}")
    if not summary.happy_landing:
        return Verdict(False, f"{log_name} has no 'Happy landing': OpenMolcas did not finish")
    return Verdict(True)
