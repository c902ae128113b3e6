"""Benchmark: the OpenMolcas time model (adatom_wf.molcas.cost.state_seconds / integrals_seconds) against real runs.

Reads finished study directories (``runs/<study>``): every OpenMolcas module's wall time from its log's
``--- Start Module: X at <date> ---`` / ``--- Stop Module: X at <date> ...`` lines (1 s resolution), the
RASSCF iteration counts and multiplicities, and the study snapshot the run was made from. Prints, per module
and per node (the elapsed time in workflow/jobs.json), what was measured beside what the model predicts from the
study alone (the per-module table with the measured RASSCF iteration counts, the per-node one with the model's
typical count: what the progress shows).

``--fit`` refits the constants by least squares on relative errors (every module weighs the same whatever its
length) and prints them as YAML for ``adatom_wf/presets/molcas_time.yaml``; without it the bundled constants are
used, so a run on new data is a held-out check.

    python bench/bench_time_model.py runs/demo_tb_benzene [runs/OTHER ...] [--fit]
"""

import argparse
import math
import re
import sys
from datetime import datetime
from pathlib import Path

import numpy as np

from adatom_wf import layout
from adatom_wf.molcas import cost as model
from adatom_wf.molcas.basis import basis_library_dir
from adatom_wf.molcas.results_log import rasscf_runs
from adatom_wf.spec import load_study
from adatom_wf.workflow import ledger
from adatom_wf.workflow.plan import estimated_seconds
from adatom_wf.workflow.runner import graph_at

_MODULE = re.compile(r"^--- (Start|Stop) Module:\s+(\S+) at (.+?)(?: /rc=\S+)? ---$", re.M)
# a row of RASSCF's "RASSCF iterations: Energy and convergence statistics" table; the last column is the
# iteration's wall time (hh:mm:ss)
RESOLVED_SECONDS = 20  # a module's iterations (after the first) that fit an iteration's cost: 1 s walls in the table
_ITERATION = re.compile(r"^ +\d+ +\d+ +\d+ +\d+ +-?\d+\.\d+ .* (\d+):(\d\d):(\d\d)\s*$", re.M)


def module_walls(text: str) -> list[tuple[str, float, list[int]]]:
    """(module, seconds, the wall of each RASSCF iteration) in the order the log ran them."""
    walls, started = [], None
    for match in _MODULE.finditer(text):
        kind, name, stamp = match.groups()
        when = datetime.strptime(" ".join(stamp.split()), "%a %b %d %H:%M:%S %Y")
        if kind == "Start":
            started, begin = when, match.end()
        elif started is not None:
            iterations = [int(h) * 3600 + int(m) * 60 + int(s)
                          for h, m, s in _ITERATION.findall(text, begin, match.start())] if name == "rasscf" else []
            walls.append((name, (when - started).total_seconds(), iterations))
            started = None
    return walls


def samples(root: Path) -> list[dict]:
    """One dict per measured module: kind (integrals | rasscf | rassi | single_aniso), its features, seconds; the
    starting-orbital pre-runs (orbitals/) too, in their own basis."""
    from adatom_wf.molcas.projection import prerun_study

    study = load_study(layout.study_snapshot_path(root))
    found = _integrals(root, study, "integrals/*/", "") + _states(root, study, layout.state_dir, "")
    if study.molcas is not None and study.projection_basis():
        found += _integrals(root, prerun_study(study), "orbitals/integrals-*/", " pre-run")
        for label in study.molcas.oxidation_states:
            if study.orbital_start(label) == "projected":
                found += _states(root, prerun_study(study, label), layout.prerun_dir, " pre-run")
    return found


def _integrals(root: Path, study, pattern: str, note: str) -> list[dict]:
    library = basis_library_dir()
    found = []
    for directory in sorted(root.glob(pattern)):
        logs = [p for p in directory.glob("*.log") if "Start Module" in p.read_text(errors="replace")]
        seconds = sum(s for log in logs for name, s, _ in module_walls(log.read_text(errors="replace"))
                      if name in ("gateway", "seward"))
        first = next(iter(study.molcas.oxidation_states))
        found.append({"run": root.name, "what": f"integrals{note}", "kind": "integrals", "seconds": seconds,
                      "features": model.integrals_features(model.state_cost(study, first, library))})
    return found


def _states(root: Path, study, state_dir, note: str) -> list[dict]:
    library = basis_library_dir()
    found = []
    for label in study.molcas.oxidation_states:
        directory = root / state_dir(label)
        logs = sorted(directory.glob("*.casscf.log"))
        if not logs:
            continue
        text = logs[0].read_text(errors="replace")
        walls = module_walls(text)
        cost = model.state_cost(study, label, library)
        spin_states = study.molcas.oxidation_states[label].spin_states
        roots = {s.multiplicity: s.roots for s in spin_states}
        runs = iter(rasscf_runs(text, str(logs[0])))
        for name, seconds, iteration_walls in walls:
            if name == "rasscf":
                run = next(runs)
                if run["iterations"] is None:  # a RASSCF stopped without saying after how many iterations
                    continue
                found.append({"run": root.name, "what": f"{label}{note} rasscf 2S+1={run['multiplicity']} "
                              f"({run['iterations']} it)", "kind": "rasscf", "seconds": seconds,
                              "iteration_walls": iteration_walls, "cost": cost,
                              "iteration_features": model.rasscf_iteration_features(
                                  cost, run["multiplicity"], roots[run["multiplicity"]]),
                              "features": model.rasscf_features(cost, run["multiplicity"], roots[run["multiplicity"]],
                                                                run["iterations"])})
            elif name in ("rassi", "single_aniso"):
                features = model.rassi_features(cost, spin_states) if name == "rassi" else model.aniso_features(cost)
                found.append({"run": root.name, "what": f"{label}{note} {name}", "kind": name, "seconds": seconds,
                              "features": features})
    return found


def fit(rows: list[dict]) -> dict:
    """Non-negative least squares of the modules' seconds on their features, relative errors (every module weighs
    the same whatever its length)."""
    from scipy.optimize import nnls

    names = list(rows[0]["features"])
    a = np.array([[row["features"][n] for n in names] for row in rows], float)
    b = np.array([row["seconds"] for row in rows], float)
    weight = 1 / np.maximum(b, 0.5)
    coefficients, _ = nnls(a * weight[:, None], b * weight)
    return dict(zip(names, (float(f"{c:.4g}") for c in coefficients)))


def mean_iteration(row: dict) -> float | None:
    """A RASSCF module's mean iteration wall from its table, the first iteration (its set-up) left out; None when
    those iterations add up to less than RESOLVED_SECONDS (the table gives whole seconds)."""
    walls = row["iteration_walls"][1:]
    return sum(walls) / len(walls) if sum(walls) >= RESOLVED_SECONDS else None


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("roots", nargs="+", type=Path)
    parser.add_argument("--fit", action="store_true")
    args = parser.parse_args(argv)
    rows = [row for root in args.roots for row in samples(root)]
    constants = model.time_constants()
    if args.fit:
        constants = {**constants, **{kind: fit([r for r in rows if r["kind"] == kind])
                                     for kind in ("integrals", "rasscf", "rassi", "single_aniso")
                                     if any(r["kind"] == kind for r in rows)}}
        print("# constants fitted on " + ", ".join(str(r) for r in args.roots))
        print("calibrated_basis_functions: "
              f"{max(row['cost'].basis_functions for row in rows if row['kind'] == 'rasscf')}")
        for kind in ("integrals", "rasscf", "rassi", "single_aniso"):
            print(f"{kind}: " + "{" + ", ".join(f"{k}: {v}" for k, v in constants[kind].items()) + "}")
    print("\n| run | module | measured (s) | predicted (s) | predicted / measured |\n| --- | --- | --- | --- | --- |")
    for row in rows:
        predicted = sum(constants[row["kind"]][name] * value for name, value in row["features"].items())
        ratio = predicted / row["seconds"] if row["seconds"] else float("nan")
        print(f"| {row['run']} | {row['what']} | {row['seconds']:.0f} | {predicted:.1f} | {ratio:.2f} |")
    print("\n| run | module | N | vectors | occupied | one iteration, measured (s) | predicted (s) | predicted / "
          "measured |\n| --- | --- | --- | --- | --- | --- | --- | --- |")
    for row in rows:
        measured = mean_iteration(row) if row["kind"] == "rasscf" else None
        if measured:
            cost = row["cost"]
            predicted = sum(constants["rasscf"][name] * value for name, value in row["iteration_features"].items())
            print(f"| {row['run']} | {row['what']} | {cost.basis_functions} | {cost.cholesky_vectors} | "
                  f"{cost.inactive + cost.active} | {measured:.1f} | {predicted:.1f} | {predicted / measured:.2f} |")
    print("\n| run | node | elapsed (s) | expected, the progress's (s) | expected / elapsed |\n"
          "| --- | --- | --- | --- | --- |")
    errors = []  # |ln(expected / elapsed)| of the state and pre-run nodes
    for root in args.roots:
        study = load_study(layout.study_snapshot_path(root))
        graph = graph_at(study, root)
        jobs = ledger.read_jobs(root)["nodes"]
        for node, expected in estimated_seconds(study, graph, [n.name for n in graph]).items():
            elapsed = (jobs.get(node) or {}).get("seconds")
            if elapsed:
                print(f"| {root.name} | {node} | {elapsed:.0f} | {expected:.0f} | {expected / elapsed:.2f} |")
                if graph[node].stage in ("orbitals", "molcas"):
                    errors.append(abs(math.log(expected / elapsed)))
    if errors:
        within = sum(error < math.log(1.5) for error in errors)
        print(f"\nstate and pre-run nodes: mean |ln(expected/elapsed)| {sum(errors) / len(errors):.3f}, "
              f"{within} of {len(errors)} within 1.5x")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
