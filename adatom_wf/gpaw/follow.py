"""The ionic step and SCF iteration of a GPAW relaxation, from its growing gpaw.txt, for live progress: each
``SCF iterations`` header starts an ionic step, each ``|iter:  N|`` row is an SCF iteration of it."""

from pathlib import Path

from adatom_wf.follow import Tail


def followed_file(directory: Path) -> Path | None:
    """gpaw.txt of a GPAW site directory (one with the gpaw.json adatom_wf.gpaw.inputs writes), else None."""
    return directory / "gpaw.txt" if (directory / "gpaw.json").is_file() else None


class Follower(Tail):
    def __init__(self, path: Path):
        super().__init__(path)
        self.ionic, self.scf = 0, 0

    def activity(self) -> str:
        for line in self.new_lines() or ():
            if line.startswith("SCF iterations"):
                self.ionic, self.scf = self.ionic + 1, 0
            elif line.startswith("|iter:"):
                self.scf += 1
        return f"GPAW ionic step {self.ionic}, SCF iteration {self.scf}" if self.ionic else ""
