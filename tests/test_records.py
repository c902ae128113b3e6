"""The record tables (adatom_wf/records.py): the one declaration of every run kind's fields, against the readers,
the store and docs/results.md."""

import re
from pathlib import Path

import h5py
import pytest

from adatom_wf.records import DATASET, GROUP, TABLES, MolcasRecord, RunResult, VaspRecord
from adatom_wf.store import write_runs
from adatom_wf.vasp.results import parse_vasp_run

FIXTURES = Path(__file__).parent / "fixtures"
DOCS = (Path(__file__).parents[1] / "docs" / "results.md").read_text()


def test_a_record_refuses_a_key_its_table_does_not_declare():
    record = MolcasRecord(path="/x", label="Tb3+")
    with pytest.raises(KeyError, match="no field '_text'"):
        record["_text"] = "scratch"
    with pytest.raises(TypeError):
        VaspRecord(_states=None)
    assert record["status"] == "ok" and record["warnings"] == [] and record["spectrum"] is None


@pytest.mark.parametrize("kind", sorted(TABLES))
def test_every_field_is_documented_with_its_store_path(kind):
    show = DOCS[DOCS.index("## `show --json`"):]
    store = DOCS[DOCS.index("## The store"):DOCS.index("## `show --json`")]
    for spec in TABLES[kind]:
        assert f"`{spec.key}`" in show, f"docs/results.md (show --json) does not name {kind}'s {spec.key}"
        name = spec.name.rstrip("/").split("/")[-1]
        assert re.search(rf"\b{re.escape(name)}\b", store), f"docs/results.md (store) has no {kind} path {spec.path}"
        if spec.storage == DATASET:
            assert spec.units and spec.description, spec.key


def test_a_real_vasp_run_fills_its_table_and_is_stored_from_it(tmp_path):
    record = parse_vasp_run(FIXTURES / "vasp" / "feo_relax_vasp535")
    assert isinstance(record, VaspRecord) and list(record.as_dict()) == [f.key for f in TABLES["vasp"]]
    record["site"] = "hollow"
    write_runs(tmp_path / "results.h5", [RunResult(record)])
    with h5py.File(tmp_path / "results.h5") as h5:
        group = h5["vasp/hollow"]
        declared = {spec.name.rstrip("/") for spec in TABLES["vasp"] if spec.storage in (DATASET, GROUP)}
        assert set(group) <= declared and {spec.name for spec in TABLES["vasp"] if spec.path.startswith("@")} >= set(
            group.attrs)
        for name in set(group) - {"final_structure"}:
            spec = next(s for s in TABLES["vasp"] if s.name == name)
            assert group[name].attrs["units"] == spec.units and group[name].attrs["description"] == spec.description


def test_the_stored_analysis_is_the_one_parse_stored(tmp_path):
    """The report's figures and the API analyse the stored SO states again: every number equals the record's."""
    import sys

    sys.path.insert(0, str(Path(__file__).parent / "analysis"))
    from stored_tb3 import tb3_store

    from adatom_wf.analysis.stored import stored_analysis
    from adatom_wf.store import read_store

    store = tb3_store(tmp_path)
    (record,) = read_store(store)["runs"]
    analysis = stored_analysis(store, "Tb3+")
    spectrum = record["spectrum"]
    assert [float(e) for e in analysis.levels_cm1] == spectrum["levels_cm1"]
    assert [float(j) for j in analysis.barrier_jz] == spectrum["jz"]
    assert (analysis.u_eff_cm1, analysis.e_zfs_cm1, analysis.e_mab_cm1) == (
        spectrum["u_eff_cm1"], spectrum["e_zfs_cm1"], spectrum["e_mab_cm1"])
    assert [(d.energy_cm1, d.tunnel_splitting_cm1, d.g_main, list(d.g_principal), d.jz_abs)
            for d in analysis.doublets] == [
        (d["energy_cm1"], d["tunnel_splitting_cm1"], d["g_main"], d["g_principal"], d["jz_abs"])
        for d in record["doublets"]]
