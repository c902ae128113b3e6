"""Benchmark: submitting a generated study of N OpenMolcas jobs to Slurm (default N = 500).

    python bench/bench_submit.py [--jobs 500] [--repeat 3] [--max-array-size 1001]
    python bench/bench_submit.py --local-demo 4     # the demo on the local executor vs its critical path

Starts the throwaway test cluster (tests/execution/slurm_cluster.py; needs Debian's slurm-wlm and munge,
``bash .ci/setup``), generates a study with N oxidation states (Tb on benzene: one carve node, N molcas
nodes), submits it held (``sbatch --hold``: the benchmark measures submission, not OpenMolcas), counts the
sbatch calls, times the submission and one ``status`` of the whole graph, then cancels everything.
Results are recorded in docs/execution.md.
"""

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "execution"))
from slurm_cluster import SlurmCluster, missing_programs  # noqa: E402


def generated_study(folder: Path, jobs: int) -> Path:
    """The demo with ``jobs`` oxidation states (labels Tb0, Tb1+, Tb1-, Tb2+, …; all with Tb3+'s active space)."""
    data = yaml.safe_load((HERE.parent / "workflows" / "demo_tb_benzene.yaml").read_text())
    template = data["molcas"]["oxidation_states"]["Tb3+"]
    labels = ["Tb0"] + [f"Tb{n}{sign}" for n in range(1, jobs) for sign in "+-"]
    data["name"] = f"bench_{jobs}"
    data["molcas"]["oxidation_states"] = {label: template for label in labels[:jobs]}
    path = folder / f"bench_{jobs}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def local_demo(parallel: int) -> None:
    """The demo on the local executor: wall time against the critical path of the node times it measured."""
    import json

    from adatom_wf.spec import load_study
    from adatom_wf.workflow.graph import study_graph
    from adatom_wf.workflow.runner import run_study

    study = load_study("demo_tb_benzene")
    with tempfile.TemporaryDirectory(prefix="adatom-bench-") as tmp:
        start = time.perf_counter()
        report = run_study(study, tmp, executor="local", max_parallel=parallel)
        wall = time.perf_counter() - start
        jobs = json.loads((Path(tmp) / study.name / "workflow" / "jobs.json").read_text())["nodes"]
    seconds = {name: job.get("seconds", 0.0) for name, job in jobs.items()}
    critical = study_graph(study).critical_path(seconds)
    print(f"demo_tb_benzene, local executor, --jobs {parallel}: {report.outcome}")
    print("  node seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in seconds.items()))
    print(f"  wall {wall:.1f} s, critical path {critical:.1f} s, ratio {wall / critical:.3f}; "
          f"sum of nodes {sum(seconds.values()):.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--max-array-size", type=int, default=1001, help="the test cluster's MaxArraySize")
    parser.add_argument("--local-demo", type=int, metavar="PARALLEL", default=None,
                        help="instead: run the demo on the local executor with PARALLEL nodes at once")
    args = parser.parse_args()
    if args.local_demo:
        local_demo(args.local_demo)
        return
    if missing_programs():
        sys.exit(f"needs {', '.join(missing_programs())}: run `bash .ci/setup`")
    import os

    from adatom_wf.spec import load_study
    from adatom_wf.workflow.runner import run_study, study_status

    with tempfile.TemporaryDirectory(prefix="adatom-bench-") as tmp:
        tmp = Path(tmp)
        cluster = SlurmCluster(tmp / "slurm", max_array_size=args.max_array_size)
        cluster.start()
        os.environ["SLURM_CONF"] = str(cluster.conf)
        try:
            profiles = tmp / "profiles.yaml"
            profiles.write_text(yaml.safe_dump({"profiles": {"bench": {
                "partition": "debug", "time": "01:00:00", "sbatch_options": ["--hold"]}}}))
            study = load_study(generated_study(tmp, args.jobs))
            rows = []
            for n in range(args.repeat):
                runs = tmp / f"runs{n}"
                start = time.perf_counter()
                report = run_study(study, runs, executor="slurm", profile="bench", profiles_file=profiles)
                total = time.perf_counter() - start
                start = time.perf_counter()
                statuses = study_status(study, runs)
                status_seconds = time.perf_counter() - start
                assert sum(1 for s in statuses if s.state == "PENDING") == args.jobs + 1, statuses[:3]
                rows.append((report.scheduler_calls.get("sbatch", 0), report.submit_seconds, total, status_seconds,
                             len(report.batches)))
                subprocess.run(["scancel", "--user", cluster.user], check=False)
                time.sleep(1)
            # Baseline: what one sbatch per node would cost (held jobs that do nothing).
            start = time.perf_counter()
            for _ in range(args.jobs + 1):
                subprocess.run(["sbatch", "--hold", "--parsable", "--wrap", "true"], check=True, capture_output=True)
            baseline = time.perf_counter() - start
            subprocess.run(["scancel", "--user", cluster.user], check=False)
        finally:
            cluster.stop()
    sbatch = {row[0] for row in rows}
    print(f"{args.jobs} OpenMolcas nodes + 1 carve node, MaxArraySize {args.max_array_size}, {args.repeat} runs")
    print(f"  sbatch calls: {sorted(sbatch)} ({rows[0][4]} batches)")
    print(f"  sbatch phase (s): median {statistics.median(r[1] for r in rows):.3f}")
    print(f"  run_study total, incl. graph, snapshot, {args.jobs + 1} node scripts (s): "
          f"median {statistics.median(r[2] for r in rows):.3f}")
    print(f"  status of the whole graph (s): median {statistics.median(r[3] for r in rows):.3f}")
    print(f"  baseline, one sbatch per node ({args.jobs + 1} calls, s): {baseline:.3f}")


if __name__ == "__main__":
    main()
