"""The one pass over a log (adatom_wf.molcas.log_index): what it finds equals the readers' own whole-text searches."""

import gzip
from pathlib import Path

import pytest

from adatom_wf.molcas.log_index import BOX, MODULE_LINE, SUCCESS_CODES, XQUIT, index_log

FIXTURES = Path(__file__).parent / "fixtures"
LOGS = sorted((FIXTURES / "logs").glob("*.log")) + [FIXTURES / "run_tb3p" / "Tb3p.casscf.log.gz",
                                                     FIXTURES / "run_tbfree" / "TbFree.log.gz"]


def read(path: Path) -> str:
    data = path.read_bytes()
    return (gzip.decompress(data) if path.suffix == ".gz" else data).decode(errors="replace")


def good_module_spans(text: str) -> list[tuple[int, int]]:
    """Start line to Stop line of every module that ended with a success code, from a whole-text search."""
    spans, start = [], None
    for match in MODULE_LINE.finditer(text):
        if match.group("start"):
            start = match.start()
        elif match.group("stop") and start is not None:
            if match.group("rc") in SUCCESS_CODES:
                spans.append((start, match.end()))
            start = None
    return spans


@pytest.mark.parametrize("path", LOGS, ids=lambda p: p.name)
def test_the_index_holds_what_whole_text_searches_find(path):
    text = read(path)
    index = index_log(text)
    assert [m.group(0) for m in index.module_lines] == [m.group(0) for m in MODULE_LINE.finditer(text)]
    spans = good_module_spans(text)

    def outside(match):
        return not any(begin <= match.start() < end for begin, end in spans)

    assert [m.span() for m in index.boxes] == [m.span() for m in BOX.finditer(text) if outside(m)]
    assert [m.span() for m in index.xquits] == [m.span() for m in XQUIT.finditer(text) if outside(m)]


def test_boxes_and_xquit_of_a_failed_or_unfinished_module_are_found_and_those_of_a_good_one_are_not():
    good = ("--- Start Module: gateway at Sun Nov 22 05:54:17 2026 ---\n"
            " ###     WARNING: something harmless                                 ###\n"
            "--- Stop Module: gateway at Sun Nov 22 05:54:18 2026 /rc=_RC_ALL_IS_WELL_ ---\n")
    failed = ("--- Start Module: rasscf at Sun Nov 22 05:54:19 2026 ---\n"
              " ###     ERROR: the orbitals are not orthonormal                    ###\n"
              "[ process      0]: xquit (rc =    139): _MEMORY_ERROR_\n"
              "--- Stop Module: rasscf at Sun Nov 22 05:54:20 2026 /rc=-6 ---\n")
    unfinished = ("--- Start Module: rassi at Sun Nov 22 05:54:21 2026 ---\n"
                  "[ process      0]: xquit (rc =    130): _GENERAL_ERROR_\n")
    index = index_log(good + failed + unfinished)
    assert [m.group(1) for m in index.boxes] == ["ERROR: the orbitals are not orthonormal"]
    assert [m.group(2) for m in index.xquits] == ["_MEMORY_ERROR_", "_GENERAL_ERROR_"]
