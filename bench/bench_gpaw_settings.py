"""Benchmark: the GPAW settings of a relaxation, by single points of the adatom at the study's sites.

For each site, one GPAW single point (energy extrapolated to zero width, forces) at the start structure the relax
node would get, with exactly the calculator keywords its gpaw.json holds (adatom_wf.gpaw.inputs) and the study's
generated 4f-in-core setup; prints one JSON line per site (energy, free energy, z force on the adatom, largest
force, SCF iterations, seconds per iteration, wall seconds) and the site energies relative to the first site in
meV. docs/gpaw.md ("Settings, and the convergence tests behind them") records the results.

    python bench/bench_gpaw_settings.py [STUDY] [--site hollow --site top] [--set KEY=VALUE ...]

STUDY defaults to demo_gpaw; --set overrides a study key (dotted, YAML value), e.g.
``--set dft.gpaw.grid_spacing_angstrom=0.25 --set dft.kpoints.grid=[4,4,1] --set substrate.supercell=[5,5]``.
One process: export OMP_NUM_THREADS=1.
"""

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import yaml

from adatom_wf.gpaw.inputs import relax_settings, setup_files
from adatom_wf.spec import parse_study, resolve_study_path
from adatom_wf.structure.sites import build_site


def study_with(argument: str, settings: list[str]):
    data = yaml.safe_load(resolve_study_path(argument).read_text())
    for item in settings:
        dotted, value = item.split("=", 1)
        *parents, last = dotted.split(".")
        node = data
        for key in parents:
            node = node.setdefault(key, {})
        node[last] = yaml.safe_load(value)
    return parse_study(data)


def single_point(study, site: str, setups: Path, atoms=None, label: str | None = None) -> dict:
    """One GPAW single point with the site's gpaw.json keywords, at ``atoms`` (default: the site's start
    structure); GPAW's text goes to ``<label or site>.txt`` beside ``setups``."""
    import numpy as np
    from gpaw import GPAW, setup_paths

    settings = relax_settings(study, site)
    if str(setups) not in setup_paths:
        setup_paths.insert(0, str(setups))
    atoms = build_site(study, site).atoms if atoms is None else atoms
    if settings["magnetic_moments"]:
        atoms.set_initial_magnetic_moments([settings["magnetic_moments"].get(symbol, 0.0)
                                            for symbol in atoms.get_chemical_symbols()])
    atoms.calc = GPAW(**settings["calculator"], txt=str(setups.parent / f"{label or site}.txt"))
    start = time.perf_counter()
    energy = atoms.get_potential_energy()
    forces = atoms.get_forces()
    wall = time.perf_counter() - start
    iterations = atoms.calc.get_number_of_iterations()
    return {"site": site, "energy_ev": energy, "free_energy_ev": atoms.get_potential_energy(force_consistent=True),
            "fz_adatom_ev_per_angstrom": float(forces[-1, 2]),
            "fmax_ev_per_angstrom": float(np.linalg.norm(forces, axis=1).max()), "scf_iterations": iterations,
            "wall_s": round(wall, 1)}


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("study", nargs="?", default="demo_gpaw")
    parser.add_argument("--site", action="append", dest="sites")
    parser.add_argument("--set", action="append", default=[], dest="settings")
    args = parser.parse_args(argv)
    study = study_with(args.study, args.settings)
    sites = args.sites or list(study.sites)
    with tempfile.TemporaryDirectory(prefix="bench-gpaw-") as folder:
        setups = Path(folder) / "setups"
        setups.mkdir()
        for name, data in setup_files(study).items():
            (setups / Path(name).name).write_bytes(data)
        rows = [single_point(study, site, setups) for site in sites]
    for row in rows:
        print(json.dumps(row))
    reference = rows[0]["energy_ev"]
    print("; ".join(f"E({r['site']}) - E({rows[0]['site']}) = {(r['energy_ev'] - reference) * 1000:.0f} meV"
                    for r in rows[1:]) or "one site: no difference")


if __name__ == "__main__":
    main(sys.argv[1:])
