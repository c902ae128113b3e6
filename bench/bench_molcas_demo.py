"""Benchmark: wall time of the demo (Tb on benzene, ANO-RCC-MB, RICD): the shared integrals once, then each
oxidation state; and the number of SEWARD runs the paper's study renders (target: 1 for the cluster).

Runs real OpenMolcas (Debian's openmolcas) in a fresh temporary runs directory, one state after another:
``python bench/bench_molcas_demo.py [--nprocs 2] [--state Tb3+ ...] [--keep DIR]``. About 15 minutes on two cores.
"""

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

from adatom_wf.layout import integrals_dir, state_dir, study_dir
from adatom_wf.molcas.integrals import run_integrals
from adatom_wf.molcas.node import archive_previous, load_cluster, run_oxidation_state
from adatom_wf.molcas.render import render_integrals, render_study, seward_count
from adatom_wf.spec import load_study


def paper_counts(runs_dir: Path) -> dict:
    study = load_study("tb_graphene")
    cluster = load_cluster(study, study_dir(runs_dir, study), ideal_fallback=True)
    inputs = render_study(study, cluster.atoms, cluster_source=cluster.description)
    integrals = render_integrals(study, cluster.atoms, cluster_source=cluster.description)
    return {"seward_runs": seward_count(integrals, *inputs.values()),
            "rasscf_runs": sum(len(i.plan.spins) for i in inputs.values()),
            "cluster_atoms": len(cluster.atoms)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nprocs", type=int, default=2)
    parser.add_argument("--mem-mb", type=int, default=2000)
    parser.add_argument("--state", action="append", dest="states")
    parser.add_argument("--keep", help="run in this directory (kept) instead of a temporary one")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        runs_dir = Path(args.keep or scratch)
        counts = paper_counts(runs_dir)
        study = load_study("demo_tb_benzene")
        root = study_dir(runs_dir, study)
        cluster = load_cluster(study, root)
        shared = root / integrals_dir(study.cluster.site, study.cluster.rings)
        archive_previous(shared)
        start = time.perf_counter()
        integrals = run_integrals(study, root, directory=shared, cluster=cluster, nprocs=args.nprocs,
                                  mem_mb=args.mem_mb)
        rows = {"integrals": {"status": integrals.status, "failure": integrals.failure,
                              "wall_seconds": round(time.perf_counter() - start, 1)}}
        for label in args.states or list(study.molcas.oxidation_states):
            archive_previous(root / state_dir(label))  # --keep: an earlier run of the bench moves to attempt-<n>/
            start = time.perf_counter()
            run = run_oxidation_state(study, root, label, integrals=shared, nprocs=args.nprocs, mem_mb=args.mem_mb,
                                      cluster=cluster)
            rows[label] = {"status": run.status, "failure": run.failure,
                           "wall_seconds": round(time.perf_counter() - start, 1),
                           **{f"{k}_seconds": v for k, v in run.details["wall_seconds"].items() if k != "total"},
                           "lowest_character": run.details["lowest_character"]}
    print(f"tb_graphene (paper): {counts['seward_runs']} SEWARD runs for {counts['rasscf_runs']} RASSCF runs "
          f"(target 1); cluster of {counts['cluster_atoms']} atoms")
    print(f"demo_tb_benzene, {args.nprocs} core(s) ({os.cpu_count()} on this machine):")
    print(f"  {'state':6s} {'status':7s} {'total s':>8s} {'integrals s':>12s} {'CASSCF+RASSI+ANISO s':>21s}")
    for label, row in rows.items():
        print(f"  {label:6s} {row['status']:7s} {row['wall_seconds']:8.1f} {row.get('integrals_seconds', 0):12.1f} "
              f"{row.get('casscf_seconds', 0):21.1f}  {row['failure']}")
    print(json.dumps({"paper": counts, "demo": rows}, indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
