"""Small studies, profiles and VASP stand-in control files for the workflow and executor tests."""

import json
import sys
from pathlib import Path

import yaml

TESTS = Path(__file__).resolve().parents[1]
WORKFLOWS = TESTS.parent / "workflows"
STANDIN = TESTS / "standins" / "vasp_standin.py"
sys.path.insert(0, str(TESTS))
from fake_potcars import write_fake_potcar_library  # noqa: E402


def write_study(folder: Path, name: str, *, sites=("hollow",), geometry="relaxed", relax=None, states=()) -> Path:
    """A variant of the demo: Tb on benzene (1 ring); ``states`` picks oxidation states (none: no molcas)."""
    data = yaml.safe_load((WORKFLOWS / "demo_tb_benzene.yaml").read_text())
    data["name"] = name
    heights = {"hollow": 2.28, "top": 2.32, "bridge": 2.38}
    data["sites"] = {site: {"height_angstrom": heights[site]} for site in sites}
    data["cluster"]["geometry"] = geometry
    if relax is not None:
        data["execution"] = {"relax": relax}
    if states:
        data["molcas"]["oxidation_states"] = {k: v for k, v in data["molcas"]["oxidation_states"].items()
                                              if k in states}
    else:
        del data["molcas"]
    path = Path(folder) / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def write_control(path: Path, behaviours: dict) -> Path:
    """The stand-in's control file: run-directory name (site) or "default" -> behaviour. By default the stand-in
    checks the inputs it is given against the golden VASP inputs of the paper's protocol (tests/vasp/golden)."""
    default = {"recording": "c_diamond_vasp630", "golden": "tb_graphene/{site}"}
    Path(path).write_text(json.dumps({"default": default, **behaviours}))
    return Path(path)


def write_profiles(folder: Path, control: Path, **profile) -> Path:
    """profiles.yaml with one profile "test" using the VASP stand-in (driven by ``control``)."""
    base = {
        "partition": "debug",
        "time": "00:10:00",
        "environment": {"ADATOM_WF_VASP_STANDIN": str(control)},
        "vasp": {"command": f"{sys.executable} {STANDIN}"},
        "molcas": {"mem_mb": 1000, "nprocs": 1},
    }
    base.update(profile)
    path = Path(folder) / "profiles.yaml"
    path.write_text(yaml.safe_dump({"profiles": {"test": base}}, sort_keys=False))
    return path


def potcar_library(folder: Path) -> Path:
    return write_fake_potcar_library(Path(folder))


def standin_calls(run_dir: Path) -> int:
    """How many times the VASP stand-in ran in a site directory."""
    log = Path(run_dir) / ".vasp_standin_calls"
    return len(log.read_text().splitlines()) if log.is_file() else 0
