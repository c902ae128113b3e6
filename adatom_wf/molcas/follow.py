"""The OpenMolcas module running in a node's growing log, for live progress: the module lines and the spin line as
the log readers match them (:mod:`.log_index`, :mod:`.results_log`)."""

from pathlib import Path

from adatom_wf.follow import Tail
from adatom_wf.molcas.log_index import MODULE_LINE
from adatom_wf.molcas.results_log import SPIN_LINE


def followed_file(directory: Path) -> Path | None:
    """The node's newest OpenMolcas log (integrals, a pre-run or a state), else None."""
    logs = sorted(directory.glob("*.log"), key=lambda p: p.stat().st_mtime if p.exists() else 0)
    return logs[-1] if logs else None


class Follower(Tail):
    """``rasscf #2 (2S+1 = 8)``, ``seward``, …: the module started last and not stopped yet."""

    def __init__(self, path: Path):
        super().__init__(path)
        self.module: str | None = None
        self.rasscf_runs, self.spin = 0, None  # type: int, int | None

    def activity(self) -> str:
        lines = self.new_lines()
        if lines is None:
            return ""
        for line in lines:
            if "Module" in line and (match := MODULE_LINE.search(line)):
                if match.group("start"):
                    self.module = match.group("start")
                    if self.module == "rasscf":
                        self.rasscf_runs, self.spin = self.rasscf_runs + 1, None
                elif match.group("stop"):
                    self.module = None
            elif self.module == "rasscf" and self.spin is None and (match := SPIN_LINE.search(line)):
                self.spin = int(round(2 * float(match.group(1)) + 1))
        if self.module is None:
            return ""
        if self.module == "rasscf":
            return f"rasscf #{self.rasscf_runs}" + (f" (2S+1 = {self.spin})" if self.spin else "")
        return self.module
