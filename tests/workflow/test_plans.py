"""Plans without a scheduler: the Slurm dry run of the paper's study, and light imports of the verbs."""

import re
import subprocess
import sys

import yaml

from adatom_wf.commands.present import report_lines
from adatom_wf.spec import load_study
from adatom_wf.workflow.runner import run_study

HEAVY = ("ase", "pymatgen", "h5py", "spglib", "numpy", "matplotlib")


def test_paper_study_dry_run_on_slurm_batches_follow_the_needs(tmp_path):
    profiles = tmp_path / "profiles.yaml"
    profiles.write_text(yaml.safe_dump({"profiles": {"hpc": {
        "partition": "compute", "time": "04:00:00", "vasp": {"command": "srun vasp_std", "time": "12:00:00"},
        "molcas": {"nprocs": 4, "time": "1-00:00:00"}, "max_array_size": 3}}}))
    report = run_study(load_study("tb_graphene"), tmp_path / "runs", executor="slurm", profile="hpc",
                       profiles_file=profiles, dry_run=True)
    assert [(b["stage"], b["nodes"], b["dependency"]) for b in report.batches] == [
        ("relax", ["relax.hollow", "relax.top", "relax.bridge"], []),
        ("carve", ["carve.hollow-3"], ["<batch 0>_0"]),
        # one GATEWAY + SEWARD for every state, and one in the pre-run basis (ANO-RCC-MB: projected starts)
        ("integrals", ["integrals.hollow-3", "orbitals-integrals.hollow-3"], ["<batch 1>"]),
        ("orbitals", ["orbitals.Tb3+", "orbitals.Tb2+", "orbitals.Tb1+"], ["<batch 2>_1"]),  # chunked to max_array_size
        ("orbitals", ["orbitals.Tb0"], ["<batch 2>_1"]),
        # each state waits for the shared integrals and its own pre-run only
        ("molcas", ["molcas.Tb3+"], ["<batch 2>_0", "<batch 3>_0"]),
        ("molcas", ["molcas.Tb2+"], ["<batch 2>_0", "<batch 3>_1"]),
        ("molcas", ["molcas.Tb1+"], ["<batch 2>_0", "<batch 3>_2"]),
        ("molcas", ["molcas.Tb0"], ["<batch 2>_0", "<batch 4>"]),
        ("parse", ["parse"], ["<batch 8>", "<batch 7>", "<batch 6>", "<batch 5>", "<batch 0>"]),  # every run
        ("report", ["report"], ["<batch 9>"]),
    ]
    assert {p.name: p.time for p in report.planned}["relax.top"] == "12:00:00"
    root = tmp_path / "runs" / "tb_graphene" / "workflow"
    batch = (root / "scripts" / "s001-003-orbitals.sbatch").read_text()
    assert ("#SBATCH --array=0-2" in batch and "#SBATCH --cpus-per-task=4" in batch
            and "#SBATCH --time=1-00:00:00" in batch)
    assert not (root / "jobs.json").exists() and not (tmp_path / "runs" / "tb_graphene" / "dft").exists()
    text = "\n".join(report_lines(report))
    assert "dry run: scripts written, nothing submitted" in text and "would submit molcas.Tb0 (attempt 1" in text


def test_status_and_resume_import_no_heavy_package(tmp_path):
    probe = (
        "import sys\n"
        "from adatom_wf.cli import main\n"
        f"for args in (['status', 'tb_graphene', '--runs-dir', {str(tmp_path)!r}], ['resume', '--help'],"
        " ['node', '--help']):\n"
        "    try:\n"
        "        main(args)\n"
        "    except SystemExit as exit:\n"
        "        assert exit.code == 0, (args, exit.code)\n"
        f"heavy = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert re.search(r"^relax.hollow +NOT_SUBMITTED", result.stdout, re.M)


def test_local_runs_start_the_largest_openmolcas_state_first(tmp_path):
    """With fewer slots than states, the state with most SO states (Tb0: 478) must not be left for last."""
    report = run_study(load_study("demo_tb_benzene"), tmp_path / "runs", dry_run=True)
    assert [batch["nodes"][0] for batch in report.batches] == [
        "carve.hollow-1", "integrals.hollow-1", "molcas.Tb0", "molcas.Tb2+", "molcas.Tb1+", "molcas.Tb3+", "parse",
        "report"]


def test_a_local_run_killed_with_nodes_queued_can_be_run_again(tmp_path):
    """The killed runner left nodes 'queued'/'running' in jobs.json: status says LOST, and run must not take its
    own study lock for a live runner (it once refused with "already running" until jobs.json was edited)."""
    from adatom_wf.workflow import ledger
    from adatom_wf.workflow.runner import study_status

    study = load_study("demo_tb_benzene")
    run_study(study, tmp_path / "runs", dry_run=True)
    root = tmp_path / "runs" / study.name
    ledger.write_jobs(root, {"nodes": {"carve.hollow-1": {"executor": "local", "state": "running"},
                                      "molcas.Tb0": {"executor": "local", "state": "queued"}}})
    states = {s.node: s.state for s in study_status(study, tmp_path / "runs")}
    assert states["carve.hollow-1"] == states["molcas.Tb0"] == "LOST"
    report = run_study(study, tmp_path / "runs", dry_run=True)
    assert "carve.hollow-1" in report.batches[0]["nodes"]


def test_selection_takes_the_nodes_asked_for_and_what_they_need():
    from adatom_wf.workflow.graph import study_graph
    from adatom_wf.workflow.plan import select

    graph = study_graph(load_study("tb_graphene"))  # relaxed geometry: carve needs relax.hollow
    fresh = {name: "NOT_SUBMITTED" for name in graph.names}
    assert select(graph, fresh) == graph.names
    assert select(graph, fresh, labels=["Tb3+"]) == ["relax.hollow", "carve.hollow-3", "integrals.hollow-3",
                                                     "orbitals-integrals.hollow-3", "orbitals.Tb3+", "molcas.Tb3+"]
    done = {**fresh, "relax.hollow": "COMPLETED", "carve.hollow-3": "COMPLETED", "integrals.hollow-3": "COMPLETED",
            "orbitals-integrals.hollow-3": "COMPLETED", "orbitals.Tb3+": "COMPLETED", "molcas.Tb3+": "COMPLETED"}
    assert select(graph, done, labels=["Tb3+"]) == []
    assert select(graph, done, labels=["Tb3+"], force=True) == ["molcas.Tb3+"]  # force redoes what was asked for
    assert select(graph, done, labels=["Tb2+", "Tb3+"]) == ["orbitals.Tb2+", "molcas.Tb2+"]
    failed = {**done, "carve.hollow-3": "FAILED"}
    assert select(graph, failed, labels=["Tb3+"]) == ["carve.hollow-3"]  # a completed node is never redone unasked
    supplied = study_graph(load_study("tb_graphene"), carve_supplied=True)
    assert select(supplied, fresh, labels=["Tb0"], carve="carve.hollow-3") == [
        "carve.hollow-3", "integrals.hollow-3", "orbitals-integrals.hollow-3", "orbitals.Tb0", "molcas.Tb0"]


def test_overrides_reach_every_molcas_node_script(tmp_path):
    """--nprocs, --mem-mb and --workdir over the profile's molcas section, for both executors."""
    profiles = tmp_path / "profiles.yaml"
    profiles.write_text(yaml.safe_dump({"profiles": {"hpc": {"partition": "compute", "time": "04:00:00",
                                                             "molcas": {"nprocs": 8, "mem_mb": 16000}}}}))
    for executor, profile in (("local", None), ("slurm", "hpc")):
        report = run_study(load_study("demo_tb_benzene"), tmp_path / executor, executor=executor, profile=profile,
                           profiles_file=profiles, dry_run=True,
                           molcas={"nprocs": 4, "mem_mb": 3000, "workdir": str(tmp_path / "scratch")})
        scripts = sorted((tmp_path / executor / "demo_tb_benzene" / "workflow" / "scripts").glob("molcas.*.sh"))
        assert len(scripts) == 4 and report.molcas["nprocs"] == 4
        integrals = tmp_path / executor / "demo_tb_benzene" / "workflow" / "scripts" / "integrals.hollow-1.sh"
        assert "MOLCAS_NPROCS=4 MOLCAS_WORKDIR=" in integrals.read_text()
        for script in scripts:
            node = script.name[:-3]
            assert (f"export MOLCAS_MEM=3000 MOLCAS_NPROCS=4 MOLCAS_WORKDIR={tmp_path}/scratch/demo_tb_benzene/{node}"
                    in script.read_text()), script.read_text()
    batch = next((tmp_path / "slurm" / "demo_tb_benzene" / "workflow" / "scripts").glob("*-molcas.sbatch")).read_text()
    assert "#SBATCH --cpus-per-task=4" in batch


def test_resume_doubles_the_time_after_a_timeout_and_the_memory_after_an_out_of_memory():
    import pytest

    from adatom_wf.errors import SchedulerError
    from adatom_wf.execution.profiles import parse_profile
    from adatom_wf.workflow.graph import study_graph
    from adatom_wf.workflow.plan import batches, plan_node

    graph = study_graph(load_study("tb_graphene"))
    node = graph["relax.hollow"]
    profile = parse_profile({"partition": "p", "time": "30", "vasp": {"command": "vasp", "memory": "4G"},
                             "max_memory": "10G"})
    job = {"attempt": 1, "time": "00:30:00", "memory": "4G"}
    timeout = plan_node(node, "TIMEOUT", "", job, profile, "slurm", "4G")
    assert (timeout.attempt, timeout.time, timeout.memory) == (2, "01:00:00", None)
    oom = plan_node(node, "OUT_OF_MEMORY", "", job, profile, "slurm", "4G")
    assert (oom.attempt, oom.time, oom.memory) == (2, "00:30:00", "8192M")
    assert plan_node(node, "OUT_OF_MEMORY", "", {**job, "memory": "8192M"}, profile, "slurm", "8192M").memory == \
        "10240M"  # capped by max_memory
    with pytest.raises(SchedulerError, match="ran out of memory with 10240M, the profile's max_memory \\(10G\\)"):
        plan_node(node, "OUT_OF_MEMORY", "", job, profile, "slurm", "10240M")
    # the raised memory stays for the next attempt, whatever ends it; and it is the batch's --mem
    later = plan_node(node, "NODE_FAIL", "", {**job, "memory": "8192M", "memory_raised": True}, profile, "slurm",
                      "8192M")
    assert later.memory == "8192M"
    top = plan_node(graph["relax.top"], "NOT_SUBMITTED", "", None, profile, "slurm")
    found = batches(graph, [oom, top], profile, 1001)
    assert [(names, resources.memory) for _, names, _, _, resources in found] == [
        (["relax.hollow"], "8192M"), (["relax.top"], "4G")]
    unlimited = parse_profile({"partition": "p", "time": "30"})  # no max_memory: doubles; Slurm's own value
    assert plan_node(node, "OUT_OF_MEMORY", "", {"attempt": 1}, unlimited, "slurm", "1024M").memory == "2048M"
    with pytest.raises(SchedulerError, match="neither its job record nor Slurm tells"):
        plan_node(node, "OUT_OF_MEMORY", "", {"attempt": 1}, unlimited, "slurm", None)
