"""Electrons per active-orbital character (adatom_wf.molcas.configuration) on real OpenMolcas files.

The TbFree run (fixtures/run_tbfree: septets and quintets of the Tb3+ free ion, written by hand, not by adatom-wf)
carries DENSITY_MATRIX and the orbitals in its rasscf.h5 files and the SO eigenvectors in its rassi.h5; the
demo's Tb2+ (10 active orbitals, real OpenMolcas) is checked in test_openmolcas_demo.py.
"""

import h5py
import numpy as np
import pytest
from foreign_runs import FIXTURES, unpack

from adatom_wf.errors import ParseError
from adatom_wf.molcas.configuration import RootOccupations, compose, read_composition, read_root_occupations
from adatom_wf.molcas.orbitals import character_basis, read_orbitals
from adatom_wf.parse import parse_directory
from adatom_wf.store import read_store, write_runs


@pytest.fixture
def tbfree(tmp_path):
    return unpack("run_tbfree", tmp_path)


def test_free_ion_roots_hold_eight_4f_electrons_and_the_j6_multiplet_is_septet(tbfree):
    result = parse_directory(tbfree)
    record = result.record
    assert record["status"] == "ok" and record["orbital_groups"] == ["4f"]
    assert "orbital characters 4f assumed for 7 active orbitals (no study names them)" in record["warnings"]
    for run, roots in zip(record["rasscf"], (7, 5)):
        assert len(run["occupations"]) == roots
        assert all(root == [{"character": "4f", "electrons": pytest.approx(8, abs=1e-6)}]
                   for root in run["occupations"])
    ground = record["multiplets"][0]
    assert ground["occupations"] == [{"character": "4f", "electrons": pytest.approx(8, abs=1e-6)}]
    assert [w["multiplicity"] for w in ground["spin_weights"]] == [7, 5]
    assert ground["spin_weights"][0]["weight"] > 0.999  # 7F6: Hund's rules; quintet admixture through SOC only


def test_spin_weights_of_every_so_state_are_its_spin_free_weights(tbfree):
    """Recomputed here state by state from SOS_COEFFICIENTS: row I over |i, S, M_S>, 7 septet blocks of 7 then 5
    quintet blocks of 5."""
    arrays = parse_directory(tbfree).arrays
    with h5py.File(tbfree / "TbFree.rassi.h5", "r") as h5:
        squared = h5["SOS_COEFFICIENTS_REAL"][()] ** 2 + h5["SOS_COEFFICIENTS_IMAG"][()] ** 2
    septet = squared[:, :49].sum(axis=1)
    assert arrays["so_multiplicities"].tolist() == [7, 5]
    assert arrays["so_spin_weights"][:, 0] == pytest.approx(septet, abs=1e-12)
    assert arrays["so_spin_weights"][:, 1] == pytest.approx(1 - septet, abs=1e-12)
    assert septet.max() > 0.99 and septet.min() < 0.05  # the quintet multiplets: 1.5-3.5 % septet through SOC
    assert arrays["so_occupations"][:, 0] == pytest.approx(8, abs=1e-6)


def test_the_character_basis_is_orthonormal_and_pools_the_degenerate_pair():
    orbitals = read_orbitals(FIXTURES / "Tb2p.m8.rasscf.h5")
    labels, basis = character_basis(orbitals, ["4f", "6s/5d0", "5dxy", "5dx2-y2"], 65)
    assert labels == ["4f"] * 7 + ["6s/5d0"] + ["5dxy+5dx2-y2"] * 2
    assert basis.T @ basis == pytest.approx(np.eye(10), abs=1e-12)
    with pytest.raises(ParseError, match="10 active orbitals, but the characters \\['4f'\\] describe 7"):
        character_basis(orbitals, ["4f"], 65)


def test_occupations_of_a_density_are_its_trace_split_by_character(tbfree):
    occupations = read_root_occupations(tbfree / "TbFree.spin7.rasscf.h5", ["4f"])
    with h5py.File(tbfree / "TbFree.spin7.rasscf.h5", "r") as h5:
        traces = np.trace(h5["DENSITY_MATRIX"][()], axis1=1, axis2=2)
    assert occupations.groups == ("4f",) and occupations.electrons[:, 0] == pytest.approx(traces, abs=1e-10)


def test_a_file_without_density_matrix_has_no_occupations(tbfree):
    for name in ("TbFree.spin5.rasscf.h5", "TbFree.rasscf.h5"):  # the quintets, and the copy OpenMolcas left
        with h5py.File(tbfree / name, "a") as h5:
            del h5["DENSITY_MATRIX"]
    assert read_root_occupations(tbfree / "TbFree.spin5.rasscf.h5", ["4f"]) is None
    record = parse_directory(tbfree).record
    assert record["status"] == "ok" and record["rasscf"][1]["occupations"] is None
    assert record["rasscf"][0]["occupations"] is not None and "occupations" not in record["multiplets"][0]
    assert "occupations of the SO states need every RASSCF run's rasscf.h5: not computed" in record["warnings"]


def test_a_damaged_density_matrix_is_a_note_and_the_rest_of_the_record_stands(tbfree):
    with h5py.File(tbfree / "TbFree.spin7.rasscf.h5", "a") as h5:
        del h5["DENSITY_MATRIX"]
        h5["DENSITY_MATRIX"] = np.zeros((7, 3, 3))
    record = parse_directory(tbfree).record
    assert record["status"] == "ok" and record["multiplets"][0]["g_main"]
    assert all(run["occupations"] is None for run in record["rasscf"]) and record["orbital_groups"] is None
    assert any(w.startswith("no occupations of the active orbitals: TbFree.spin7.rasscf.h5: DENSITY_MATRIX has shape "
                            "(7, 3, 3), expected (roots, 7, 7)") for w in record["warnings"])


def test_a_rassi_state_that_is_no_rasscf_root_is_refused(tbfree):
    weights, multiplicities, energies = read_composition(tbfree / "TbFree.rassi.h5")
    septets = RootOccupations(("4f",), np.full((7, 1), 8.0))
    quintets = RootOccupations(("4f",), np.full((5, 1), 8.0))
    roots = {m: energies[multiplicities == m] for m in (7, 5)}
    composition = compose(weights, multiplicities, energies, [(7, roots[7], septets), (5, roots[5], quintets)])
    assert composition.multiplet(0, 13)["spin_weights"][0]["multiplicity"] == 7
    shifted = roots[5] + 1e-3
    with pytest.raises(ParseError, match=r"spin-free state 8 of RASSI \(2S\+1 = 5, .*\) is not the next RASSCF root"):
        compose(weights, multiplicities, energies, [(7, roots[7], septets), (5, shifted, quintets)])
    with pytest.raises(ParseError, match=r"spin-free state 8 of RASSI \(2S\+1 = 5\) is not a root of any RASSCF run"):
        compose(weights, multiplicities, energies, [(7, roots[7], septets)])


def test_occupations_and_spin_weights_survive_the_store(tbfree, tmp_path):
    result = parse_directory(tbfree)
    store = tmp_path / "results.h5"
    write_runs(store, [result])
    (stored,) = read_store(store)["runs"]
    assert stored["orbital_groups"] == ["4f"]
    assert stored["multiplets"][0]["occupations"] == result.record["multiplets"][0]["occupations"]
    assert stored["multiplets"][0]["spin_weights"] == result.record["multiplets"][0]["spin_weights"]
    assert stored["rasscf"][0]["occupations"] == result.record["rasscf"][0]["occupations"]
    with h5py.File(store, "r") as h5:
        dataset = h5[f"{stored['key']}/spin_orbit/occupations"]
        assert dataset.attrs["units"] == "electrons" and dataset.shape == (74, 1)
        assert h5[f"{stored['key']}/spin_orbit/spin_weights"].attrs["multiplicities"] == "[7, 5]"


def test_the_python_api_gives_the_configuration_as_arrays(tbfree, tmp_path):
    import adatom_wf

    write_runs(tmp_path / "results.h5", [parse_directory(tbfree)])
    run = adatom_wf.open_store(tmp_path / "results.h5").molcas("run_tbfree")
    configuration = run.multiplets[0].configuration
    assert configuration.groups == ("4f",) and configuration.electrons == pytest.approx([8], abs=1e-6)
    assert configuration.spin_multiplicities.tolist() == [7, 5] and configuration.spin_weights.sum() == pytest.approx(1)
    assert run.orbital_groups == ("4f",) and run.rasscf[0].occupations_electrons.shape == (7, 1)
