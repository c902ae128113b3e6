"""The HDF5 store: round trip, units on every dataset, idempotence, crash safety, schema versions."""

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import h5py
import pytest

from adatom_wf.errors import StoreError
from adatom_wf.parse import parse_directory
from adatom_wf.records import RunResult, VaspRecord
from adatom_wf.store import SCHEMA_VERSION, read_spectrum_arrays, read_store, write_runs

sys.path.insert(0, str(Path(__file__).parent / "molcas"))
from tb3p_run import unpack_tb3p  # noqa: E402

VASP_RECORD = {
    "kind": "vasp", "path": "/runs/x/dft/hollow", "site": "hollow", "status": "ok", "failure": None,
    "vasp_version": "6.3.0", "energy_ev": -1234.5, "energy_sigma0_ev": -1234.4, "ionic_steps": 12, "natoms": 129,
    "converged": True, "max_force_ev_per_angstrom": 0.004, "ediffg": -0.01, "nsw": 200, "adatom": "Tb",
    "adatom_height_angstrom": 2.21, "structure_source": "CONTCAR",
    "final_structure": {"symbols": ["Tb", "C"], "cell_angstrom": [[1, 0, 0], [0, 1, 0], [0, 0, 20]],
                        "positions_angstrom": [[0, 0, 2.21], [0.5, 0.5, 0]]},
    "largest_energy_rise_ev": 0.78, "energy_rise_step": 13, "layer_buckling_angstrom": 0.3,
    "relaxation_flags": ["ionic step 13 raised the energy by 0.780 eV", "the layer buckled by 0.30 Å"],
    "warnings": [], "sources": {"vasprun.xml": "ab" * 32},
}


@pytest.fixture(scope="module")
def tb3p(tmp_path_factory):
    return parse_directory(unpack_tb3p(tmp_path_factory.mktemp("run")), label="Tb3+")


def comparable(record):
    return json.loads(json.dumps({k: v for k, v in record.items() if k != "key"}))


def test_a_dft_record_without_the_relaxation_check_reads_back_as_unchecked(tmp_path):
    # a store written before the check (issue 36) has none of its datasets or the flags attribute
    write_runs(tmp_path / "results.h5", [RunResult(VaspRecord(**VASP_RECORD))], producer="adatom-wf test")
    with h5py.File(tmp_path / "results.h5", "a") as h5:
        group = h5["vasp/hollow"]
        del group.attrs["relaxation_flags"]
        for name in ("largest_energy_rise", "energy_rise_step", "layer_buckling"):
            del group[name]
    run = read_store(tmp_path / "results.h5")["runs"][0]
    assert run["largest_energy_rise_ev"] is None and run["layer_buckling_angstrom"] is None
    assert run["relaxation_flags"] == []


def test_round_trip_gives_back_every_record(tmp_path, tb3p):
    store = tmp_path / "results.h5"
    write_runs(store, [RunResult(VaspRecord(**VASP_RECORD)), tb3p], producer="adatom-wf test")
    data = read_store(store)
    assert data["schema_version"] == SCHEMA_VERSION and data["producer"] == "adatom-wf test"
    runs = {r["key"]: r for r in data["runs"]}
    assert set(runs) == {"vasp/hollow", "molcas/Tb3+"}
    assert comparable(runs["vasp/hollow"]) == comparable(VASP_RECORD)
    assert comparable(runs["molcas/Tb3+"]) == comparable(tb3p.record)
    arrays = read_spectrum_arrays(store, "Tb3+")
    assert (arrays["angular_momentum"] == tb3p.arrays["angular_momentum"]).all() and arrays["active_electrons"] == 8


def test_every_dataset_has_units_and_a_description(tmp_path, tb3p):
    store = tmp_path / "results.h5"
    write_runs(store, [RunResult(VaspRecord(**VASP_RECORD)), tb3p])
    seen = []

    def visit(name, item):
        if isinstance(item, h5py.Dataset):
            seen.append(name)
            assert item.attrs["units"] and item.attrs["description"], name

    with h5py.File(store) as h5:
        h5.visititems(visit)
    assert "molcas/Tb3+/rasscf/m7/root_energies" in seen and "vasp/hollow/energy" in seen
    assert "molcas/Tb3+/single_aniso/multiplet_1/crystal_field/B" in seen


def test_reparsing_is_idempotent_and_keeps_other_runs(tmp_path, tb3p):
    store = tmp_path / "results.h5"
    write_runs(store, [RunResult(VaspRecord(**VASP_RECORD))])
    write_runs(store, [tb3p])
    first = read_store(store)
    write_runs(store, [tb3p])
    assert read_store(store) == first and len(first["runs"]) == 2


def test_an_ok_run_is_not_replaced_by_a_failed_reading(tmp_path):
    store = tmp_path / "results.h5"
    write_runs(store, [RunResult(VaspRecord(**VASP_RECORD))])
    failed = dict(VASP_RECORD, status="failed", failure="vasprun.xml ends inside an <scstep>", energy_ev=None)
    warnings = write_runs(store, [RunResult(VaspRecord(**failed))])
    assert warnings and "kept the stored result of vasp/hollow" in warnings[0]
    assert read_store(store)["runs"][0]["energy_ev"] == -1234.5


def test_an_ok_run_is_not_replaced_by_a_failed_run_of_another_directory_with_its_site(tmp_path):
    store = tmp_path / "results.h5"
    write_runs(store, [RunResult(VaspRecord(**VASP_RECORD))])
    elsewhere = dict(VASP_RECORD, path="/elsewhere/hollow", status="failed", failure="killed", energy_ev=None)
    warnings = write_runs(store, [RunResult(VaspRecord(**elsewhere))])
    assert warnings == ["kept the stored result of vasp/hollow: /elsewhere/hollow, read as failed (killed)"]
    (run,) = read_store(store)["runs"]
    assert run["path"] == VASP_RECORD["path"] and run["energy_ev"] == -1234.5


def test_a_failing_write_leaves_the_old_store_untouched(tmp_path, tb3p, monkeypatch):
    import adatom_wf.store as store_module

    store = tmp_path / "results.h5"
    write_runs(store, [RunResult(VaspRecord(**VASP_RECORD))])
    before = store.read_bytes()

    def broken(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(store_module, "_write_run", broken)
    with pytest.raises(KeyboardInterrupt):
        write_runs(store, [tb3p])
    assert store.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".results.h5.lock", "results.h5"]


def test_a_killed_writer_leaves_the_old_store_readable(tmp_path):
    """SIGKILL in the middle of writing (a writer stalled after its first dataset): the old store survives."""
    store = tmp_path / "results.h5"
    write_runs(store, [RunResult(VaspRecord(**VASP_RECORD))])
    before = read_store(store)
    script = textwrap.dedent(f"""
        import json, time, adatom_wf.store as s
        from adatom_wf.records import RunResult, VaspRecord
        real = s._dataset
        def slow(*args):
            real(*args)
            print("writing", flush=True)
            time.sleep(60)
        s._dataset = slow
        record = json.loads({json.dumps(VASP_RECORD)!r})
        record["site"] = "top"
        s.write_runs({str(store)!r}, [RunResult(VaspRecord(**record))])
    """)
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "writing"
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert read_store(store) == before
    stale = list(tmp_path.glob(".results.h5.*.tmp"))
    assert len(stale) == 1  # what the killed writer left
    write_runs(store, [RunResult(VaspRecord(**VASP_RECORD))])  # the next parse of that store removes it
    assert not stale[0].exists() and list(tmp_path.glob(".results.h5.*.tmp")) == []
    assert read_store(store) == before


def test_a_newer_schema_is_refused(tmp_path):
    store = tmp_path / "results.h5"
    write_runs(store, [RunResult(VaspRecord(**VASP_RECORD))])
    with h5py.File(store, "r+") as h5:
        h5.attrs["schema_version"] = SCHEMA_VERSION + 1
    with pytest.raises(StoreError, match=f"written with store schema {SCHEMA_VERSION + 1}.*upgrade adatom-wf"):
        read_store(store)
    with pytest.raises(StoreError, match="upgrade adatom-wf"):
        write_runs(store, [RunResult(VaspRecord(**VASP_RECORD))])


def test_foreign_files_are_refused(tmp_path):
    text = tmp_path / "notes.h5"
    text.write_text("hello")
    with pytest.raises(StoreError, match="not a readable HDF5 file"):
        read_store(text)
    with pytest.raises(StoreError, match="move it away"):
        write_runs(text, [RunResult(VaspRecord(**VASP_RECORD))])
    assert text.read_text() == "hello"
    foreign = tmp_path / "foreign.h5"
    h5py.File(foreign, "w").close()
    with pytest.raises(StoreError, match="not an adatom-wf results store"):
        read_store(foreign)
    with pytest.raises(StoreError, match="does not exist"):
        read_store(tmp_path / "missing.h5")
