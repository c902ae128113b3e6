"""The ionic and electronic step of a vasprun.xml being written, for live progress: each ``<calculation>`` is an
ionic step, the ``<scstep>`` elements since the last one its electronic steps (the elements :mod:`.results` reads)."""

from pathlib import Path

from adatom_wf.follow import Tail


def followed_file(directory: Path) -> Path:
    return directory / "vasprun.xml"


class Follower(Tail):
    def __init__(self, path: Path):
        super().__init__(path)
        self.ionic, self.electronic = 0, 0

    def activity(self) -> str:
        lines = self.new_lines()
        if lines:
            self.ionic, self.electronic = _steps("\n".join(lines), self.ionic, self.electronic)
        ionic, electronic = _steps(self.partial, self.ionic, self.electronic)  # the line being written, too
        return f"VASP ionic step {ionic}, electronic step {electronic}" if ionic else ""


def _steps(text: str, ionic: int, electronic: int) -> tuple[int, int]:
    """(ionic, electronic) steps after ``text``."""
    before, *calculations = text.split("<calculation>")
    electronic += before.count("<scstep>")
    for calculation in calculations:
        ionic, electronic = ionic + 1, calculation.count("<scstep>")
    return ionic, electronic
