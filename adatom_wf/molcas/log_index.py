"""One pass over an OpenMolcas log: where every block the log readers need starts.

:func:`index_log` finds, once, the lines that :mod:`.verdict` and :mod:`.results_log` take their blocks from
(module Start/Stop/spent lines, ``###`` error boxes, xquit lines, the RASSCF and SINGLE_ANISO modules, the
SINGLE_ANISO "CALCULATION OF" headers); the readers slice their blocks at those positions instead of each
searching the whole log again (bench/bench_parse.py, docs/benchmarks.md).

How it searches (figures: docs/benchmarks.md, "One pass over the log"): one compiled alternation of all these
line kinds is slow in ``re`` (the engine tries it at every "-", " " or "C", which are everywhere in a log), while
a pattern that starts with a rare literal is searched at C speed. So the whole text is searched for three literals
only: "Module" (all Start, Stop and spent lines), "###" followed by blanks (the error boxes) and "xquit (rc =";
SINGLE_ANISO's headers are searched for from its Start line on, and RASSCF's lines only inside each RASSCF module
(by :func:`.results_log.rasscf_run`). Every hit is matched there with the reader's own pattern, skipping hits
inside an earlier match, so the index holds exactly what ``pattern.finditer(text)`` finds.
"""

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

# The module lines (verdict.parse_log), OpenMolcas 22.10:
#   --- Start Module: rasscf at Sun Nov 22 05:54:17 2026 ---
#   --- Stop Module: rasscf at Sun Nov 22 05:54:18 2026 /rc=-6 ---
#   --- Module rasscf spent 1 minute 6 seconds ---
MODULE_LINE = re.compile(r"--- (?:Start Module:\s+(?P<start>\S+) at "
                         r"|Stop Module:\s+(?P<stop>\S+) at .*?/rc=(?P<rc>\S+) ---"
                         r"|Module (?P<spent>\S+) spent (?P<time>.*?) ---)")
#   ###    ERROR: Error reading standard input.                                 ###
BOX = re.compile(r" ###[ \t]{3,}(\S.*?)\s*###[ \t]*$", re.M)
#   [ process      0]: xquit (rc =    139): _MEMORY_ERROR_
XQUIT = re.compile(r"xquit \(rc =\s*(\d+)\): (\S+)")

# Return codes of a module that ended well (OpenMolcas's data/rcodes.txt names; "0" as some modules print it).
SUCCESS_CODES = ("_RC_ALL_IS_WELL_", "_RC_INVOKED_OTHER_MODULE_", "_RC_EXIT_EXPECTED_", "0")

START_LINE = "--- Start Module:"
STOP_LINE = "--- Stop Module:"  # also where a SINGLE_ANISO section ends (results_log._section)
RASSCF_START = "--- Start Module: rasscf "
RASSCF_STOP = "--- Stop Module: rasscf "
SINGLE_ANISO_START = "--- Start Module: single_aniso"
HEADER = "CALCULATION OF "  # SINGLE_ANISO's section headers (MLTP multiplets, CRYS)

_MODULE = re.compile("Module")  # in every module line: "--- Start Module:", "--- Stop Module:", "--- Module "
_BOX_HIT = re.compile(r"#[ \t]{3}")  # the last "#" of a box line's " ###" and the blanks after it
_HEADER = re.compile(HEADER)


@dataclass(frozen=True)
class LogIndex:
    """Where the readers' lines are in one log text (offsets into that text, in order)."""

    length: int  # len(text), to catch an index used with another text
    module_lines: tuple  # MODULE_LINE matches
    boxes: tuple  # BOX matches outside the modules that ended well
    xquits: tuple  # XQUIT matches outside the modules that ended well
    rasscf_starts: tuple[int, ...]  # every RASSCF_START
    rasscf_stops: tuple[int, ...]  # every RASSCF_STOP
    stop_lines: tuple[int, ...]  # every STOP_LINE
    single_aniso_start: int  # the first SINGLE_ANISO_START, else -1
    headers: tuple[int, ...]  # every HEADER from single_aniso_start on (from the start of the log without one)

    def check(self, text: str) -> "LogIndex":
        if len(text) != self.length:
            raise ValueError(f"a LogIndex of a {self.length}-character log used with a {len(text)}-character text")
        return self

    def next_header(self, position: int) -> int:
        """The first HEADER at or after ``position`` (>= the origin of ``headers``), else -1."""
        at = bisect_left(self.headers, position)
        return self.headers[at] if at < len(self.headers) else -1

    def next_stop_line(self, position: int) -> int:
        """The first STOP_LINE at or after ``position``, else -1."""
        at = bisect_left(self.stop_lines, position)
        return self.stop_lines[at] if at < len(self.stop_lines) else -1

    def last_rasscf_stop(self, start: int, end: int) -> int:
        """``text.rfind(RASSCF_STOP, start, end)``."""
        at = bisect_right(self.rasscf_stops, end - len(RASSCF_STOP)) - 1
        return self.rasscf_stops[at] if at >= 0 and self.rasscf_stops[at] >= start else -1


def matches_at(pattern: re.Pattern, text: str, starts) -> list:
    """What ``pattern.finditer(text)`` finds, given (in order) every position where one of its matches can start."""
    found, end = [], 0
    for start in starts:
        if start >= end:
            match = pattern.match(text, start)
            if match:
                found.append(match)
                end = max(match.end(), start + 1)
    return found


def _blank_box_line(text: str, after: int) -> bool:
    """Whether BOX cannot match at a " ###" whose line goes on from ``after`` as blanks, "###", blanks, and
    whose next non-blank text is not "###" (BOX's text would have to start at the closing "###", and its
    ``\\s*###`` reaches across lines). One string test instead of the regex's backtracking along the line."""
    end = text.find("\n", after)
    end = len(text) if end < 0 else end
    rest = text[after:end].lstrip(" \t")
    if not rest.startswith("###") or rest[3:].strip(" \t"):
        return False
    following = text[end:end + 400].lstrip()
    return not following.startswith("###") if following else end + 400 >= len(text)


def index_log(text: str) -> LogIndex:
    """The one pass: the positions and matches of every line the log readers need (see the module docstring)."""
    candidates, starts, stops, stop_lines, single_aniso = [], [], [], [], -1
    for hit in _MODULE.finditer(text):
        at = hit.start()
        if at >= 10 and text.startswith(START_LINE, at - 10):
            candidates.append(at - 10)
            if text.startswith(RASSCF_START, at - 10):
                starts.append(at - 10)
            elif single_aniso < 0 and text.startswith(SINGLE_ANISO_START, at - 10):
                single_aniso = at - 10
        elif at >= 9 and text.startswith(STOP_LINE, at - 9):
            stop_lines.append(at - 9)
            candidates.append(at - 9)
            if text.startswith(RASSCF_STOP, at - 9):
                stops.append(at - 9)
        if at >= 4 and text.startswith("--- ", at - 4):
            candidates.append(at - 4)
    module_lines = matches_at(MODULE_LINE, text, sorted(candidates))
    gaps = _outside_good_modules(module_lines, len(text))
    boxes = matches_at(BOX, text, [hit.start() - 3 for begin, end in gaps for hit in _BOX_HIT.finditer(text, begin, end)
                                   if hit.start() >= 3 and text.startswith(" ###", hit.start() - 3)
                                   and not _blank_box_line(text, hit.end())])
    xquits = [match for begin, end in gaps for match in XQUIT.finditer(text, begin, end)]
    headers = [hit.start() for hit in _HEADER.finditer(text, max(single_aniso, 0))]
    return LogIndex(len(text), tuple(module_lines), tuple(boxes), tuple(xquits), tuple(starts), tuple(stops),
                    tuple(stop_lines), single_aniso, tuple(headers))


def _outside_good_modules(module_lines, length: int) -> list[tuple[int, int]]:
    """The stretches of the log outside every module that ended well (Start line to a Stop line with a success
    code): where the error boxes and xquit lines that :func:`.verdict.parse_log` reports can be. A module that
    failed, or never stopped, stays in. Searching only there keeps a long successful log to one scan."""
    gaps, begin, start = [], 0, None
    for match in module_lines:
        if match.group("start"):
            start = match.start()
        elif match.group("stop") and start is not None:
            if match.group("rc") in SUCCESS_CODES:
                if start > begin:
                    gaps.append((begin, start))
                begin = max(begin, match.end())
            start = None
    gaps.append((begin, length))
    return gaps
