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
