"""A growing file read incrementally: the base of each program's log follower (molcas/, vasp/, gpaw/ ``follow``),
which the live progress of a run (adatom_wf.workflow.progress) asks what a node is doing now."""

from pathlib import Path


class Tail:
    """Each call of :meth:`new_lines` hands over the whole lines written since the last one (a log of tens of MB is
    not read again at every refresh); ``partial`` holds the line being written."""

    def __init__(self, path: Path):
        self.path, self.offset, self.partial = path, 0, ""

    def new_lines(self) -> list[str] | None:
        try:
            with open(self.path, errors="replace") as handle:
                handle.seek(self.offset)
                text = handle.read()
                self.offset = handle.tell()
        except OSError:
            return None
        lines = (self.partial + text).split("\n")
        self.partial = lines.pop()
        return lines

    def activity(self) -> str:
        """What the program is doing now, in a few words ('' when it does not say)."""
        raise NotImplementedError
