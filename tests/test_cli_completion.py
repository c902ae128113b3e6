"""Every verb that prints a result has --json; shell completion through Click's own mechanism (README)."""

import os
import subprocess

import pytest
from conftest import adatom_wf_command

from adatom_wf.cli import COMMANDS, HIDDEN


@pytest.mark.parametrize("verb", sorted(set(COMMANDS) - HIDDEN))
def test_every_verb_has_json(verb):
    result = subprocess.run(adatom_wf_command() + [verb, "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "--json" in result.stdout, (verb, result.stdout)


def _complete(shell_words: str, index: int, shell: str = "bash") -> subprocess.CompletedProcess:
    env = {**os.environ, "COMP_WORDS": shell_words, "COMP_CWORD": str(index),
           "_ADATOM_WF_COMPLETE": f"{shell}_complete"}
    return subprocess.run(adatom_wf_command(), capture_output=True, text=True, env=env)


def test_completion_scripts_and_answers():
    for shell in ("bash", "zsh", "fish"):
        env = {**os.environ, "_ADATOM_WF_COMPLETE": f"{shell}_source"}
        script = subprocess.run(adatom_wf_command(), capture_output=True, text=True, env=env)
        assert script.returncode == 0 and "_ADATOM_WF_COMPLETE" in script.stdout, (shell, script.stderr)
    verbs = _complete("adatom-wf re", 1).stdout.split()
    assert verbs == ["plain,relaxation", "plain,report", "plain,resume"]
    assert _complete("adatom-wf report x --fo", 3).stdout.split() == ["plain,--format"]
    assert "plain,--scale" in _complete("adatom-wf init --sc", 2).stdout.split()
    assert _complete("adatom-wf init --scale p", 3).stdout.split() == ["plain,paper"]
