import math

import numpy as np
import pytest
from conftest import WORKFLOWS

from adatom_wf.errors import StructureError
from adatom_wf.spec import load_study, parse_study
from adatom_wf.structure.sites import adatom_height, build_site, site_point_group

PAPER = load_study(WORKFLOWS / "tb_graphene.yaml")
CC_BOND = 2.467 / math.sqrt(3)


def lateral_distances(atoms):
    """In-plane minimum-image distances (Å) from the adatom (last atom) to every carbon."""
    vectors = atoms.get_distances(-1, range(len(atoms) - 1), mic=True, vector=True)
    return np.sort(np.hypot(vectors[:, 0], vectors[:, 1]))


@pytest.mark.parametrize("site", ["hollow", "top", "bridge"])
def test_graphene_supercell_with_adatom(site):
    structure = build_site(PAPER, site)
    atoms = structure.atoms
    assert atoms.get_chemical_formula() == "C128Tb"
    assert np.allclose(atoms.cell.lengths(), [8 * 2.467, 8 * 2.467, 15.0])
    carbon = atoms[:-1]
    # every carbon has exactly three neighbours at the C–C bond length
    distances = carbon.get_all_distances(mic=True)
    assert np.all(np.sum(np.abs(distances - CC_BOND) < 1e-6, axis=1) == 3)
    assert np.ptp(carbon.positions[:, 2]) == 0.0  # flat layer
    assert adatom_height(atoms) == pytest.approx(PAPER.sites[site].height_angstrom, abs=1e-9)


def test_sites_sit_where_they_are_named():
    hollow = lateral_distances(build_site(PAPER, "hollow").atoms)
    assert np.allclose(hollow[:6], CC_BOND) and hollow[6] > CC_BOND + 0.5  # hexagon centre: six C at r = d(C–C)
    top = lateral_distances(build_site(PAPER, "top").atoms)
    assert top[0] == pytest.approx(0, abs=1e-9) and np.allclose(top[1:4], CC_BOND)  # on a C, three neighbours
    bridge = lateral_distances(build_site(PAPER, "bridge").atoms)
    assert np.allclose(bridge[:2], CC_BOND / 2)  # midpoint of a C–C bond


@pytest.mark.parametrize(("site", "group"), [("hollow", "C6v"), ("top", "C3v"), ("bridge", "C2v")])
def test_point_group_is_computed(site, group):
    structure = build_site(PAPER, site)
    assert structure.point_group == group
    assert structure.metadata()["adatom_image_distance_angstrom"] == pytest.approx(8 * 2.467)


def test_point_group_detects_a_broken_symmetry():
    atoms = build_site(PAPER, "hollow").atoms.copy()
    atoms.positions[-1, 0] += 0.2  # slide the adatom off the hexagon centre
    assert site_point_group(atoms, len(atoms) - 1)[0] in ("Cs", "C1")


def small(**substrate):
    """A study whose substrate validation refuses (tests/test_spec.py), built around it to reach build_site's own
    checks (model_copy does not validate)."""
    study = parse_study({"name": "s", "adatom": "Tb", "sites": {"hollow": {"height_angstrom": 2.28}}})
    return study.model_copy(update={"substrate": study.substrate.model_copy(update=substrate)})


def test_too_small_supercell_is_refused_naming_the_smallest_that_fits():
    with pytest.raises(StructureError, match=r"supercell 3x3 .* 7\.40 Å .* use at least 5x5"):
        build_site(small(supercell=[3, 3]), "hollow")


def test_too_little_vacuum_is_refused():
    with pytest.raises(StructureError, match=r"vacuum 10 Å .* 7\.72 Å .* vacuum_angstrom >= 12\.28"):
        build_site(small(vacuum_angstrom=10.0), "hollow")


def test_rectangular_supercell_that_breaks_the_site_symmetry_is_refused():
    with pytest.raises(StructureError, match="hollow site of a 8x6 supercell has point group C2, expected C6v"):
        build_site(small(supercell=[8, 6]), "hollow")


@pytest.mark.parametrize("element", ["Dy", "Ho", "Er"])
def test_any_lanthanide_adatom(element):
    study = parse_study({"name": "s", "adatom": element, "sites": {"top": {"height_angstrom": 2.4}},
                         "cluster": {"site": "top"}})
    assert build_site(study, "top").atoms.get_chemical_symbols()[-1] == element
