"""Benchmark: E(h) of the adatom at fixed heights above a layer, GPAW single points (the height question).

The layer is the hollow site's start structure (flat), or with --structure a relaxed cell (e.g. relax.hollow's
CONTCAR); the adatom is moved along the layer normal to each height above the mean carbon plane, nothing else
moves. One JSON line per height (energy extrapolated to zero width, free energy, z force on the adatom, SCF
iterations, wall seconds), then the minimum of a cubic through the energies and where a cubic through the forces
crosses zero (the two agree to ~0.01 Å when the points bracket the minimum). docs/gpaw.md ("The height question")
records the results.

    OMP_NUM_THREADS=1 python bench/bench_gpaw_heights.py [STUDY] --heights 1.9,2.05,2.2,2.35,2.5 \\
        [--structure runs/demo_gpaw/dft/hollow/CONTCAR] [--set dft.gpaw.mode=pw --set dft.gpaw.ecut_ev=400]

STUDY defaults to demo_gpaw; --set as in bench_gpaw_settings.py.
"""

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_gpaw_settings import single_point, study_with  # noqa: E402

from adatom_wf.gpaw.inputs import setup_files  # noqa: E402
from adatom_wf.structure.adatom_site import height_above_plane  # noqa: E402
from adatom_wf.structure.sites import build_site  # noqa: E402


def at_height(atoms, adatom: str, height: float):
    """A copy of ``atoms`` with the adatom moved along z to ``height`` Å above the mean carbon plane."""
    moved = atoms.copy()
    index = moved.get_chemical_symbols().index(adatom)
    carbons = [i for i, s in enumerate(moved.get_chemical_symbols()) if s == "C"]
    now = height_above_plane(moved.cell.array, moved.positions, index, carbons)
    moved.positions[index, 2] += height - now
    return moved


def cubic_minimum(heights, energies) -> tuple[float, float]:
    """(h, E) at the minimum of the least-squares cubic through the points (within their range)."""
    fit = np.polynomial.Polynomial.fit(heights, energies, 3)
    roots = [r.real for r in fit.deriv().roots() if abs(r.imag) < 1e-9 and min(heights) <= r.real <= max(heights)]
    best = min(roots, key=fit) if roots else min(heights, key=fit)
    return float(best), float(fit(best))


def force_zero(heights, forces) -> float | None:
    """The height where the cubic through Fz(h) crosses zero (the minimum the forces say), within the range."""
    fit = np.polynomial.Polynomial.fit(heights, forces, min(3, len(heights) - 1))
    roots = [r.real for r in fit.roots() if abs(r.imag) < 1e-9 and min(heights) <= r.real <= max(heights)]
    return float(roots[0]) if len(roots) == 1 else None


def main(argv: list[str]) -> None:
    import ase.io

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("study", nargs="?", default="demo_gpaw")
    parser.add_argument("--heights", required=True, help="comma-separated, Å")
    parser.add_argument("--structure", type=Path, help="a relaxed cell (VASP format), default the flat start cell")
    parser.add_argument("--set", action="append", default=[], dest="settings")
    parser.add_argument("--label", default="heights")
    args = parser.parse_args(argv)
    study = study_with(args.study, args.settings)
    heights = [float(h) for h in args.heights.split(",")]
    start = ase.io.read(args.structure, format="vasp") if args.structure else build_site(study, "hollow").atoms
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-gpaw-heights-") as folder:
        setups = Path(folder) / "setups"
        setups.mkdir()
        for name, data in setup_files(study).items():
            (setups / Path(name).name).write_bytes(data)
        for height in heights:
            row = single_point(study, "hollow", setups, at_height(start, study.adatom, height), f"h{height}")
            rows.append({"label": args.label, "height_angstrom": height, **row})
            print(json.dumps(rows[-1]), flush=True)
    h, e = cubic_minimum(heights, [r["energy_ev"] for r in rows])
    zero = force_zero(heights, [r["fz_adatom_ev_per_angstrom"] for r in rows])
    print(json.dumps({"label": args.label, "minimum_height_angstrom": round(h, 3), "minimum_energy_ev": e,
                      "force_zero_height_angstrom": None if zero is None else round(zero, 3)}))


if __name__ == "__main__":
    main(sys.argv[1:])
