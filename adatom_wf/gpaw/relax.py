"""The GPAW relaxation of one site, run inside the node's job: ``python -m adatom_wf.gpaw.relax DIR``.

The node script runs it under the profile's ``gpaw.command`` (default: this Python; on a cluster e.g.
``srun gpaw python`` or ``mpiexec -n 8 gpaw python``), then ``adatom-wf node`` judges what it wrote
(:func:`adatom_wf.gpaw.results.judge_gpaw`), as it judges a VASP run. In DIR it reads ``gpaw.json`` and ``POSCAR``
(:mod:`adatom_wf.gpaw.inputs`) and writes:

- ``gpaw.txt``: GPAW's own log; ``relax.log``: the optimiser's steps; ``relax.traj``: every ionic step (ASE
  trajectory: structure, energy, free energy, forces);
- ``CONTCAR``: the latest geometry, rewritten after every ionic step (what a restart and the carve node read);
- ``relax.json``, at the end: status ``converged`` | ``not_converged`` (max_steps reached) | ``scf_failed``,
  the step count, energies and the largest force. A run killed before the end leaves no ``relax.json``.

Exit code 0 when the relaxation ran to its end (converged or not: the judge decides), 1 otherwise.
"""

import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from adatom_wf.manifest import atomic_write

if TYPE_CHECKING:
    from ase import Atoms


def _write_json(path: Path, data: dict) -> None:
    atomic_write(path, (json.dumps(data, indent=2, sort_keys=True) + "\n").encode())


MAX_HALVINGS = 4  # a step still uphill at 1/16 of its length is taken (and the relaxation check flags it)


def guarded_bfgs(atoms, uphill_ev: float, **options):
    """ASE's BFGS that takes no step uphill: a step that raised the energy by more than ``uphill_ev`` is halved,
    back towards where it started, until it does not (at most MAX_HALVINGS times), and the Hessian starts afresh
    (ASE's BFGSMethod adds its updates to H0 in place, so H0 is made anew). A normal step costs one GPAW calculation,
    as plain BFGS; each halving one more. ``rejected_steps`` counts the halvings; the trajectory holds only the steps
    taken."""
    from ase.optimize import BFGS

    class GuardedBFGS(BFGS):
        rejected_steps = 0

        def step(self, gradient=None):
            start = self.optimizable.get_x().copy()
            before = self.optimizable.get_value()  # the start's energy: computed with its forces, no new SCF
            super().step(gradient)
            move = self.optimizable.get_x() - start
            for _ in range(MAX_HALVINGS):
                rise = self.optimizable.get_value() - before
                if rise <= uphill_ev:
                    return
                self.logfile.write(f"step {self.nsteps + 1} would raise the energy by {rise:.3f} eV: halved, "
                                   "Hessian reset\n")
                move /= 2.0
                self.optimizable.set_x(start + move)
                self.initialize()  # a fresh Hessian: ASE's BFGSMethod updates H0 in place, so it is made anew
                self.rejected_steps += 1

    return GuardedBFGS(atoms, **options)


def make_optimizer(atoms, settings: dict, **files):
    """ASE's optimiser named by gpaw.json's ``optimizer``: ``BFGS`` (its step scaled so no atom moves more than
    ``maxstep_angstrom``), ``GuardedBFGS`` (:func:`guarded_bfgs`), ``BFGSLineSearch`` (a step is taken only when
    the energy falls enough: Wolfe conditions) or ``FIRE`` (with ASE's downhill check: a step that raises the energy
    is undone)."""
    from ase.optimize import BFGS, FIRE, BFGSLineSearch

    name, maxstep = settings["name"], settings.get("maxstep_angstrom")
    alpha = settings.get("initial_hessian_ev_per_angstrom2")
    hessian = {"alpha": alpha} if alpha else {}  # the BFGS ones' starting guess; ASE's default without one
    if name == "BFGS":
        return BFGS(atoms, maxstep=maxstep, **hessian, **files)
    if name == "GuardedBFGS":
        return guarded_bfgs(atoms, settings["uphill_ev"], maxstep=maxstep, **hessian, **files)
    if name == "BFGSLineSearch":
        return BFGSLineSearch(atoms, maxstep=maxstep or 0.2, **hessian, **files)
    if name == "FIRE":
        return FIRE(atoms, maxstep=maxstep, downhill_check=True, **files)
    raise ValueError(f"gpaw.json names the optimiser {name!r}; known: BFGS, GuardedBFGS, BFGSLineSearch, FIRE")


def relax(directory: Path) -> int:
    import ase.io
    import numpy as np
    from ase.parallel import world
    from gpaw import GPAW, KohnShamConvergenceError, setup_paths
    from gpaw import __version__ as gpaw_version

    settings = json.loads((directory / "gpaw.json").read_text())
    for relative in reversed(settings["setup_paths"]):
        setup_paths.insert(0, str((directory / relative).resolve()))
    # ase types read() as Atoms | list[Atoms]; without an index it reads one Atoms (the last)
    atoms: Atoms = ase.io.read(directory / "POSCAR", format="vasp")  # type: ignore[assignment]
    moments = settings["magnetic_moments"]
    if moments:
        atoms.set_initial_magnetic_moments([moments.get(symbol, 0.0) for symbol in atoms.get_chemical_symbols()])
    atoms.calc = GPAW(**settings["calculator"], txt=str(directory / "gpaw.txt"))
    optimizer_settings = settings["optimizer"]
    optimizer = make_optimizer(atoms, optimizer_settings, trajectory=str(directory / "relax.traj"),
                               logfile=str(directory / "relax.log"))
    optimizer.attach(lambda: ase.io.write(directory / "CONTCAR", atoms, format="vasp", direct=True, sort=False))
    started = time.monotonic()
    outcome = {"program": "gpaw", "gpaw_version": gpaw_version, "site": settings["site"],
               "optimizer": optimizer_settings["name"], "maxstep_angstrom": optimizer_settings.get("maxstep_angstrom"),
               "fmax_ev_per_angstrom": optimizer_settings["fmax_ev_per_angstrom"],
               "max_steps": optimizer_settings["max_steps"]}
    try:
        converged = optimizer.run(fmax=optimizer_settings["fmax_ev_per_angstrom"],
                                  steps=optimizer_settings["max_steps"])
    except KohnShamConvergenceError as error:
        outcome.update(status="scf_failed", reason=f"SCF not converged in {settings['calculator']['maxiter']} "
                       f"iterations at ionic step {optimizer.nsteps} ({' '.join(str(error).split())})",
                       ionic_steps=optimizer.nsteps, seconds=round(time.monotonic() - started, 1))
        if world.rank == 0:
            _write_json(directory / "relax.json", outcome)
        return 0
    forces = atoms.get_forces()
    outcome.update(
        status="converged" if converged else "not_converged", ionic_steps=optimizer.nsteps,
        energy_ev=float(atoms.get_potential_energy(force_consistent=True)),
        energy_sigma0_ev=float(atoms.get_potential_energy()),
        max_force_ev_per_angstrom=float(np.linalg.norm(forces, axis=1).max()),
        scf_iterations_last_step=int(atoms.calc.get_number_of_iterations()),
        rejected_steps=getattr(optimizer, "rejected_steps", 0),
        seconds=round(time.monotonic() - started, 1))
    if world.rank == 0:
        _write_json(directory / "relax.json", outcome)
    return 0


def main(argv: list[str]) -> int:
    directory = Path(argv[0] if argv else ".").resolve()
    try:
        return relax(directory)
    except Exception as error:  # the judge reports it; the traceback stays in the job's log
        import traceback

        traceback.print_exc()
        print(f"adatom-wf: the GPAW relaxation in {directory} stopped: {type(error).__name__}: {error}",
              file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
