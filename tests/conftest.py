import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / "workflows"
sys.path.insert(0, str(Path(__file__).parent))  # tests/fake_potcars.py


def adatom_wf_command():
    """The installed console script next to this interpreter (what a user runs)."""
    script = Path(sys.executable).parent / "adatom-wf"
    return [str(script)] if script.exists() else [shutil.which("adatom-wf")]


@pytest.fixture
def cli(tmp_path):
    """Run ``adatom-wf ARGS`` as a user would, in tmp_path; returns the CompletedProcess."""

    def run(*args, cwd=None):
        return subprocess.run(
            adatom_wf_command() + [str(a) for a in args],
            cwd=cwd or tmp_path, capture_output=True, text=True, timeout=600,
        )

    return run


@pytest.fixture
def study_file(tmp_path):
    """Write a variant of a bundled study: ``study_file("tb_graphene", {"adatom": "Dy"})``."""

    def write(base, changes=None, remove=(), name="variant.yaml"):
        data = yaml.safe_load((WORKFLOWS / f"{base}.yaml").read_text())
        for dotted, value in (changes or {}).items():
            *parents, last = dotted.split(".")
            node = data
            for key in parents:
                node = node[key]
            node[last] = value
        for dotted in remove:
            *parents, last = dotted.split(".")
            node = data
            for key in parents:
                node = node[key]
            del node[last]
        path = tmp_path / name
        path.write_text(yaml.safe_dump(data))
        return path

    return write
