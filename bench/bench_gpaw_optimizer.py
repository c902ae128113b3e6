"""Benchmark: ASE optimisers on the GPAW relaxations of a study's sites (the choice in presets/gpaw_relax.yaml).

For each site, the relaxation the relax node would run (its POSCAR, gpaw.json and generated setup, with the
study's keys overridden by --set), in OUT/<label>/dft/<site>/, then one JSON line: optimiser, ionic steps, GPAW
calculations (force calls: a line search makes more than one per step), wall seconds, final free energy, adatom
height, the largest energy rise in one step and the layer's buckling (adatom_wf.structure.relaxation_check).
docs/gpaw.md ("Relaxations that cannot take a bad step") records the results.

    OMP_NUM_THREADS=1 python bench/bench_gpaw_optimizer.py [STUDY] --site bridge --label bfgs01 \\
        --set dft.gpaw.optimizer=bfgs --set dft.gpaw.maxstep_angstrom=0.1 --out /tmp/opt

STUDY defaults to demo_gpaw. An OUT/<label>/dft/<site> that already holds a relax.json is only summarised again.
"""

import argparse
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_gpaw_settings import study_with  # noqa: E402

from adatom_wf.gpaw.inputs import setup_files, site_files  # noqa: E402
from adatom_wf.gpaw.results import parse_gpaw_run  # noqa: E402


def relax_site(study, site: str, folder: Path) -> Path:
    files, _ = site_files(study, site)
    files.update(setup_files(study))
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    directory = folder / "dft" / site
    if not (directory / "relax.json").is_file():
        subprocess.run([sys.executable, "-m", "adatom_wf.gpaw.relax", str(directory)], check=False)
    return directory


def summary(directory: Path) -> dict:
    record = parse_gpaw_run(directory)
    outcome = json.loads((directory / "relax.json").read_text())
    calculations = (directory / "gpaw.txt").read_text().count("Converged in ")
    return {"site": directory.name, "optimizer": outcome.get("optimizer"), "maxstep": outcome.get("maxstep_angstrom"),
            "status": outcome["status"], "ionic_steps": record["ionic_steps"], "gpaw_calculations": calculations,
            "seconds": outcome.get("seconds"), "energy_ev": record["energy_ev"],
            "height_angstrom": record["adatom_height_angstrom"],
            **{key: record[key] for key in ("largest_energy_rise_ev", "energy_rise_step", "layer_buckling_angstrom",
                                            "relaxation_flags")}}


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("study", nargs="?", default="demo_gpaw")
    parser.add_argument("--site", action="append", dest="sites")
    parser.add_argument("--set", action="append", default=[], dest="settings")
    parser.add_argument("--label", required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    study = study_with(args.study, args.settings)
    for site in args.sites or list(study.sites):
        print(json.dumps(summary(relax_site(study, site, args.out / args.label))), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
