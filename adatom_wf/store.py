"""The HDF5 results store: ``runs/<study>/results.h5`` (schema in docs/results.md).

One group per run: ``/vasp/<site>``, ``/gpaw/<site>`` and ``/molcas/<oxidation state>``
(``/molcas/<label>/rasscf/m<2S+1>`` per multiplicity), written and read field by field from the run kind's table
(:mod:`adatom_wf.records`); the sub-groups by the writers and readers named in ``_GROUP_WRITERS`` and
``_GROUP_READERS``. Every dataset carries ``units`` and ``description`` attributes; the root carries the schema
version, the producer and the study's name and hash; each run group its path, status, failure and the sha256 of
every file it was read from.

Writes are crash-safe: the new store is written to a temporary file beside the old one, flushed to disk and moved
over it with ``os.replace`` (atomic on POSIX), under an exclusive lock so two ``parse`` runs cannot interleave;
the temporary files a killed ``parse`` left are removed by the next write.
Runs not re-parsed are copied over unchanged, so nothing stored before is lost; a run stored as ok is kept (with a
warning) when it now reads as failed, or when a failed run of another directory would take its key. Re-parsing the
same outputs gives the same content. A store written by a newer schema is refused.
"""

import fcntl
import json
import math
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from adatom_wf.errors import StoreError
from adatom_wf.facts import DFT_KINDS
from adatom_wf.records import (
    ATTRIBUTE,
    DATASET,
    DOUBLET_FIELDS,
    GROUP,
    JSON,
    JSON_IF_SET,
    SPECTRUM_FIELDS,
    TABLES,
    RunResult,
)

SCHEMA_VERSION = 1


KINDS = (*DFT_KINDS, "molcas")


def _dataset(group, name: str, data, units: str, description: str) -> None:
    dataset = group.create_dataset(name, data=data, track_times=False)
    dataset.attrs["units"] = units
    dataset.attrs["description"] = description


def _cf_table(group, parameters: list, description: str) -> None:
    table = group.create_group("crystal_field", track_order=True)
    table.attrs["description"] = description
    _dataset(table, "k", np.array([p["k"] for p in parameters], dtype=np.int64), "1", "rank k of O_k^q")
    _dataset(table, "q", np.array([p["q"] for p in parameters], dtype=np.int64), "1", "component q of O_k^q")
    _dataset(table, "B", np.array([p["b_cm1"] for p in parameters], dtype=float), "cm^-1",
             "B_k^q of the extended Stevens operators (Rudowicz/EasySpin ESO, as SINGLE_ANISO prints them)")


def _read_cf(group) -> list:
    if "crystal_field" not in group:
        return []
    table = group["crystal_field"]
    return [{"k": int(k), "q": int(q), "b_cm1": float(b)}
            for k, q, b in zip(table["k"][()], table["q"][()], table["B"][()])]


def _write_run(group, record, arrays: dict) -> None:
    """A run's group, field by field from its kind's table (adatom_wf.records); sub-groups by their writers."""
    for spec in TABLES[record["kind"]]:
        value = record[spec.key]
        if spec.storage == ATTRIBUTE:
            group.attrs[spec.name] = value or ""
        elif spec.storage == JSON:
            group.attrs[spec.name] = json.dumps(value or spec.empty_value(), sort_keys=True)
        elif spec.storage == JSON_IF_SET and value is not None:
            group.attrs[spec.name] = json.dumps(value, sort_keys=True)
        elif spec.storage == DATASET and value is not None:
            _dataset(group, spec.name, value, spec.units, spec.description)
        elif spec.storage == GROUP:
            _GROUP_WRITERS[spec.key](group, record, arrays)


def _write_final_structure(group, record, arrays: dict) -> None:
    structure = record["final_structure"]
    if structure:
        final = group.create_group("final_structure")
        final.attrs["source"] = record.get("structure_source") or ""
        _dataset(final, "cell", np.asarray(structure["cell_angstrom"], float), "angstrom", "lattice vectors (rows)")
        _dataset(final, "positions", np.asarray(structure["positions_angstrom"], float), "angstrom",
                 "Cartesian positions")
        _dataset(final, "symbols", np.array(structure["symbols"], dtype="S3"), "1", "chemical symbols")


def _write_rasscf(group, record, arrays: dict) -> None:
    runs = group.create_group("rasscf", track_order=True) if record.get("rasscf") else None
    for order, run in enumerate(record.get("rasscf") or []):
        assert runs is not None  # made when there are runs
        sub = runs.create_group(f"m{run['multiplicity']}")
        sub.attrs["order"] = order  # the log's order (a copied group may lose its creation order)
        sub.attrs["multiplicity"] = run["multiplicity"]
        sub.attrs["converged"] = bool(run["converged"])
        if run.get("iterations") is not None:
            sub.attrs["iterations"] = run["iterations"]
        _dataset(sub, "root_energies", np.asarray(run["root_energies_hartree"], float), "hartree",
                 "state-averaged CASSCF root energies of this spin multiplicity")
        if run.get("occupations"):
            _dataset(sub, "occupations", [[o["electrons"] for o in root] for root in run["occupations"]], "electrons",
                     "electrons per active-orbital group (attribute groups) of each root, from its DENSITY_MATRIX")
            sub["occupations"].attrs["groups"] = json.dumps([o["character"] for o in run["occupations"][0]])


def _write_spin_orbit(group, record, arrays: dict) -> None:
    if record.get("so_energies_cm1"):
        _dataset(group, "spin_orbit/energies", np.asarray(record["so_energies_cm1"], float), "cm^-1",
                 "RASSI spin-orbit energies above the lowest SO state")
    if "so_occupations" in arrays:
        _dataset(group, "spin_orbit/occupations", arrays["so_occupations"], "electrons",
                 "electrons per active-orbital group (attribute groups) of each SO state: its spin-free weights times "
                 "their roots' occupations")
        group["spin_orbit/occupations"].attrs["groups"] = json.dumps(record["orbital_groups"])
        _dataset(group, "spin_orbit/spin_weights", arrays["so_spin_weights"], "1",
                 "weight of each spin multiplicity (attribute multiplicities) in each SO state")
        group["spin_orbit/spin_weights"].attrs["multiplicities"] = json.dumps(arrays["so_multiplicities"].tolist())


def _write_multiplets(group, record, arrays: dict) -> None:
    for multiplet in record.get("multiplets") or []:
        sub = group.create_group(f"single_aniso/multiplet_{multiplet['index']}")
        sub.attrs["size"] = multiplet["size"]
        sub.attrs["pseudospin"] = multiplet["pseudospin"]
        _dataset(sub, "g_main", np.asarray(multiplet["g_main"], float), "1", "main g values gX, gY, gZ")
        _dataset(sub, "g_axes", np.asarray(multiplet["g_axes"], float), "1",
                 "main magnetic axes Xm, Ym, Zm (rows) in the cluster frame")
        _dataset(sub, "energies", np.asarray(multiplet["energies_cm1"], float), "cm^-1",
                 "SO energies of the multiplet as SINGLE_ANISO prints them (three decimals)")
        if multiplet["cf_parameters"]:
            _cf_table(sub, multiplet["cf_parameters"], "ZFS/crystal-field Hamiltonian of the pseudospin multiplet")
        if multiplet.get("occupations"):
            _dataset(sub, "occupations", [o["electrons"] for o in multiplet["occupations"]], "electrons",
                     "electrons per active-orbital group (attribute groups), mean over the multiplet's SO states")
            sub["occupations"].attrs["groups"] = json.dumps([o["character"] for o in multiplet["occupations"]])
            _dataset(sub, "spin_weights", [w["weight"] for w in multiplet["spin_weights"]], "1",
                     "weight of each spin multiplicity (attribute multiplicities), mean over the multiplet's SO states")
            sub["spin_weights"].attrs["multiplicities"] = json.dumps([w["multiplicity"]
                                                                      for w in multiplet["spin_weights"]])


def _write_crystal_field_j(group, record, arrays: dict) -> None:
    crystal = record.get("crystal_field_j")
    if crystal:
        sub = group.create_group("crystal_field_j")
        sub.attrs["j"] = crystal["j"]
        _cf_table(sub, crystal["cf_parameters"], "crystal field of the ground atomic J multiplet (CRYS)")


def _write_doublets(group, record, arrays: dict) -> None:
    doublets = record.get("doublets") or []
    if doublets:
        sub = group.create_group("doublets")
        for key, (name, units, description) in DOUBLET_FIELDS.items():
            _dataset(sub, name, np.asarray([d[key] for d in doublets], float), units, description)


def _write_spectrum(group, record, arrays: dict) -> None:
    spectrum = record.get("spectrum")
    if spectrum:
        sub = group.create_group("spectrum")
        for key, (name, units, description) in SPECTRUM_FIELDS.items():
            _dataset(sub, name, np.asarray(spectrum[key], float), units, description)
        for key in ("kramers", "e_zfs_cm1", "e_mab_cm1", "u_eff_cm1", "kramers_violations", "active_electrons"):
            sub.attrs[key] = -1.0 if spectrum[key] is None else spectrum[key]
        _dataset(sub, "angular_momentum", arrays["angular_momentum"], "hbar",
                 "<i|L_a|j> between the multiplet's SO states, a = x, y, z (rebuilt from rassi.h5)")
        _dataset(sub, "spin", arrays["spin"], "hbar", "<i|S_a|j> between the multiplet's SO states, a = x, y, z")


_GROUP_WRITERS = {"final_structure": _write_final_structure, "rasscf": _write_rasscf,
                  "so_energies_cm1": _write_spin_orbit, "multiplets": _write_multiplets,
                  "crystal_field_j": _write_crystal_field_j, "doublets": _write_doublets, "spectrum": _write_spectrum}


def _read_final_structure(group):
    if "final_structure" not in group:
        return None
    final = group["final_structure"]
    return {"cell_angstrom": final["cell"][()].tolist(), "positions_angstrom": final["positions"][()].tolist(),
            "symbols": [s.decode() for s in final["symbols"][()]]}


def _occupations(dataset) -> list:
    """``[{character, electrons}]`` (1-D) or one such list per row (2-D) from an occupations dataset."""
    groups = json.loads(dataset.attrs["groups"])
    values = dataset[()]
    rows = values if values.ndim == 2 else [values]
    lists = [[{"character": g, "electrons": float(n)} for g, n in zip(groups, row)] for row in rows]
    return lists if values.ndim == 2 else lists[0]


def _read_rasscf(group) -> list:
    runs = group["rasscf"] if "rasscf" in group else {}
    return [
        {"multiplicity": int(run.attrs["multiplicity"]), "root_energies_hartree": run["root_energies"][()].tolist(),
         "converged": bool(run.attrs["converged"]),
         "iterations": int(run.attrs["iterations"]) if "iterations" in run.attrs else None,
         "occupations": _occupations(run["occupations"]) if "occupations" in run else None}
        for run in sorted(runs.values(), key=lambda r: int(r.attrs["order"]))]


def _read_spin_orbit(group) -> list:
    energies = group.get("spin_orbit/energies")
    return energies[()].tolist() if energies is not None else []


def _read_multiplets(group) -> list:
    multiplets = group["single_aniso"] if "single_aniso" in group else {}  # multiplet_<n>: sorted by n below
    return [
        {"index": int(name.rsplit("_", 1)[1]), "size": int(sub.attrs["size"]),
         "pseudospin": str(sub.attrs["pseudospin"]),
         "g_main": sub["g_main"][()].tolist(), "g_axes": sub["g_axes"][()].tolist(),
         "energies_cm1": sub["energies"][()].tolist(), "cf_parameters": _read_cf(sub),
         **({"occupations": _occupations(sub["occupations"]),
             "spin_weights": [{"multiplicity": m, "weight": float(w)} for m, w in
                              zip(json.loads(sub["spin_weights"].attrs["multiplicities"]), sub["spin_weights"][()])]}
            if "occupations" in sub else {})}
        for name, sub in sorted(multiplets.items(), key=lambda item: int(item[0].rsplit("_", 1)[1]))]


def _read_crystal_field_j(group) -> dict | None:
    crystal = group.get("crystal_field_j")
    return {"j": str(crystal.attrs["j"]), "cf_parameters": _read_cf(crystal)} if crystal is not None else None


def _read_doublets(group) -> list:
    """The doublets; a number the run could not give (jz_abs of doublets read from a log alone) is stored NaN and
    read back null."""
    doublets = group.get("doublets")
    columns = {key: doublets[name][()].tolist() for key, (name, _, _) in DOUBLET_FIELDS.items()} if doublets else {}
    count = len(columns.get("energy_cm1", []))
    return [{key: None if isinstance(values[i], float) and math.isnan(values[i]) else values[i]
             for key, values in columns.items()} for i in range(count)]


def _read_spectrum(group) -> dict | None:
    spectrum = group.get("spectrum")
    if spectrum is None:
        return None
    read = {key: spectrum[name][()].tolist() for key, (name, _, _) in SPECTRUM_FIELDS.items()}
    for key, value in spectrum.attrs.items():
        value = value.item() if hasattr(value, "item") else value
        unknown = (key.endswith("_cm1") or key == "active_electrons") and value == -1.0
        read[key] = None if unknown else value
    read["kramers"] = bool(read["kramers"])
    return read


_GROUP_READERS = {"final_structure": _read_final_structure, "rasscf": _read_rasscf,
                  "so_energies_cm1": _read_spin_orbit, "multiplets": _read_multiplets,
                  "crystal_field_j": _read_crystal_field_j, "doublets": _read_doublets, "spectrum": _read_spectrum}


def _read_run(group) -> dict:
    """A run's group as its record's JSON (show --json), field by field from its kind's table, plus ``key``; a
    field a store older than the table lacks reads back as its empty value."""
    record = {}
    for spec in TABLES[group.attrs["kind"]]:
        if spec.storage == ATTRIBUTE:
            record[spec.key] = group.attrs.get(spec.name) or None
        elif spec.storage in (JSON, JSON_IF_SET):
            record[spec.key] = json.loads(group.attrs[spec.name]) if spec.name in group.attrs else spec.empty_value()
        elif spec.storage == DATASET:
            value = group[spec.name][()].item() if spec.name in group else None
            record[spec.key] = bool(value) if spec.units == "bool" and value is not None else value
        elif spec.storage == GROUP:
            record[spec.key] = _GROUP_READERS[spec.key](group)
    record["key"] = group.name.lstrip("/")
    return record


def _check_version(h5, path: Path) -> None:
    version = h5.attrs.get("schema_version")
    if version is None:
        raise StoreError(f"{path} is an HDF5 file but not an adatom-wf results store (no schema_version)")
    if int(version) > SCHEMA_VERSION:
        raise StoreError(f"{path} was written with store schema {int(version)}; this adatom-wf reads schema "
                         f"{SCHEMA_VERSION} and older: upgrade adatom-wf to read it")


@contextmanager
def open_store(path) -> Iterator[Any]:
    """The store opened read-only, its schema checked; StoreError for a missing, foreign or newer file."""
    import h5py

    path = Path(path)
    if not path.is_file():
        raise StoreError(f"{path} does not exist (run 'adatom-wf parse' first)")
    try:
        h5 = h5py.File(path, "r")
    except OSError:
        raise StoreError(f"{path} is not a readable HDF5 file (expected an adatom-wf results store)") from None
    with h5:
        _check_version(h5, path)
        yield h5


def read_store(path) -> dict:
    """Everything stored, as plain data: what ``adatom-wf show --json`` prints."""
    with open_store(path) as h5:
        runs = [_read_run(h5[kind][name]) for kind in KINDS if kind in h5 for name in h5[kind]]
        return {"store": str(path), "schema_version": int(h5.attrs["schema_version"]),
                "producer": h5.attrs.get("producer", ""), "study": h5.attrs.get("study") or None,
                "study_sha256": h5.attrs.get("study_sha256") or None, "runs": runs}


def read_spectrum_arrays(path, label: str) -> dict:
    """Levels (cm⁻¹), L and S (3, n, n) and the active electron count of the stored ground multiplet of ``label``."""
    with open_store(path) as h5:
        group = h5.get(f"molcas/{label}")
        if group is None:
            stored = ", ".join(h5["molcas"]) if "molcas" in h5 else "none"
            raise StoreError(f"{path} has no OpenMolcas run {label!r} (stored: {stored})")
        if "spectrum" not in group:
            reason = group.attrs["failure"] or "no SO spectrum was stored"
            raise StoreError(f"{path}: run {label} has no spectrum ({reason})")
        spectrum = group["spectrum"]
        return {"levels_cm1": spectrum["levels"][()], "angular_momentum": spectrum["angular_momentum"][()],
                "spin": spectrum["spin"][()], "active_electrons": int(spectrum.attrs["active_electrons"]),
                "kramers": bool(spectrum.attrs["kramers"])}


def _key(kind: str, record: dict) -> str:
    name = record.get("site") if kind in DFT_KINDS else record.get("label")
    return f"{kind}/{(name or Path(record['path']).name).replace('/', '_')}"


@contextmanager
def _locked(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(f".{path.name}.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def write_runs(path, results, *, study=None, producer: str = "") -> list[str]:
    """Add or replace ``results`` (RunResult) in the store at ``path``; returns warnings (kept ok runs)."""
    import h5py

    path = Path(path)
    warnings = []
    with _locked(path):
        old = None
        if path.exists():
            try:
                old = h5py.File(path, "r")
            except OSError:
                raise StoreError(f"{path} exists but is not a readable HDF5 file; move it away before parsing "
                                 "into it (nothing was written)") from None
            _check_version(old, path)
        for stale in path.parent.glob(f".{path.name}.*.tmp"):  # left by a killed parse: under the lock, none is live
            stale.unlink(missing_ok=True)
        handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        os.close(handle)
        try:
            with h5py.File(tmp, "w", track_order=True) as new:
                new.attrs["schema_version"] = SCHEMA_VERSION
                new.attrs["producer"] = producer
                if study is not None:
                    new.attrs["study"], new.attrs["study_sha256"] = study.name, study.sha256()
                elif old is not None:
                    for key in ("study", "study_sha256"):
                        if key in old.attrs:
                            new.attrs[key] = old.attrs[key]
                fresh: dict[str, RunResult] = {}
                for result in results:
                    key = _key(result.record["kind"], result.record)
                    if key in fresh and fresh[key].record["path"] != result.record["path"]:
                        raise StoreError(f"two runs would be stored as {key}: {fresh[key].record['path']} and "
                                         f"{result.record['path']} (parse them into separate stores)")
                    # an ok result is never replaced by a failed reading, of the same run or of another
                    # directory with the same site or label (that one is named: parse it into another store)
                    kept = old is not None and key in old and old[key].attrs["status"] == "ok" \
                        and result.record["status"] == "failed"
                    if kept:
                        assert old is not None  # kept: an ok run of the old store
                        same = old[key].attrs["path"] == result.record["path"]
                        which = "the run now reads" if same else f"{result.record['path']}, read"
                        warnings.append(f"kept the stored result of {key}: {which} as failed "
                                        f"({result.record['failure']})")
                    else:
                        fresh[key] = result
                for kind in KINDS:
                    names = sorted(set(old[kind]) if old is not None and kind in old else set())
                    names += sorted({k.split("/", 1)[1] for k in fresh if k.startswith(kind + "/")} - set(names))
                    for name in names:
                        key = f"{kind}/{name}"
                        if key in fresh:
                            group = new.require_group(kind).create_group(name, track_order=True)
                            _write_run(group, fresh[key].record, fresh[key].arrays)
                        else:
                            assert old is not None  # a name not read now is the old store's
                            old.copy(old[key], new.require_group(kind), name=name)
            with open(tmp, "rb") as flushed:
                os.fsync(flushed.fileno())
            if old is not None:
                old.close()
                old = None
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        finally:
            if old is not None:
                old.close()
    return warnings
