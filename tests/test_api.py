"""The Python API (adatom_wf.api, docs/api.md) on a store parsed from real runs, and the executed docs example."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent / "molcas"))
from tb3p_run import unpack_tb3p  # noqa: E402
from test_results_cli import vasp_run  # noqa: E402

import adatom_wf  # noqa: E402
from adatom_wf.errors import StoreError  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    """The trimmed real Tb3+ OpenMolcas run and a real VASP run, parsed as a user does."""
    where = tmp_path_factory.mktemp("api")
    runs = [unpack_tb3p(where / "runs"), vasp_run(where / "runs")]
    from adatom_wf.cli import main

    with pytest.raises(SystemExit) as exit:
        main(["parse", *map(str, runs), "--store", str(where / "out.h5")])
    assert exit.value.code == 0
    return where / "out.h5"


def test_import_is_light_until_an_api_name_is_used():
    probe = ("import sys, adatom_wf\n"
             "assert not [m for m in ('numpy', 'h5py', 'ase', 'pymatgen') if m in sys.modules]\n"
             "adatom_wf.open_store\n"
             "assert 'numpy' in sys.modules and not [m for m in ('h5py', 'ase', 'pymatgen') if m in sys.modules]\n"
             "assert 'open_store' in dir(adatom_wf)\n")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_store_records_are_arrays_with_units_in_their_names(store_path):
    store = adatom_wf.open_store(store_path)
    assert [run.key for run in store.runs] == ["vasp/hollow", "molcas/Tb3+"] and store.states == ["Tb3+"]
    tb3 = store.molcas("Tb3+")
    assert tb3.ok and tb3.failure is None and tb3.so_energies_cm1.shape == (49,) and tb3.so_energies_cm1[0] == 0
    assert not tb3.so_energies_cm1.flags.writeable
    assert [roots.multiplicity for roots in tb3.rasscf] == [7] and tb3.rasscf[0].root_energies_hartree.shape == (7,)
    np.testing.assert_allclose(tb3.g.principal, [1.508, 1.508, 1.476], atol=5e-4)  # `show` of this run
    assert tb3.g.axes.shape == (3, 3) and tb3.multiplets[0].size == 13 and tb3.multiplets[0].pseudospin == "6"
    assert tb3.cf_parameters[2, 0] == pytest.approx(-6.0746, abs=1e-4) and tb3.crystal_field_j_value == "6"
    assert set(tb3.cf_parameters.as_dict()) >= {(2, 0), (4, 0), (6, 0), (6, 6)}
    assert tb3.doublets.jz_abs_hbar[0] == pytest.approx(6, abs=1e-3) and tb3.doublets.g_principal.shape[1] == 3
    assert tb3.stored_spectrum.levels_cm1.shape == (13,)
    hollow = store.vasp("hollow")
    assert hollow.ok and hollow.energy_sigma0_ev < 0 and hollow.positions_angstrom.shape == (2, 3)
    with pytest.raises(StoreError, match=r"no molcas run 'Tb2\+' \(stored: Tb3\+\)"):
        store.molcas("Tb2+")


def test_spectrum_and_magnetisation_of_a_stored_state(store_path):
    tb3 = adatom_wf.open_store(store_path).molcas("Tb3+")
    spectrum = tb3.spectrum()
    assert spectrum.u_eff_cm1 == pytest.approx(tb3.stored_spectrum.u_eff_cm1, rel=1e-9)  # what parse stored
    np.testing.assert_allclose(spectrum.levels_cm1, tb3.stored_spectrum.levels_cm1, atol=1e-6)
    axial = tb3.magnetisation([0.0, 7.0], [2.0], direction=spectrum.main_axis)
    # the |Jz| = 6 ground doublet, g_J = 3/2: saturated along the axis at 7 T and 2 K, M = g_J J μB = 9 μB
    assert axial.magnetisation_mub.shape == (2, 1) and axial.magnetisation_mub[1, 0] == pytest.approx(9.0, abs=0.05)
    assert abs(axial.magnetisation_mub[0, 0]) < 1e-6
    powder = tb3.magnetisation([7.0], [2.0])
    assert powder.direction is None and 4.0 < powder.magnetisation_mub[0, 0] < 5.0  # an Ising doublet: about M/2
    assert powder.powder_points >= 64  # the converged axial grid by default (issue 29), as the CLI


def test_the_docs_example_runs_on_a_real_store(store_path):
    result = subprocess.run([sys.executable, str(ROOT / "docs" / "examples" / "api_tour.py"), str(store_path)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    tb3 = adatom_wf.open_store(store_path).molcas("Tb3+")
    assert "study demo_tb_benzene: Tb, states Tb3+, Tb2+, Tb1+, Tb0" in result.stdout
    assert f"U_eff = {tb3.stored_spectrum.u_eff_cm1:.1f} cm^-1" in result.stdout
    assert "g (ground multiplet) = 1.508 1.508 1.476" in result.stdout
