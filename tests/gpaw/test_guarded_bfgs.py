"""The guarded BFGS of the GPAW relaxation (adatom_wf.gpaw.relax.guarded_bfgs), on ASE's EMT: fast, no GPAW."""

import numpy as np
from ase.calculators.emt import EMT
from ase.cluster import Icosahedron

from adatom_wf.gpaw.relax import MAX_HALVINGS, guarded_bfgs


def cluster():
    atoms = Icosahedron("Cu", 2)
    atoms.rattle(0.1, seed=1)
    atoms.calc = EMT()
    return atoms


def test_a_halved_step_restarts_the_hessian_from_the_initial_guess():
    # every step "rises" against a threshold of -2 eV: each is halved MAX_HALVINGS times and then taken
    atoms = cluster()
    optimizer = guarded_bfgs(atoms, -2.0, logfile=None, maxstep=0.2)
    optimizer.run(fmax=0.01, steps=2)
    assert optimizer.rejected_steps == 2 * MAX_HALVINGS
    # ASE's BFGSMethod adds its updates to the matrix it was given: the guard must make H0 anew
    assert np.array_equal(optimizer.H0, 70.0 * np.eye(3 * len(atoms))) and optimizer.state is None
    forces, start = atoms.get_forces(), atoms.positions.copy()
    optimizer.run(fmax=0.01, steps=1)  # from the fresh guess: the step is F / alpha, halved MAX_HALVINGS times
    np.testing.assert_allclose(atoms.positions - start, forces / 70.0 / 2**MAX_HALVINGS, atol=1e-12)


def test_without_a_rise_it_is_ases_bfgs_step_for_step():
    from ase.optimize import BFGS

    guarded, plain = cluster(), cluster()
    guarded_bfgs(guarded, 0.05, logfile=None).run(fmax=0.05, steps=15)
    BFGS(plain, logfile=None).run(fmax=0.05, steps=15)
    np.testing.assert_allclose(guarded.positions, plain.positions, atol=1e-12)
