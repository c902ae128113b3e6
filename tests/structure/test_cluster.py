"""Carving H-capped clusters from graphene supercells: formulas, bonding, symmetry, periodic images."""

import functools
import math
from pathlib import Path

import numpy as np
import pytest
from ase import Atoms

from adatom_wf.errors import SpecError, StructureError
from adatom_wf.spec import load_study
from adatom_wf.structure.cluster import (
    MIN_HYDROGEN_CONTACT_ANGSTROM,
    carve,
    check_hydrogen_contacts,
    cluster_files,
)
from adatom_wf.structure.sites import build_site
from adatom_wf.structure.symmetry import group_operations, point_group

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"
# (site, rings) -> (formula, hexagons); docs/cluster.md lists the same table
FORMULAS = {
    ("hollow", 1): ("TbC6H6", 1), ("hollow", 2): ("TbC24H12", 7), ("hollow", 3): ("TbC54H18", 19),
    ("top", 1): ("TbC13H9", 3), ("top", 2): ("TbC37H15", 12), ("top", 3): ("TbC73H21", 27),
    ("bridge", 1): ("TbC10H8", 2), ("bridge", 2): ("TbC32H14", 10), ("bridge", 3): ("TbC66H20", 24),
}  # fmt: skip
GROUPS = {"hollow": "C6v", "top": "C3v", "bridge": "C2v"}


@functools.cache
def paper_study():
    return load_study(WORKFLOWS / "tb_graphene.yaml")


@functools.cache
def _ideal(site):
    return build_site(paper_study(), site).atoms


def ideal_cell(site):
    """The paper's ideal 8x8 supercell with Tb (last atom) at ``site`` (a fresh copy)."""
    return _ideal(site).copy()


def relaxed_like(atoms, sigma, seed=0):
    """A 'relaxed' cell: every atom displaced at random (Gaussian, ``sigma`` Å per coordinate), then wrapped."""
    moved = atoms.copy()
    moved.positions += np.random.default_rng(seed).normal(0.0, sigma, moved.positions.shape)
    moved.wrap()
    return moved


def translated(atoms, shift):
    """The same crystal, translated by ``shift`` (Å) and wrapped back into the cell."""
    moved = atoms.copy()
    moved.translate(shift)
    moved.wrap()
    return moved


def cut(atoms, site="hollow", rings=3, **options):
    return carve(atoms, adatom="Tb", site=site, rings=rings, **options)


def symbols_of(cluster):
    return np.array(cluster.atoms.get_chemical_symbols())


def max_symmetry_error(cluster, group):
    """Largest distance from an operation's image of an atom to the nearest atom of the same element."""
    positions, symbols = cluster.atoms.positions, symbols_of(cluster)
    worst = 0.0
    for operation in group_operations(group):
        image = positions @ operation.T
        for element in set(symbols):
            mine = symbols == element
            gaps = np.linalg.norm(image[mine][:, None] - positions[mine][None], axis=2).min(axis=1)
            worst = max(worst, gaps.max())
    return worst


@pytest.mark.parametrize(("site", "rings"), sorted(FORMULAS))
def test_formula_and_point_group(site, rings):
    cluster = cut(ideal_cell(site), site, rings)
    formula, hexagons = FORMULAS[site, rings]
    assert cluster.formula == formula
    counts = cluster.atoms.symbols.formula.count()
    assert formula == f"TbC{counts['C']}H{counts['H']}" and counts["Tb"] == 1
    assert (cluster.metadata["carbon_atoms"], cluster.metadata["hydrogen_atoms"]) == (counts["C"], counts["H"])
    assert cluster.metadata["hexagons"] == hexagons
    assert cluster.point_group == GROUPS[site]
    assert point_group(cluster.atoms.get_chemical_symbols(), cluster.atoms.positions, 0.01) == GROUPS[site]
    assert max_symmetry_error(cluster, GROUPS[site]) < 1e-8
    assert cluster.metadata["max_symmetry_deviation_angstrom"] == 0.0


@pytest.mark.parametrize(("site", "rings"), sorted(FORMULAS))
def test_every_carbon_has_three_neighbours_and_every_hydrogen_one(site, rings):
    cluster = cut(ideal_cell(site), site, rings)
    symbols = symbols_of(cluster)
    distances = cluster.atoms.get_all_distances()
    carbon, hydrogen = symbols == "C", symbols == "H"
    cc = np.sum((distances[np.ix_(carbon, carbon)] < 1.75) & (distances[np.ix_(carbon, carbon)] > 0), axis=1)
    ch = np.sum(distances[np.ix_(carbon, hydrogen)] < 1.2, axis=1)
    assert np.all(cc + ch == 3)
    assert np.all(cc >= 2)  # a hydrogen caps an edge carbon, never replaces a ring bond
    assert np.all(np.sum(distances[np.ix_(hydrogen, carbon)] < 1.2, axis=1) == 1)
    assert not np.any(distances[np.ix_(hydrogen, hydrogen)] + np.eye(hydrogen.sum()) * 9 < 2.0)


@pytest.mark.parametrize("bond", [1.09, 1.0, 1.2])
def test_ch_bond_length_is_the_requested_one(bond):
    cluster = cut(ideal_cell("hollow"), ch_bond_angstrom=bond)
    symbols = symbols_of(cluster)
    distances = cluster.atoms.get_all_distances()[np.ix_(symbols == "H", symbols == "C")]
    assert np.allclose(distances.min(axis=1), bond, atol=1e-9)
    assert cluster.metadata["ch_bond_angstrom"] == bond


@pytest.mark.parametrize("site", ["hollow", "top", "bridge"])
def test_orientation_axis_z_mirror_xz_adatom_first(site):
    cluster = cut(ideal_cell(site), site, 2)
    positions, symbols = cluster.atoms.positions, symbols_of(cluster)
    assert symbols[0] == "Tb" and list(symbols[1:]) == sorted(symbols[1:])  # Tb, then C, then H
    height = paper_study().sites[site].height_angstrom
    assert np.allclose(positions[0], [0, 0, height], atol=1e-9)
    assert np.allclose(positions[1:, 2], 0.0, atol=1e-9)  # carbon plane at z = 0, adatom on +z
    assert np.allclose(positions[1:, :2].mean(axis=0), 0.0, atol=1e-9)  # centred on the axis
    carbon = positions[symbols == "C"]
    if site == "hollow":  # a vertex of the central hexagon on +x
        assert np.any(np.all(np.isclose(carbon, [2.467 / math.sqrt(3), 0, 0], atol=1e-6), axis=1))
    elif site == "top":  # the carbon under Tb at the origin, one of its bonds along +x
        assert np.allclose(carbon[0], 0.0, atol=1e-9)
        assert np.any(np.all(np.isclose(carbon, [2.467 / math.sqrt(3), 0, 0], atol=1e-6), axis=1))
    else:  # the bond under Tb along x, centred
        assert np.allclose(sorted(carbon[:2, 0]), [-2.467 / math.sqrt(3) / 2, 2.467 / math.sqrt(3) / 2], atol=1e-6)
        assert np.allclose(carbon[:2, 1], 0.0, atol=1e-9)
    assert cluster.metadata["adatom_height_angstrom"] == pytest.approx(height)


def test_adatom_across_a_periodic_boundary():
    reference = cut(ideal_cell("hollow"))
    cell = ideal_cell("hollow")
    # put Tb a hair inside the cell's corner: its hexagon and the rings around it are split over four images
    shift = -cell.positions[-1] + 0.02 * cell.cell[0] + 0.01 * cell.cell[1]
    shift[2] = 0.0
    split = translated(cell, shift)
    fractional = split.get_scaled_positions()[-1]
    assert fractional[0] < 0.03 and fractional[1] < 0.03
    cluster = cut(split)
    assert cluster.formula == "TbC54H18"
    assert symbols_of(cluster).tolist() == symbols_of(reference).tolist()
    assert np.allclose(cluster.atoms.positions, reference.atoms.positions, atol=1e-8)
    assert len(np.unique(np.round(cluster.atoms.positions, 4), axis=0)) == len(cluster.atoms)  # no atom twice


def test_layer_across_the_top_face_and_adatom_below():
    reference = cut(ideal_cell("top"), "top", 2)
    cell = ideal_cell("top")
    layer_z = cell.positions[0, 2]
    across = translated(cell, [0.0, 0.0, -layer_z])  # the layer at z = 0: carbons wrap to both faces
    across.positions[::2, 2] -= 1e-3  # half the carbons just below z = 0: wrapped to the top face
    across.wrap()
    assert across.positions[:, 2].max() > 14.0
    flipped = cell.copy()
    flipped.positions[:, 2] *= -1  # Tb below the layer
    flipped.wrap()
    for atoms in (across, flipped):
        cluster = cut(atoms, "top", 2)
        assert cluster.formula == "TbC37H15" and cluster.point_group == "C3v"
        assert np.allclose(cluster.atoms.positions, reference.atoms.positions, atol=1e-3)


@pytest.mark.parametrize(("site", "rings"), [("hollow", 3), ("top", 2), ("bridge", 2)])
def test_rotated_tilted_or_sheared_cell_gives_the_same_cluster(site, rings):
    reference = cut(ideal_cell(site), site, rings)
    turned = ideal_cell(site)
    turned.rotate(17, "z", rotate_cell=True)
    turned.rotate(40, "x", rotate_cell=True)  # layer normal no longer along z
    sheared = ideal_cell(site)
    sheared.set_cell([sheared.cell[0], sheared.cell[1], [3.0, 2.0, 15.0]], scale_atoms=False)
    sheared.wrap()  # stacking vector not normal to the layer
    for atoms in (turned, sheared):
        assert np.allclose(cut(atoms, site, rings).atoms.positions, reference.atoms.positions, atol=1e-8)


def test_relaxed_cell_is_symmetrised_and_displacement_recorded():
    relaxed = relaxed_like(ideal_cell("hollow"), 0.01, seed=3)
    symmetric = cut(relaxed)
    raw = cut(relaxed, symmetrize=False)
    meta = symmetric.metadata
    assert symmetric.point_group == "C6v"
    assert max_symmetry_error(symmetric, "C6v") < 1e-8
    assert 0.005 < meta["max_symmetry_deviation_angstrom"] < 0.1
    assert meta["symmetrized"] and 0 < meta["symmetrization_displacement_max_angstrom"] <= 0.1
    assert 0 < meta["symmetrization_displacement_rms_angstrom"] < meta["symmetrization_displacement_max_angstrom"]
    # the unsymmetrised cluster keeps the carved positions, reports the same deviation and moved nothing
    assert not raw.metadata["symmetrized"] and raw.metadata["symmetrization_displacement_max_angstrom"] == 0.0
    assert raw.metadata["max_symmetry_deviation_angstrom"] == meta["max_symmetry_deviation_angstrom"]
    assert max_symmetry_error(raw, "C6v") > 0.005
    shift = np.linalg.norm(raw.atoms.positions - symmetric.atoms.positions, axis=1)
    assert shift.max() == pytest.approx(meta["symmetrization_displacement_max_angstrom"], abs=1e-6)
    for cluster in (symmetric, raw):  # caps are exact either way
        symbols = symbols_of(cluster)
        ch = cluster.atoms.get_all_distances()[np.ix_(symbols == "H", symbols == "C")].min(axis=1)
        assert np.allclose(ch, 1.09, atol=1e-9)


@pytest.mark.parametrize("site", ["hollow", "top", "bridge"])
def test_too_distorted_cell_is_refused_with_deviation_and_tolerance(site):
    relaxed = relaxed_like(ideal_cell(site), 0.03, seed=5)
    with pytest.raises(StructureError) as error:
        cut(relaxed, site, tolerance_angstrom=0.05)
    message = str(error.value)
    deviation = float(message.split("by up to ")[1].split(" Å")[0])
    assert deviation > 0.05 and "cluster.symmetry_tolerance_angstrom = 0.05 Å" in message
    assert GROUPS[site] in message
    assert cut(relaxed, site, tolerance_angstrom=0.2).metadata["max_symmetry_deviation_angstrom"] == pytest.approx(
        deviation, abs=1e-3
    )


def test_adatom_off_its_axis_is_refused():
    cell = ideal_cell("hollow").copy()
    cell.positions[-1, 0] += 0.3
    with pytest.raises(StructureError, match=r"deviates from C6v by up to 0\.\d+ Å, beyond"):
        cut(cell)


def test_rings_that_do_not_fit_name_the_largest_that_does():
    with pytest.raises(StructureError, match="would reach its own periodic image; at most 3 rings fit"):
        cut(ideal_cell("hollow"), rings=4)
    with pytest.raises(StructureError, match="at most 3 rings fit"):
        cut(ideal_cell("bridge"), "bridge", rings=50)


def test_small_cell_fits_fewer_rings():
    from adatom_wf.spec import parse_study
    from adatom_wf.structure.sites import build_site

    data = paper_study().model_dump(mode="json")
    data["substrate"].update(supercell=[5, 5], min_image_distance_angstrom=5.0, vacuum_angstrom=12.0)
    data["cluster"]["rings"] = 2  # a study asking for 3 rings in this cell is refused (tests/test_spec.py)
    small = build_site(parse_study(data), "hollow").atoms
    with pytest.raises(StructureError, match="at most 2 rings fit"):
        cut(small, rings=3)
    assert cut(small, rings=2).formula == "TbC24H12"


@pytest.mark.parametrize("rings", [0, -1])
def test_ring_count_below_one_is_refused(rings):
    with pytest.raises(SpecError, match="rings must be at least 1"):
        cut(ideal_cell("hollow"), rings=rings)


def test_wrong_site_is_refused():
    with pytest.raises(StructureError, match="adatom is at a top site .* not at the hollow site"):
        cut(ideal_cell("top"), "hollow")


def tb_on(atoms, *extra):
    """``atoms`` plus one Tb 2.3 Å above its first atom (and any ``extra`` (symbol, position) pairs)."""
    out = atoms.copy() + Atoms("Tb", positions=[atoms.positions[0] + [0.7, 0.4, 2.3]])
    for symbol, position in extra:
        out += Atoms(symbol, positions=[position])
    return out


def test_bad_structures_are_refused_with_one_line():
    hollow = ideal_cell("hollow")
    carbon = hollow[:-1]
    cases = {
        "no Tb adatom": carbon,
        "2 Tb atoms": tb_on(hollow),
        "too far to be an adatom": hollow.copy(),
        "not an adatom on the layer": hollow.copy(),
        "substrate is not graphene": hollow.copy(),
        "not one flat graphene layer": hollow.copy() + carbon.copy(),
        "carbon neighbours within 1.75 Å (graphene: 3)": hollow[1:],  # a vacancy
        "no periodic cell": Atoms(hollow.symbols, positions=hollow.positions),
    }
    cases["too far to be an adatom"].positions[-1, 2] += 3.0
    cases["not an adatom on the layer"].positions[-1, 2] = hollow.positions[0, 2] + 0.5
    cases["substrate is not graphene"].symbols[5] = "N"
    cases["not one flat graphene layer"].positions[129:, 2] -= 3.35  # bilayer (ids 129.. are the copy)
    for expected, atoms in cases.items():
        with pytest.raises(StructureError) as error:
            cut(atoms, source="test.vasp")
        assert expected in str(error.value) and "\n" not in str(error.value), (expected, str(error.value))
        assert str(error.value).startswith("test.vasp: ")


def test_crowded_hydrogens_are_refused():
    positions = np.array([[0, 0, 0], [3.0, 0, 0], [1.09, 0, 0], [3.0 - 1.09 + 0.3, 0, 0]], dtype=float)
    symbols = ["C", "C", "H", "H"]
    with pytest.raises(StructureError, match=r"capping hydrogen comes 1\.12 Å from a H atom \(at least 1\.6 Å"):
        check_hydrogen_contacts(positions, symbols, [None, None, 0, 1], "x")
    positions[3, 0] = 3.0 + 1.09  # pointing away: fine
    check_hydrogen_contacts(positions, symbols, [None, None, 0, 1], "x")
    assert MIN_HYDROGEN_CONTACT_ANGSTROM < 2.0


def test_files_are_byte_identical_and_carry_the_metadata():
    relaxed = relaxed_like(ideal_cell("hollow"), 0.01, seed=3)
    first = cluster_files(cut(relaxed, source="CONTCAR", source_sha256="ab" * 32))
    second = cluster_files(cut(relaxed.copy(), source="CONTCAR", source_sha256="ab" * 32))
    assert first == second
    assert sorted(first) == ["cluster/hollow-3/cluster.json", "cluster/hollow-3/cluster.xyz"]
    xyz = first["cluster/hollow-3/cluster.xyz"].decode()
    lines = xyz.splitlines()
    assert lines[0] == "73" and lines[2].startswith("Tb ") and "point_group=C6v" in lines[1]
    assert f"source_sha256={'ab' * 32}" in lines[1] and "-0.00000000" not in xyz
    import json

    meta = json.loads(first["cluster/hollow-3/cluster.json"])
    assert meta["source"] == "CONTCAR" and meta["formula"] == "TbC54H18" and meta["rings"] == 3


def test_extended_xyz_reads_back(tmp_path):
    import ase.io

    cluster = cut(ideal_cell("bridge"), "bridge", 2)
    path = tmp_path / "cluster.xyz"
    path.write_bytes(cluster_files(cluster)["cluster/bridge-2/cluster.xyz"])
    back = ase.io.read(path)
    assert back.get_chemical_symbols() == cluster.atoms.get_chemical_symbols()
    assert np.allclose(back.positions, cluster.atoms.positions, atol=1e-8)
    assert back.info["point_group"] == "C2v" and back.info["rings"] == 2

