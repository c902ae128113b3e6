"""Real OpenMolcas run directories that adatom-wf did not write (fixtures/run_tbfree, run_tbfree_restart,
run_459; PROVENANCE.md in each), unpacked as OpenMolcas left them (gzipped files unzipped)."""

import gzip
import shutil
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
RUNS = ("run_tb3p", "run_tb3p_v25.02", "run_tbfree", "run_tbfree_restart", "run_459")


def unpack(name: str, target: Path) -> Path:
    folder = target / name
    folder.mkdir(parents=True)
    for path in (FIXTURES / name).iterdir():
        if path.name.endswith(".gz"):
            (folder / path.name[:-3]).write_bytes(gzip.decompress(path.read_bytes()))
        elif path.suffix != ".md":
            shutil.copy(path, folder / path.name)
    return folder
