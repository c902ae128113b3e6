"""The E(h) curves of bench_gpaw_heights.py runs in one figure (docs/figures/gpaw_heights.png).

    python bench/plot_gpaw_heights.py LOG [LOG ...] --out docs/figures/gpaw_heights.png

Each LOG is one run's stdout (JSON lines); each curve is drawn relative to its own minimum, its cubic's minimum
marked, and the paper's hollow height (2.28 Å, VASP 8x8, Table 1) as a vertical line.
"""

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_gpaw_heights import cubic_minimum  # noqa: E402

from adatom_wf.facts import TB_GRAPHENE_TABLE1  # noqa: E402


def main(argv: list[str]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("logs", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    figure, axes = plt.subplots(figsize=(6.4, 4.2))
    for log in args.logs:
        rows = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
        rows = [row for row in rows if "height_angstrom" in row]
        heights = np.array([row["height_angstrom"] for row in rows])
        energies = np.array([row["energy_ev"] for row in rows])
        h, e = cubic_minimum(list(heights), list(energies))
        fit = np.polynomial.Polynomial.fit(heights, energies, 3)
        grid = np.linspace(heights.min(), heights.max(), 200)
        line = axes.plot(grid, (fit(grid) - e) * 1000, label=f"{rows[0]['label']}: minimum {h:.2f} Å")[0]
        axes.plot(heights, (energies - e) * 1000, "o", color=line.get_color())
        axes.plot([h], [0], "v", color=line.get_color())
    axes.axvline(TB_GRAPHENE_TABLE1["hollow"][1], color="0.4", ls="--", label="paper (VASP, 8x8): 2.28 Å")
    axes.set_xlabel("Tb height above the mean carbon plane (Å)")
    axes.set_ylabel("E − E(minimum) (meV)")
    axes.set_title("Tb at the hollow site: E(h), layer fixed")
    axes.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(args.out, dpi=120)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main(sys.argv[1:])
