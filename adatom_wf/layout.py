"""Where everything of a study lives: the run-directory layout (the names of the files a program writes in its
directory belong to that program's package: vasp/, gpaw/, molcas/).

::

    runs/<study>/                  study_dir(runs_dir, study)
        manifest.json              what the stages wrote (adatom_wf.manifest)
        dft/<site>/                site_dir: VASP inputs and outputs of one adsorption site
        cluster/<site>-<rings>/    cluster_dir: the carved, hydrogen-capped cluster
            supplied/<file>        the supercell `run --structure FILE` fed to the carve node
        integrals/<site>-<rings>/  integrals_dir: GATEWAY + SEWARD once for the cluster and basis (every state)
        orbitals/integrals-<site>-<rings>/  prerun_integrals_dir: the same in the pre-run basis (projected starts)
        orbitals/<label>/          prerun_dir: the state's first multiplicity in that basis (its orbitals projected)
        molcas/<label>/            state_dir: the OpenMolcas run of one oxidation state
        results.h5                 the HDF5 store (adatom_wf.store)
        report/                    tables and figures (adatom_wf.report)
        workflow/                  the graph's state (adatom_wf.workflow.ledger)

Stage directories are given relative to ``runs/<study>`` (``root``), as the graph's nodes carry them.
A directory whose run is redone keeps the earlier run's files in ``attempt-<n>/`` (:func:`archive_attempt`).
"""

import json
import shutil
from collections.abc import Iterable
from pathlib import Path

STORE_NAME = "results.h5"
STATUS_FILE = "status.json"  # an OpenMolcas node's own verdict, in its directory (molcas/<label>, integrals/…)
REPORT = "report"
WORKFLOW = "workflow"
SUPPLIED = "supplied"
ATTEMPT_PREFIX = "attempt-"


def read_status(directory) -> dict | None:
    """An OpenMolcas node's status.json in ``directory``: None when absent, failed when unreadable."""
    path = Path(directory) / STATUS_FILE
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text())
    except (json.JSONDecodeError, OSError):
        return {"status": "failed", "failure": f"{path} is unreadable"}


def study_dir(runs_dir, study) -> Path:
    """Where a study writes: ``<runs_dir>/<study name>`` (the name is validated to be one path component)."""
    return Path(runs_dir) / study.name


def site_dir(site: str) -> str:
    return f"dft/{site}"


def cluster_dir(site: str, rings: int) -> str:
    return f"cluster/{site}-{rings}"


def integrals_dir(site: str, rings: int) -> str:
    return f"integrals/{site}-{rings}"


def prerun_integrals_dir(site: str, rings: int) -> str:
    return f"orbitals/integrals-{site}-{rings}"


def prerun_dir(label: str) -> str:
    return f"orbitals/{label}"


def state_dir(label: str) -> str:
    """The label as written in the study, e.g. ``molcas/Tb3+``."""
    return f"molcas/{label}"


def store_path(root) -> Path:
    return Path(root) / STORE_NAME


def report_dir(root) -> Path:
    return Path(root) / REPORT


def supplied_structure(root, site: str, rings: int) -> Path | None:
    """The supercell file ``run --structure`` left for the carve node, if any."""
    folder = Path(root) / cluster_dir(site, rings) / SUPPLIED
    files = sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []
    return files[0] if files else None


# --- the graph's state --------------------------------------------------------------------------------------

def workflow_dir(root) -> Path:
    return Path(root) / WORKFLOW


def study_snapshot_path(root) -> Path:
    return workflow_dir(root) / "study.yaml"


def graph_path(root) -> Path:
    return workflow_dir(root) / "graph.json"


def jobs_path(root) -> Path:
    return workflow_dir(root) / "jobs.json"


def result_path(root, node: str) -> Path:
    return workflow_dir(root) / "results" / f"{node}.json"


def history_dir(root) -> Path:
    return workflow_dir(root) / "history"


def script_path(root, node: str) -> Path:
    return workflow_dir(root) / "scripts" / f"{node}.sh"


def log_dir(root) -> Path:
    return workflow_dir(root) / "logs"


def lock_path(root) -> Path:
    return workflow_dir(root) / ".lock"


# --- attempts -----------------------------------------------------------------------------------------------

def is_attempt_dir(path: Path) -> bool:
    return path.name.startswith(ATTEMPT_PREFIX)


def archive_attempt(directory, paths: Iterable[Path]) -> Path | None:
    """Move ``paths`` (files or folders inside ``directory``) to its next free ``attempt-<n>/``; None if none."""
    paths = [Path(p) for p in paths if Path(p).exists()]
    if not paths:
        return None
    directory = Path(directory)
    n = 1
    while (directory / f"{ATTEMPT_PREFIX}{n}").exists():
        n += 1
    target = directory / f"{ATTEMPT_PREFIX}{n}"
    target.mkdir()
    for path in paths:
        shutil.move(str(path), str(target / path.name))
    return target
