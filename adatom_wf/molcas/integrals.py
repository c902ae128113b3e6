"""GATEWAY + SEWARD once per cluster and basis, and every oxidation state started from a copy of them.

GATEWAY and SEWARD depend on the geometry and the basis only (RASSCF sets the electron count), so the
integrals of Tb3+, Tb2+, Tb1+ and Tb0 on one cluster are the same. :func:`run_integrals` runs them once in
``runs/<study>/integrals/<site>-<rings>/`` and keeps its ``$WorkDir`` (``scratch/<project>`` there, or under the
profile's molcas.workdir, which must then be visible from every job); :func:`share_integrals` lays a copy of it
into a state's own ``$WorkDir`` under the state's Project, so the states still run side by side.

What is copied: every file SEWARD left, renamed ``<integrals project>.X`` -> ``<state project>.X``. The large
two-electron files (Cholesky vectors ``ChVec*``, conventional ``OrdInt*``), which no later module writes, are
hard links where the file system allows (else copies); the rest (RunFile, which RASSCF writes to, one-electron
integrals, guess orbitals) are copies.
"""

import json
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from adatom_wf.errors import ParseError
from adatom_wf.layout import STATUS_FILE, archive_attempt, is_attempt_dir
from adatom_wf.manifest import atomic_write, write_stage

INTEGRALS_RESULTS = (STATUS_FILE,)
KEEP = ("scratch",)
READ_ONLY = ("ChVec", "OrdInt")  # written by SEWARD alone: linked, not copied
RUNTIME = ("molcas.env", "pid", "rc.global", "rc.local", "stdin", "xmldump")  # pymolcas's own, per run


@dataclass
class IntegralsRun:
    """The outcome of the integrals node: status "ok" or "failed", why, and what status.json records."""

    directory: Path
    status: str
    failure: str = ""
    details: dict = field(default_factory=dict)


def run_integrals(study, root, *, directory, cluster, nprocs: int = 1, mem_mb: int = 2000, workdir=None,
                  prerun: bool = False) -> IntegralsRun:
    """Render and run the integrals input of ``cluster`` (a :class:`.node.ClusterSource`) in ``directory``; with
    ``prerun``, in the basis of the study's starting-orbital pre-runs (:mod:`.projection`)."""
    from adatom_wf.molcas.execute import run_molcas
    from adatom_wf.molcas.projection import prerun_study
    from adatom_wf.molcas.render import render_integrals

    directory, root = Path(directory), Path(root)
    inputs = render_integrals(prerun_study(study) if prerun else study, cluster.atoms,
                              cluster_source=cluster.description)
    leftovers = [p for p in sorted(directory.iterdir()) if p.name not in KEEP and not is_attempt_dir(p)] \
        if directory.is_dir() else []
    # an earlier attempt's files (not just the inputs `adatom-wf molcas` wrote) go to attempt-<n>/
    kept = archive_attempt(directory, leftovers) if any(p.name not in inputs.files for p in leftovers) else None
    relative = directory.resolve().relative_to(root.resolve()).as_posix()
    write_stage(root, "integrals", study, {f"{relative}/{name}": text.encode() for name, text in inputs.files.items()},
                {"project": inputs.project, "cluster": cluster.description}, results=INTEGRALS_RESULTS)
    workdir = Path(workdir or os.environ.get("MOLCAS_WORKDIR") or directory / "scratch").resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(workdir / inputs.project, ignore_errors=True)
    run = run_molcas(directory, inputs.input_name, nprocs, mem_mb, project=inputs.project, workdir=workdir)
    status = {"status": run.status, "failure": run.failure, "project": inputs.project,
              "workdir": str(workdir / inputs.project), "cluster": cluster.description, "runs": [run.record()],
              "previous_attempt": kept.name if kept else None,
              "wall_seconds": {"integrals": round(run.wall_seconds, 1)}}
    atomic_write(directory / STATUS_FILE, (json.dumps(status, indent=2, sort_keys=True) + "\n").encode())
    details = {"status_file": STATUS_FILE, "workdir": status["workdir"], "wall_seconds": status["wall_seconds"],
               "seward_runs": 1, "previous_attempt": status["previous_attempt"]}
    return IntegralsRun(directory, run.status, run.failure, details)


def share_integrals(integrals_dir, workdir: Path, project: str, state_dir: Path) -> dict:
    """Lay the integrals node's ``$WorkDir`` into ``workdir/<project>`` (and its guess orbitals into the state's
    directory as ``<project>.guessorb.h5``); ParseError when there is nothing finished to share."""
    integrals_dir = Path(integrals_dir)
    path = integrals_dir / STATUS_FILE
    try:
        status = json.loads(path.read_text())
    except (OSError, ValueError):
        raise ParseError(f"{path} is missing or unreadable: the cluster's integrals have not run") from None
    source = Path(status.get("workdir", ""))
    if status.get("status") != "ok" or not (source / f"{status['project']}.RunFile").is_file():
        raise ParseError(f"the integrals of {integrals_dir} are not there ({source}/{status.get('project')}.RunFile "
                         f"missing, status {status.get('status')!r}): run the integrals node again (--force)")
    target = Path(workdir) / project
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    prefix = f"{status['project']}."
    started, linked, copied = time.perf_counter(), 0, 0
    for file in sorted(source.iterdir()):
        if not file.is_file() or file.name in RUNTIME:
            continue
        name = project + "." + file.name[len(prefix):] if file.name.startswith(prefix) else file.name
        if any(file.name.startswith(prefix + kind) for kind in READ_ONLY):
            try:
                os.link(file, target / name)
                linked += 1
                continue
            except OSError:  # another file system, or no hard links: a copy
                pass
        shutil.copyfile(file, target / name)
        copied += 1
    shutil.copyfile(integrals_dir / f"{status['project']}.guessorb.h5", Path(state_dir) / f"{project}.guessorb.h5")
    return {"from": str(source), "runfile": str(source / f"{status['project']}.RunFile"), "linked": linked,
            "copied": copied, "seconds": round(time.perf_counter() - started, 1)}
