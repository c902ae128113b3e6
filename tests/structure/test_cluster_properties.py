"""Property: where the crystal sits in its cell, and in which order its atoms are listed, does not matter."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_cluster import ideal_cell, relaxed_like

from adatom_wf.structure.cluster import carve

shifts = st.tuples(*[st.floats(-40.0, 40.0, allow_nan=False, allow_infinity=False)] * 3)
EXAMPLES = settings(max_examples=12, deadline=None)


_REFERENCES = {}


def reference_cluster(key, atoms, **options):
    """The cluster of the untouched cell, carved once per test parameter set."""
    if key not in _REFERENCES:
        _REFERENCES[key] = carve(atoms, adatom="Tb", **options)
    return _REFERENCES[key]


def shuffled_and_translated(atoms, shift, seed):
    moved = atoms[np.random.default_rng(seed).permutation(len(atoms))]
    moved.translate(shift)
    moved.wrap()
    return moved


def assert_same_cluster(cluster, reference):
    assert cluster.atoms.get_chemical_symbols() == reference.atoms.get_chemical_symbols()
    assert np.allclose(cluster.atoms.positions, reference.atoms.positions, atol=1e-7)
    for key in ("formula", "point_group", "hexagons", "adatom_height_angstrom"):
        assert cluster.metadata[key] == reference.metadata[key]
    assert cluster.metadata["max_symmetry_deviation_angstrom"] == pytest.approx(
        reference.metadata["max_symmetry_deviation_angstrom"], abs=2e-6
    )


@pytest.mark.parametrize(("site", "rings"), [("hollow", 3), ("top", 2), ("bridge", 2)])
@EXAMPLES
@given(shift=shifts, seed=st.integers(0, 2**32 - 1))
def test_translations_and_atom_order_give_the_same_cluster(site, rings, shift, seed):
    reference = reference_cluster(("ideal", site), ideal_cell(site), site=site, rings=rings)
    moved = shuffled_and_translated(ideal_cell(site), shift, seed)
    assert_same_cluster(carve(moved, adatom="Tb", site=site, rings=rings), reference)


@pytest.mark.parametrize("symmetrize", [True, False])
@EXAMPLES
@given(shift=shifts, seed=st.integers(0, 2**32 - 1))
def test_translations_of_a_relaxed_cell_give_the_same_cluster(symmetrize, shift, seed):
    relaxed = relaxed_like(ideal_cell("hollow"), 0.015, seed=11)
    reference = reference_cluster(("relaxed", symmetrize), relaxed, site="hollow", rings=3, symmetrize=symmetrize)
    moved = shuffled_and_translated(relaxed, shift, seed)
    assert_same_cluster(carve(moved, adatom="Tb", site="hollow", rings=3, symmetrize=symmetrize), reference)
