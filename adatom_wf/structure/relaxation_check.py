"""What can go wrong in an ionic relaxation that still converges, for VASP and GPAW alike (docs/gpaw.md,
"Relaxations that cannot take a bad step"): a step that raised the energy (the optimiser overshot: the run may
end in another minimum than the one it started towards) and a substrate layer that buckled beyond what an
adatom on graphene does. Flags, not failures: a converged relaxation stays ok, but its height and site energy are
suspect and Table 1 says so; a failed one gets the step check too."""

from collections.abc import Sequence
from dataclasses import dataclass

# A relaxation's energy may rise by SCF noise (meV here) or by a BFGS step along a soft mode (tens of meV); the
# demo's bad bridge step rose 0.78 eV. 0.05 eV is ten times the first and a fifteenth of the last.
UPHILL_STEP_EV = 0.05
# The layer's span along its normal under one adatom: 0.10 Å for Tb at the hollow site of 4x4 graphene (GPAW,
# docs/gpaw.md); top and bridge reach 0.29-0.30 Å, two C atoms pulled up to Tb (the soft 4x4 layer's give).
BUCKLING_ANGSTROM = 0.25


@dataclass(frozen=True)
class RelaxationCheck:
    largest_rise_ev: float | None  # the largest rise of the energy from one ionic step to the next; None: < 2 steps
    rise_step: int | None  # the step that rose most (step 0 is the start structure)
    buckling_angstrom: float | None  # the final layer's span along its normal
    flags: tuple[str, ...]  # one sentence per check that failed


def check_relaxation(energies_ev: Sequence[float], buckling_angstrom: float | None, *,
                     uphill_ev: float = UPHILL_STEP_EV, buckling_bound_angstrom: float = BUCKLING_ANGSTROM
                     ) -> RelaxationCheck:
    """The checks of one relaxation from its energy at every ionic step (the free energy the optimiser lowers,
    in step order) and the final layer's buckling (:func:`adatom_wf.structure.adatom_site.layer_buckling`)."""
    rises = [(after - before, step) for step, (before, after) in enumerate(zip(energies_ev, energies_ev[1:]), 1)]
    largest, step = max(rises) if rises else (None, None)
    flags = []
    if largest is not None and largest > uphill_ev:
        flags.append(f"ionic step {step} raised the energy by {largest:.3f} eV (more than {uphill_ev:g} eV: an "
                     "optimiser step overshot; the relaxation may have ended in another minimum)")
    if buckling_angstrom is not None and buckling_angstrom > buckling_bound_angstrom:
        flags.append(f"the layer buckled by {buckling_angstrom:.2f} Å (more than {buckling_bound_angstrom:g} Å: "
                     "carbons pulled out of the plane by the adatom: its height and site energy then depend on how far "
                     "the cell lets the layer give)")
    return RelaxationCheck(largest_rise_ev=largest, rise_step=step, buckling_angstrom=buckling_angstrom,
                           flags=tuple(flags))


def check_record(check: RelaxationCheck | None) -> dict:
    """The check as a DFT record's keys (docs/results.md): ``largest_energy_rise_ev``, ``energy_rise_step``,
    ``layer_buckling_angstrom``, ``relaxation_flags`` (all None and [] for a run not read to its end)."""
    return {"largest_energy_rise_ev": check and check.largest_rise_ev, "energy_rise_step": check and check.rise_step,
            "layer_buckling_angstrom": check and check.buckling_angstrom,
            "relaxation_flags": list(check.flags) if check else []}
