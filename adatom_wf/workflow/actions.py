"""What each node does, and what is prepared for it before it is (re)submitted.

``run_action`` is called by the hidden ``adatom-wf node`` verb inside the job (both executors):

- relax.<site>: VASP itself runs in the node script; this judges its output (workflow/judge.py);
- carve.<site>-<rings>: carve the cluster from the relaxed CONTCAR (cluster.geometry: relaxed) or from the
  ideal cell, and write it (adatom_wf.structure.cluster);
- molcas.<label>: render and run OpenMolcas for one oxidation state (adatom_wf.molcas.node);
- parse: every run of the study into runs/<study>/results.h5 (adatom_wf.parse, adatom_wf.store);
- report: the tables and figures of the store under runs/<study>/report/ (adatom_wf.report).

``prepare_relax`` writes a site's VASP inputs before submission (errors surface on the login node, before
anything is submitted); ``restart_relax`` / ``restart_molcas`` keep what a stopped run left for the next attempt
(VASP: its CONTCAR becomes the POSCAR; OpenMolcas: its newest RasOrb, the next attempt's starting orbitals).
"""

import shutil
from pathlib import Path

from adatom_wf.errors import AdatomWfError, PotcarError, SchedulerError
from adatom_wf.workflow.judge import Verdict, judge_vasp

VASP_INPUTS = ("POSCAR", "INCAR", "KPOINTS")
# What a VASP run writes; moved to attempt-<n>/ before a restart.
VASP_OUTPUTS = ("OUTCAR", "vasprun.xml", "CONTCAR", "OSZICAR", "XDATCAR", "EIGENVAL", "DOSCAR", "PCDAT", "IBZKPT",
                "CHG", "CHGCAR", "WAVECAR", "PROCAR", "REPORT", "vaspout.h5")


def run_action(study, root: Path, node, attempt: int, vasp_exit_code: int | None = None) -> Verdict:
    directory = Path(root) / node.directory
    if node.stage == "relax":
        if vasp_exit_code is None:
            raise SchedulerError(f"node {node.name} judges a VASP run: pass --vasp-exit-code (the node script does)")
        return judge_vasp(directory, vasp_exit_code)
    if node.stage == "carve":
        return _carve(study, Path(root))
    if node.stage == "molcas":
        return _molcas(study, Path(root), node, attempt)
    if node.stage == "parse":
        return _parse(study, Path(root))
    if node.stage == "report":
        return _report(Path(root))
    raise SchedulerError(f"node {node.name} has an unknown stage {node.stage!r}")


def _carve(study, root: Path) -> Verdict:
    from adatom_wf.structure.cluster import carve_cluster, write_cluster

    structure = None
    if study.cluster.geometry == "relaxed":
        structure = root / "dft" / study.cluster.site / "CONTCAR"
    cluster = carve_cluster(study, structure)
    write_cluster(root, study, cluster)
    meta = cluster.metadata
    return Verdict(True, "", {key: meta[key] for key in ("formula", "point_group", "source", "source_sha256")})


def _molcas(study, root: Path, node, attempt: int) -> Verdict:
    """One oxidation state: render, integrals once, CASSCF per spin, RASSI, SINGLE_ANISO (adatom_wf.molcas).

    MOLCAS_NPROCS, MOLCAS_MEM and MOLCAS_WORKDIR come from the node script (the profile's molcas section).
    """
    import os

    from adatom_wf.molcas.node import run_oxidation_state

    run = run_oxidation_state(
        study, root, node.oxidation_state, directory=root / node.directory,
        nprocs=int(os.environ.get("MOLCAS_NPROCS", "1")), mem_mb=int(os.environ.get("MOLCAS_MEM", "2000")),
        restart=_restart_file(root / node.directory), workdir=os.environ.get("MOLCAS_WORKDIR"),
    )
    return Verdict(run.status == "ok", run.failure or "", dict(run.details or {}))


def _parse(study, root: Path) -> Verdict:
    """Store every run; the node fails when a run it depends on reads as failed (the store keeps it as failed)."""
    from adatom_wf import __version__
    from adatom_wf.parse import parse_study
    from adatom_wf.store import store_path, write_runs

    outcome = parse_study(study, root)
    warnings = write_runs(store_path(root), outcome.results, study=study, producer=f"adatom-wf {__version__}")
    failed = [f"{Path(r.record['path']).name}: {r.record['failure']}" for r in outcome.results
              if r.record["status"] != "ok"]
    details = {"store": str(store_path(root)), "runs": len(outcome.results), "warnings": warnings}
    return Verdict(not failed, "; ".join(f"parsed as failed: {f}" for f in failed), details)


def _report(root: Path) -> Verdict:
    from adatom_wf.report import write_report
    from adatom_wf.store import read_store, store_path

    written = write_report(read_store(store_path(root))["runs"], root / "report")
    return Verdict(True, "", {"files": [path.name for path in written]})


# --- before (re)submission -------------------------------------------------------------------------------------

def prepare_relax(study, root: Path, node, library: Path | None) -> list[str]:
    """Write the site's missing VASP inputs (never replacing one); refuse if no POTCAR can be had."""
    directory = Path(root) / node.directory
    wanted = [name for name in (*VASP_INPUTS, "POTCAR") if not (directory / name).is_file()]
    if not wanted:
        return []
    from adatom_wf.manifest import write_stage
    from adatom_wf.structure.sites import build_site
    from adatom_wf.vasp.inputs import VASP_RESULTS, vasp_inputs

    structure = build_site(study, node.site)
    inputs = vasp_inputs(study, structure, library)
    files = {f"{node.directory}/{name}": text.encode() for name, text in inputs.files.items()
             if name in wanted or name == "POTCAR.spec" and "POTCAR" in wanted and library is None}
    if "POTCAR" in wanted and library is None:
        raise PotcarError(
            f"{directory} has no POTCAR and no POTCAR library is set: pass --potcar-dir or set PMG_VASP_PSP_DIR "
            f"(potentials needed: {', '.join(inputs.potcar_symbols)})"
        )
    record = {"sites": {node.site: {**structure.metadata(), "potcars": inputs.potcar_symbols}}}
    write_stage(Path(root), "build", study, files, record, results=VASP_RESULTS)
    return sorted(Path(name).name for name in files)


def restart_relax(root: Path, node, attempt: int) -> str:
    """Move the outputs of ``attempt`` to attempt-<n>/ and continue from its CONTCAR (if it holds the structure)."""
    directory = Path(root) / node.directory
    keep = directory / f"attempt-{attempt}"
    keep.mkdir(exist_ok=True)
    moved = []
    for name in VASP_OUTPUTS:
        if (directory / name).exists():
            shutil.move(str(directory / name), str(keep / name))
            moved.append(name)
    contcar = keep / "CONTCAR"
    if contcar.is_file() and _same_atoms(directory / "POSCAR", contcar):
        shutil.copyfile(directory / "POSCAR", keep / "POSCAR")
        shutil.copyfile(contcar, directory / "POSCAR")
        return f"restarts from attempt {attempt}'s CONTCAR (kept in {keep.name}/)"
    if moved:
        return f"starts again from POSCAR: attempt {attempt} left no usable CONTCAR (its files are in {keep.name}/)"
    return "starts again from POSCAR"


def _same_atoms(poscar: Path, contcar: Path) -> bool:
    try:
        from adatom_wf.structure.cluster import read_structure

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
        return "starts again from the guess orbitals: the stopped run left no RasOrb"
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
