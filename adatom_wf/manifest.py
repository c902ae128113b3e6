"""Writing a stage's files safely, and the study's ``manifest.json``.

Every stage computes its files in memory first (relative path -> bytes), then calls
:func:`write_stage`, which refuses before writing anything if it would replace a file whose
directory already holds results, writes each file atomically, and records the sha256 of every file
in ``runs/<study>/manifest.json`` together with the study's hash and the package versions. The
manifest holds no time stamps and no absolute paths, so the same study gives the same bytes.
"""

import fcntl
import hashlib
import json
import os
import platform
import tempfile
from importlib import metadata
from pathlib import Path

from adatom_wf.errors import OutputConflictError

MANIFEST = "manifest.json"
MANIFEST_VERSION = 1
PACKAGES = ("adatom-wf", "ase", "pymatgen", "spglib", "numpy", "jinja2", "pyyaml", "pydantic", "h5py")


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    """sha256 of a file read in 1 MiB blocks (outputs can be large)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_head(path: Path, size: int) -> bytes:
    """The first ``size`` bytes of a file (what detection by content reads), b"" when it cannot be read."""
    try:
        with open(path, "rb") as handle:
            return handle.read(size)
    except OSError:
        return b""


def package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same directory and ``os.replace``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def check_no_conflict(root: Path, files: dict[str, bytes], results: tuple[str, ...]) -> None:
    """Refuse to replace a file with different content in a directory that holds any of ``results``."""
    for relative, data in files.items():
        target = root / relative
        if target.is_file() and target.read_bytes() != data:
            present = [name for name in results if (target.parent / name).exists()]
            if present:
                raise OutputConflictError(
                    f"{target} would change but {target.parent} already holds results ({', '.join(present)}); "
                    "move that directory away or give the study a new name"
                )


def write_stage(root: Path, stage: str, study, files: dict[str, bytes], record: dict,
                results: tuple[str, ...] = ()) -> Path:
    """Write a stage's files under ``root`` (= runs/<study>) and record them in the manifest."""
    check_no_conflict(root, files, results)
    for relative, data in sorted(files.items()):
        atomic_write(root / relative, data)
    manifest_path = root / MANIFEST
    # Parallel nodes (a Slurm array, the local executor) update the manifest at once: one at a time.
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".manifest.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        manifest = {}
        if manifest_path.is_file():
            try:
                manifest = json.loads(manifest_path.read_text())
            except json.JSONDecodeError:
                manifest = {}
        manifest["manifest_version"] = MANIFEST_VERSION
        manifest["study"] = {"name": study.name, "sha256": study.sha256()}
        manifest["versions"] = package_versions()
        # A stage run on part of a study (one site, one state) adds to what earlier runs recorded.
        entry = manifest.setdefault("stages", {}).setdefault(stage, {})
        for key, value in record.items():
            entry[key] = ({**entry[key], **value} if isinstance(value, dict) and isinstance(entry.get(key), dict)
                          else value)
        entry["files"] = {**entry.get("files", {}), **{rel: sha256_bytes(data) for rel, data in files.items()}}
        atomic_write(manifest_path, (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode())
    return manifest_path
