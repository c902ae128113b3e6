"""The trimmed real Tb3+ run (tests/molcas/fixtures/run_tb3p, PROVENANCE.md there) unpacked into a directory."""

import gzip
import shutil
from pathlib import Path

RUN_FIXTURE = Path(__file__).parent / "fixtures" / "run_tb3p"


def unpack_tb3p(target: Path) -> Path:
    """``target/Tb3+`` holding the run as OpenMolcas left it (the log unzipped)."""
    folder = target / "Tb3+"
    folder.mkdir(parents=True)
    for path in RUN_FIXTURE.iterdir():
        if path.name.endswith(".gz"):
            (folder / path.name[:-3]).write_bytes(gzip.decompress(path.read_bytes()))
        elif path.suffix != ".md":
            shutil.copy(path, folder / path.name)
    return folder


def command_in(where: Path):
    """``run(*args)``: ``adatom-wf ARGS`` in ``where``, as a user types it (a CompletedProcess)."""
    import subprocess

    from conftest import adatom_wf_command

    def run(*args):
        return subprocess.run(adatom_wf_command() + [str(a) for a in args], capture_output=True, text=True, cwd=where)

    return run


def tb3p_store(where: Path) -> Path:
    """``where/out.h5``: the unpacked run parsed by ``adatom-wf parse``."""
    result = command_in(where)("parse", unpack_tb3p(where / "runs"), "--store", "out.h5")
    assert result.returncode == 0, result.stderr
    return where / "out.h5"
