"""adatom_wf.molcas.verdict: reading a pymolcas log and judging it (lines pasted from real logs)."""

import pytest

from adatom_wf.molcas.verdict import judge, parse_log
from adatom_wf.verdict import Verdict

GOOD = """
--- Start Module: gateway at Sun Nov 22 05:49:43 2026 ---
--- Stop Module: gateway at Sun Nov 22 05:50:31 2026 /rc=_RC_ALL_IS_WELL_ ---
--- Module gateway spent 48 seconds ---
--- Start Module: seward at Sun Nov 22 05:50:31 2026 ---
 ###############################################################################
 ###                                                                         ###
 ###    WARNING: RunFile label nBas                                          ###
 ###    was used       52 times                                              ###
 ###############################################################################
--- Stop Module: seward at Sun Nov 22 05:50:51 2026 /rc=_RC_ALL_IS_WELL_ ---
--- Module seward spent 1 minute 6 seconds ---
.##################.
.# Happy landing! #.
.##################.

    Timing: Wall=82.60 User=87.17 System=17.79
"""

RASSI_INPUT_ERROR = """
--- Start Module: rasscf at Sun Nov 22 05:56:50 2026 ---
--- Stop Module: rasscf at Sun Nov 22 05:57:57 2026 /rc=_RC_ALL_IS_WELL_ ---
--- Module rasscf spent 1 minute 6 seconds ---
--- Start Module: rassi at Sun Nov 22 05:57:57 2026 ---
 ###############################################################################
 ###                                                                         ###
 ###    ERROR: Error reading standard input.                                 ###
 ###                                                                         ###
 ###############################################################################
--- Stop Module: rassi at Sun Nov 22 05:57:57 2026 /rc=-6 ---
.########################.
.# Non-zero return code #.
.########################.
"""

OUT_OF_MEMORY = """
--- Start Module: gateway at Sun Nov 22 06:16:22 2026 ---
[ process      0]: xquit (rc =    139): _MEMORY_ERROR_
 ?mma_allo_?D: error: out-of-memory
--- Stop Module: gateway at Sun Nov 22 06:16:22 2026 /rc=-6 ---
"""

NOT_CONVERGED = """
--- Start Module: rasscf at Sun Nov 22 05:54:17 2026 ---
      No convergence after 200 iterations
--- Stop Module: rasscf at Sun Nov 22 05:58:18 2026 /rc=_RC_NOT_CONVERGED_ ---
"""

KILLED = """
--- Start Module: gateway at Sun Nov 22 05:49:43 2026 ---
--- Stop Module: gateway at Sun Nov 22 05:50:31 2026 /rc=_RC_ALL_IS_WELL_ ---
--- Start Module: seward at Sun Nov 22 05:50:31 2026 ---
"""


def test_xquit_from_the_error_stream_explains_a_failed_module():
    text = OUT_OF_MEMORY.replace("[ process      0]: xquit (rc =    139): _MEMORY_ERROR_\n", "")
    verdict = judge(250, parse_log(text, "[ process      0]: xquit (rc =    139): _MEMORY_ERROR_\n"), "x.log")
    assert verdict.status == "failed"
    assert verdict.reason == "gateway failed: rc=-6 (code -6) in x.log: xquit _MEMORY_ERROR_ (rc 139)"


def test_a_good_log_lists_modules_codes_and_times():
    summary = parse_log(GOOD)
    assert [(m.name, m.rc, m.code, m.seconds) for m in summary.modules] == [
        ("gateway", "_RC_ALL_IS_WELL_", 0, 48.0), ("seward", "_RC_ALL_IS_WELL_", 0, 66.0)]
    assert summary.happy_landing and summary.wall_seconds == 82.60 and summary.unfinished is None
    assert summary.modules[1].messages == ()  # RunFile warnings are noise
    assert judge(0, summary, "x.log") == Verdict(True)


@pytest.mark.parametrize(("text", "exit_code", "words"), [
    (RASSI_INPUT_ERROR, 250, ["rassi failed", "rc=-6", "x.log", "Error reading standard input"]),
    (OUT_OF_MEMORY, 250, ["gateway failed", "rc=-6", "_MEMORY_ERROR_", "rc 139"]),
    (NOT_CONVERGED, 96, ["rasscf did not converge", "_RC_NOT_CONVERGED_", "code 96"]),
    (KILLED, -9, ["seward started but never finished"]),
    ("", 1, ["pymolcas exited with code 1"]),
    ("0 parnell: ABORTING\nparnell failed to create a WorkDir at /x/y\n", 1,
     ["pymolcas exited with code 1", "parnell failed to create a WorkDir at /x/y"]),
    ("--- Start Module: gateway at x ---\n--- Stop Module: gateway at x /rc=_RC_ALL_IS_WELL_ ---\n", 0,
     ["no 'Happy landing'"]),
])
def test_failures_name_the_module_and_its_return_code(text, exit_code, words):
    verdict = judge(exit_code, parse_log(text), "x.log")
    failure = verdict.reason
    assert verdict.status == "failed"
    for word in words:
        assert word in failure, (word, failure)
    assert "\n" not in failure
