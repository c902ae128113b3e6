"""What each node does, and what is prepared for it before it is (re)submitted.

``run_action`` is called by the hidden ``adatom-wf node`` verb inside the job (both executors):

- relax.<site>: VASP (or GPAW's relaxation, dft.program: gpaw) runs in the node script; this judges its output
  (the program package's ``judge``: adatom_wf.vasp, adatom_wf.gpaw);
- carve.<site>-<rings>: carve the cluster from the supercell ``run --structure`` supplied, else from the
  relaxed CONTCAR (cluster.geometry: relaxed) or the ideal cell, and write it (adatom_wf.structure.cluster);
- integrals.<site>-<rings>: GATEWAY + SEWARD once for the cluster and basis (adatom_wf.molcas.integrals);
  orbitals-integrals.<site>-<rings> the same in the basis of the starting-orbital pre-runs;
- orbitals.<label>: a projected state's pre-run, its first multiplicity in that basis (adatom_wf.molcas.projection);
- molcas.<label>: render and run OpenMolcas for one oxidation state on a copy of them (adatom_wf.molcas.node);
- parse: every run of the study into runs/<study>/results.h5 (adatom_wf.parse, adatom_wf.store);
- report: the tables and figures of the store under runs/<study>/report/ (adatom_wf.report).

``prepare_relax`` writes a site's VASP (or GPAW) inputs before submission (errors surface on the login node, before
anything is submitted); ``restart_relax`` / ``restart_molcas`` keep what a stopped run left for the next attempt
(VASP: its CONTCAR becomes the POSCAR; OpenMolcas: its newest RasOrb, the next attempt's starting orbitals);
``start_over`` moves a completed node's outputs to attempt-<n>/ before ``run --force`` redoes it.
"""

import shutil
from pathlib import Path

from adatom_wf import layout
from adatom_wf.errors import AdatomWfError, PotcarError, SpecError
from adatom_wf.verdict import Verdict

VASP_INPUTS = ("POSCAR", "INCAR", "KPOINTS")
# What a VASP run writes; moved to attempt-<n>/ before a restart.
VASP_OUTPUTS = ("OUTCAR", "vasprun.xml", "CONTCAR", "OSZICAR", "XDATCAR", "EIGENVAL", "DOSCAR", "PCDAT", "IBZKPT",
                "CHG", "CHGCAR", "WAVECAR", "PROCAR", "REPORT", "vaspout.h5")


def run_action(study, root: Path, node, attempt: int, program_exit_code: int | None = None) -> Verdict:
    root = Path(root)
    if node.stage == "relax":
        program = study.dft.program
        if program_exit_code is None:
            raise SpecError(f"node {node.name} judges a {program.upper()} run: pass --program-exit-code (the node "
                            "script does)")
        from adatom_wf.parse import reader

        return reader(program).judge(root / node.directory, program_exit_code)
    actions = {"carve": lambda: _carve(study, root), "integrals": lambda: _integrals(study, root, node),
               "orbitals": lambda: _molcas(study, root, node, attempt),
               "molcas": lambda: _molcas(study, root, node, attempt),
               "parse": lambda: _parse(study, root), "report": lambda: _report(root)}
    return actions[node.stage]()


def _carve(study, root: Path) -> Verdict:
    from adatom_wf.structure.cluster import carve_cluster, write_cluster

    spec = study.cluster
    structure = layout.supplied_structure(root, spec.site, spec.rings)
    if structure is None and spec.geometry == "relaxed":
        structure = root / layout.site_dir(spec.site) / "CONTCAR"
    cluster = carve_cluster(study, structure)
    write_cluster(root, study, cluster)
    meta = cluster.metadata
    return Verdict(True, "", {key: meta[key] for key in ("formula", "point_group", "source", "source_sha256")})


def _molcas_settings() -> dict:
    """MOLCAS_NPROCS, MOLCAS_MEM and MOLCAS_WORKDIR, as the node script exported them."""
    import os

    from adatom_wf.facts import MOLCAS_DEFAULT_MEM_MB

    return {"nprocs": int(os.environ.get("MOLCAS_NPROCS", "1")),
            "mem_mb": int(os.environ.get("MOLCAS_MEM", MOLCAS_DEFAULT_MEM_MB)),
            "workdir": os.environ.get("MOLCAS_WORKDIR")}


def _integrals(study, root: Path, node) -> Verdict:
    """GATEWAY + SEWARD of the carved cluster, kept for every oxidation state (adatom_wf.molcas.integrals)."""
    from adatom_wf.molcas.integrals import run_integrals
    from adatom_wf.molcas.node import load_cluster

    run = run_integrals(study, root, directory=root / node.directory, cluster=load_cluster(study, root),
                        prerun=node.prerun, **_molcas_settings())
    return Verdict(run.status == "ok", run.failure, run.details)


def _molcas(study, root: Path, node, attempt: int) -> Verdict:
    """One oxidation state: CASSCF per spin, RASSI, SINGLE_ANISO on a copy of the cluster's integrals (a projected
    state starts from its pre-run's orbitals); or that pre-run (stage orbitals) on the pre-run basis's integrals.

    MOLCAS_NPROCS, MOLCAS_MEM and MOLCAS_WORKDIR come from the node script (the profile's molcas section).
    """
    from adatom_wf.molcas.node import run_oxidation_state

    cluster, label, prerun = study.cluster, node.oxidation_state, node.prerun
    integrals = (layout.prerun_integrals_dir if prerun else layout.integrals_dir)(cluster.site, cluster.rings)
    projection = root / layout.prerun_dir(label) if not prerun and study.orbital_start(label) == "projected" else None
    run = run_oxidation_state(
        study, root, label, directory=root / node.directory, integrals=root / integrals, prerun=prerun,
        projection=projection, restart=_restart_file(root / node.directory), **_molcas_settings(),
    )
    return Verdict(run.status == "ok", run.failure or "", {**run.details, "skipped": run.skipped})


def _parse(study, root: Path) -> Verdict:
    """Store every run; the node fails when a run it depends on reads as failed (the store keeps it as failed)."""
    from adatom_wf import __version__
    from adatom_wf.layout import store_path
    from adatom_wf.parse import parse_study
    from adatom_wf.store import write_runs

    outcome = parse_study(study, root)
    warnings = write_runs(store_path(root), outcome.results, study=study, producer=f"adatom-wf {__version__}")
    failed = [f"{Path(r.record['path']).name}: {r.record['failure']}" for r in outcome.results
              if r.record["status"] != "ok"]
    details = {"store": str(store_path(root)), "runs": len(outcome.results), "warnings": warnings}
    return Verdict(not failed, "; ".join(f"parsed as failed: {f}" for f in failed), details)


def _report(root: Path) -> Verdict:
    from adatom_wf.report import barrier_analyses, report_meta, write_report
    from adatom_wf.store import read_store

    store = layout.store_path(root)
    stored = read_store(store)
    records = stored["runs"]
    written = write_report(records, layout.report_dir(root), barriers=barrier_analyses(store, records),
                           meta=report_meta(store, stored))
    return Verdict(True, "", {"files": [path.name for path in written]})


# --- before (re)submission -------------------------------------------------------------------------------------

def prepare_relax(study, root: Path, node, library: Path | None) -> list[str]:
    """Write the site's missing VASP inputs (never replacing one); refuse if no POTCAR can be had. GPAW: its
    inputs and the study's generated setups (adatom_wf.gpaw.inputs)."""
    if study.dft.program == "gpaw":
        return _prepare_gpaw(study, Path(root), node)
    directory = Path(root) / node.directory
    wanted = [name for name in (*VASP_INPUTS, "POTCAR") if not (directory / name).is_file()]
    if not wanted:
        return []
    from adatom_wf.manifest import write_stage
    from adatom_wf.vasp.inputs import VASP_RESULTS, site_files

    every, site = site_files(study, node.site, library)
    files = {path: data for path, data in every.items() if Path(path).name in wanted}
    if "POTCAR" in wanted and library is None:
        raise PotcarError(
            f"{directory} has no POTCAR and no POTCAR library is set: pass --potcar-dir or set PMG_VASP_PSP_DIR "
            f"(potentials needed: {', '.join(site['potcars'])})"
        )
    write_stage(Path(root), "build", study, files, {"sites": {node.site: site}}, results=VASP_RESULTS)
    return sorted(Path(name).name for name in files)


def _prepare_gpaw(study, root: Path, node) -> list[str]:
    from adatom_wf.gpaw.inputs import GPAW_RESULTS, SETUPS_DIR, setup_files, site_files
    from adatom_wf.manifest import write_stage

    every, site = site_files(study, node.site)
    files = {path: data for path, data in every.items() if not (root / path).is_file()}
    setups = root / SETUPS_DIR
    if not setups.is_dir() or not any(setups.iterdir()):  # once per study, shared by every site
        files.update(setup_files(study))
    if not files:
        return []
    write_stage(root, "build", study, files, {"sites": {node.site: site}}, results=GPAW_RESULTS)
    return sorted(Path(name).name for name in files)


def _relax_outputs(directory: Path) -> list[Path]:
    """What a VASP or GPAW run wrote in a site directory (never its inputs: POSCAR, INCAR, gpaw.json …)."""
    from adatom_wf.gpaw.inputs import GPAW_OUTPUTS

    return [directory / name for name in dict.fromkeys((*VASP_OUTPUTS, *GPAW_OUTPUTS))]


def restart_relax(root: Path, node, attempt: int) -> str:
    """Move the outputs of ``attempt`` to attempt-<n>/ and continue from its CONTCAR (if it holds the structure)."""
    directory = Path(root) / node.directory
    keep = layout.archive_attempt(directory, _relax_outputs(directory))
    if keep is None:
        return "starts again from POSCAR"
    contcar = keep / "CONTCAR"
    if contcar.is_file() and _same_atoms(directory / "POSCAR", contcar):
        shutil.copyfile(directory / "POSCAR", keep / "POSCAR")
        shutil.copyfile(contcar, directory / "POSCAR")
        return f"restarts from attempt {attempt}'s CONTCAR (kept in {keep.name}/)"
    return f"starts again from POSCAR: attempt {attempt} left no usable CONTCAR (its files are in {keep.name}/)"


def start_over(root: Path, node) -> str:
    """Before a forced new attempt of a completed node: its outputs to attempt-<n>/ (inputs stay)."""
    directory = Path(root) / node.directory
    if node.stage == "relax":
        keep = layout.archive_attempt(directory, _relax_outputs(directory))
    elif node.stage == "carve":  # the supplied structure stays (run --structure replaces it); a copy is kept
        keep = layout.archive_attempt(directory, [directory / name for name in ("cluster.xyz", "cluster.json")])
        if keep is not None and (directory / layout.SUPPLIED).is_dir():
            shutil.copytree(directory / layout.SUPPLIED, keep / layout.SUPPLIED)
    elif node.stage in ("integrals", "orbitals", "molcas"):
        from adatom_wf.molcas.node import archive_previous

        keep = archive_previous(directory, with_restart=True)
    else:  # parse and report rewrite what they own (the store keeps every run it had)
        keep = None
    return f"forced: the completed outputs moved to {keep.name}/" if keep else "forced"


def _same_atoms(poscar: Path, contcar: Path) -> bool:
    try:
        from adatom_wf.structure.io import read_structure

        first, _ = read_structure(poscar)
        second, _ = read_structure(contcar)
    except AdatomWfError:
        return False
    return first.get_chemical_symbols() == second.get_chemical_symbols()


def restart_molcas(root: Path, node, attempt: int) -> str:
    """Keep the newest orbitals the stopped run left (RasOrb) in restart/: the next attempt starts from them."""
    directory = Path(root) / node.directory
    found = _newest_orbitals(directory)
    if found is None:
        return "starts again as the study says (guess or projected): the stopped run left no RasOrb"
    target = directory / "restart"
    target.mkdir(exist_ok=True)
    for old in target.iterdir():
        old.unlink()
    shutil.copyfile(found, target / found.name)
    return f"restarts from {found.name} of attempt {attempt}"


def _newest_orbitals(directory: Path) -> Path | None:
    """The newest RasOrb of the last attempt (in the node directory, not in restart/ or attempt-<n>/)."""
    files = [p for p in directory.glob("*.RasOrb*") if p.is_file()] if directory.is_dir() else []
    return max(files, key=lambda p: p.stat().st_mtime) if files else None


def _restart_file(directory: Path) -> Path | None:
    folder = directory / "restart"
    files = sorted(folder.iterdir()) if folder.is_dir() else []
    return files[0] if files else None
