"""Start-up and build wall times, side by side in one run.

    python bench/bench_cli.py [--repeat 10]

Measures (median and min of N runs, wall clock):
  python -c pass                                   bare interpreter start-up
  adatom-wf --help                                 target: within 3x of the line above
  adatom-wf validate workflows/tb_graphene.yaml
  adatom-wf build workflows/tb_graphene.yaml       target: under 3 s (the paper's three sites)
The console script is the one installed next to this interpreter (no pyenv shim in between).
"""

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(command, cwd, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    script = str(Path(sys.executable).parent / "adatom-wf")
    study = str(ROOT / "workflows" / "tb_graphene.yaml")
    with tempfile.TemporaryDirectory() as work:
        rows = [
            ("python -c pass", [sys.executable, "-c", "pass"]),
            ("adatom-wf --help", [script, "--help"]),
            ("adatom-wf validate tb_graphene", [script, "validate", study]),
            ("adatom-wf build tb_graphene", [script, "build", study, "--runs-dir", "runs"]),
        ]
        results = {label: timed(command, work, args.repeat) for label, command in rows}
    base = results["python -c pass"][0]
    print(f"{'command':34s} {'median s':>9s} {'min s':>7s} {'x python':>9s}")
    for label, (median, best) in results.items():
        print(f"{label:34s} {median:9.3f} {best:7.3f} {median / base:9.2f}")
    help_ratio = results["adatom-wf --help"][0] / base
    build_time = results["adatom-wf build tb_graphene"][0]
    print(f"--help within 3x of python start-up: {'yes' if help_ratio <= 3 else 'NO'} ({help_ratio:.2f}x)")
    print(f"build under 3 s: {'yes' if build_time < 3 else 'NO'} ({build_time:.2f} s)")


if __name__ == "__main__":
    main()
