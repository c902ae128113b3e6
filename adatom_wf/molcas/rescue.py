"""The rescue ladder of a RASSCF that stops at its iteration limit (OpenMolcas 22.10: ``No convergence after N
iterations``, the module's rc ``_RC_NOT_CONVERGED_``, and pymolcas stops the input there).

The manual's advice for such a run: restart it from its last orbitals, raise the level shift (LEVShft, default 0.5;
"increase this value if a calculation diverges"), damp the orbital rotations (SXDAmp, default 0.0002; "large values
give slower but safer convergence"), allow more iterations. :data:`RESCUE_LADDER` takes those steps in that order,
each a new attempt of the whole CASSCF input (:func:`adatom_wf.molcas.node.run_oxidation_state`): the multiplicities
that converged before restart from their own converged orbitals (one or two iterations), the one that stopped from
the orbitals it stopped with, the ones after it from the previous multiplicity as usual. ``molcas.rasscf.rescue``
(0–3) says how many steps a study allows; every attempt is recorded in the state's status.json.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

DEFAULT_ITERATIONS = 200  # OpenMolcas's default, and the most ITERations accepts
SUPER_CI_ITERATIONS = 100  # the second number of ITERations (orbital-optimisation micro-iterations), its default

# Each step's settings, applied to every RASSCF of the attempt. "iterations": a factor on molcas.rasscf.iterations.
RESCUE_LADDER = (
    {"levshft": 1.0},
    {"levshft": 1.5, "sxdamp": 0.002},
    {"levshft": 1.5, "sxdamp": 0.002, "iterations": 4},
)


@dataclass(frozen=True)
class RasscfSettings:
    """What one attempt's RASSCF modules are given beyond the defaults."""

    iterations: int = DEFAULT_ITERATIONS
    levshft: float | None = None
    sxdamp: float | None = None

    def keywords(self) -> list[str]:
        """Input lines for each &RASSCF (none at the defaults, so a default study's input does not change)."""
        lines = []
        if self.iterations != DEFAULT_ITERATIONS:
            lines.append(f"ITERations = {self.iterations} {SUPER_CI_ITERATIONS}")
        if self.levshft is not None:
            lines.append(f"LEVShft = {self.levshft:g}")
        if self.sxdamp is not None:
            lines.append(f"SXDAmp = {self.sxdamp:g}")
        return lines

    def record(self) -> dict:
        return {"iterations": self.iterations, "levshft": self.levshft, "sxdamp": self.sxdamp}


def attempt_settings(rasscf, step: int) -> RasscfSettings:
    """The settings of attempt ``step`` (0: the study's own; n: the n-th rescue) for ``molcas.rasscf``."""
    if step == 0:
        return RasscfSettings(rasscf.iterations)
    rung = RESCUE_LADDER[step - 1]
    iterations = min(DEFAULT_ITERATIONS, rasscf.iterations * rung.get("iterations", 1))
    return RasscfSettings(iterations, rung.get("levshft"), rung.get("sxdamp"))


def unconverged(runs: list[dict]) -> int | None:
    """The multiplicity of the first RASSCF that stopped unconverged at its iteration limit, or None (every one
    converged, or one failed in another way: a crash is no case for the ladder). ``runs``:
    :func:`adatom_wf.molcas.results_log.rasscf_runs` of the attempt's log."""
    for run in runs:
        if not run["converged"]:
            return run["multiplicity"] if run["iterations"] is not None else None
    return None


def convergence_text(run: Mapping[str, Any]) -> str:
    """How adatom-wf started and converged a stored run, for ``show`` and the report: '; guess picked by
    character, converged (20/15 iterations)' or '; guess picked by character, converged after rescue (attempt 4)
    (LEVShft 1.5, SXDAmp 0.002, 12 iterations)'; '' for a run from elsewhere (no status.json)."""
    if not run.get("convergence"):
        return ""
    start = run.get("orbital_start") or ""
    start = ("guess picked by character" if start.endswith("guessorb.h5")
             else start or "unknown start") + ", "
    attempts = run.get("rasscf_attempts") or []
    iterations = "/".join(str(r["iterations"]) for r in (attempts[-1]["rasscf"] or [])) if attempts else ""
    detail = f" ({iterations} iterations)" if iterations else ""
    if len(attempts) > 1:
        settings = attempts[-1]["settings"] or {}
        rung = [f"LEVShft {settings['levshft']:g}" if settings.get("levshft") else "",
                f"SXDAmp {settings['sxdamp']:g}" if settings.get("sxdamp") else "",
                f"{iterations} iterations" if iterations else ""]
        detail = f" ({', '.join(part for part in rung if part)})"
    return f"; {start}{run['convergence']}{detail}"
