"""Did a run succeed? The one answer every program's judge gives, and what a workflow node records.

``vasp.verdict.judge_vasp``, ``gpaw.results.judge_gpaw`` and ``molcas.verdict.judge`` return it; so does each
workflow node (``workflow/results/<node>.json``: ok, reason, details).
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Verdict:
    """ok or not, why not (one line naming the file and what was expected), and a few details."""

    ok: bool
    reason: str = ""
    details: dict[str, object] = field(default_factory=dict)

    @property
    def status(self) -> str:
        """The record's word for it: ``ok`` or ``failed``."""
        return "ok" if self.ok else "failed"
