"""Tb3+ of the paper's Table 2 as the analysis verbs take it, and a way to call a verb in-process (tests)."""

import pytest

from adatom_wf.cli import main

CF = {(2, 0): -5.375455, (4, 0): 0.000216, (6, 0): 0.000021, (6, 6): 0.000041}  # B(k,q), cm^-1
TB3 = ["--pseudospin", "6", "--cf", "2,0=-5.375455", "--cf", "4,0=0.000216", "--cf", "6,0=0.000021",
       "--cf", "6,6=0.000041", "--g", "1.508,1.508,1.480"]


def run(capsys, *args):
    """``adatom-wf ARGS`` through cli.main: (exit code, stdout, stderr)."""
    with pytest.raises(SystemExit) as exit_info:
        main([str(a) for a in args])
    captured = capsys.readouterr()
    return exit_info.value.code, captured.out, captured.err
