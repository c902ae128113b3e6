"""Plans without a scheduler: the Slurm dry run of the paper's study, and light imports of the verbs."""

import subprocess
import sys

import yaml

from adatom_wf.spec import load_study
from adatom_wf.workflow.runner import format_report, run_study

HEAVY = ("ase", "pymatgen", "h5py", "spglib", "numpy", "matplotlib")


def test_paper_study_dry_run_on_slurm_is_three_batches(tmp_path):
    profiles = tmp_path / "profiles.yaml"
    profiles.write_text(yaml.safe_dump({"profiles": {"hpc": {
        "partition": "compute", "time": "04:00:00", "vasp": {"command": "srun vasp_std", "time": "12:00:00"},
        "molcas": {"nprocs": 4, "time": "1-00:00:00"}, "max_array_size": 3}}}))
    report = run_study(load_study("tb_graphene"), tmp_path / "runs", executor="slurm", profile="hpc",
                       profiles_file=profiles, dry_run=True)
    assert [(b["stage"], b["nodes"], b["dependency"]) for b in report.batches] == [
        ("relax", ["relax.hollow", "relax.top", "relax.bridge"], []),
        ("carve", ["carve.hollow-3"], ["<batch 0>_0"]),
        ("molcas", ["molcas.Tb3+", "molcas.Tb2+", "molcas.Tb1+"], ["<batch 1>"]),  # chunked to max_array_size
        ("molcas", ["molcas.Tb0"], ["<batch 1>"]),
        ("parse", ["parse"], ["<batch 3>", "<batch 2>", "<batch 0>"]),  # every VASP and OpenMolcas run
        ("report", ["report"], ["<batch 4>"]),
    ]
    assert {p.name: p.time for p in report.planned}["relax.top"] == "12:00:00"
    root = tmp_path / "runs" / "tb_graphene" / "workflow"
    batch = (root / "scripts" / "s001-002-molcas.sbatch").read_text()
    assert "#SBATCH --array=0-2" in batch and "#SBATCH --cpus-per-task=4" in batch and "#SBATCH --time=1-00:00:00" in batch
    assert not (root / "jobs.json").exists() and not (tmp_path / "runs" / "tb_graphene" / "dft").exists()
    text = "\n".join(format_report(report))
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
    assert "relax.hollow    NOT_SUBMITTED" in result.stdout


def test_local_runs_start_the_largest_openmolcas_state_first(tmp_path):
    """With fewer slots than states, the state with most SO states (Tb0: 478) must not be left for last."""
    report = run_study(load_study("demo_tb_benzene"), tmp_path / "runs", dry_run=True)
    assert [batch["nodes"][0] for batch in report.batches] == [
        "carve.hollow-1", "molcas.Tb0", "molcas.Tb2+", "molcas.Tb1+", "molcas.Tb3+", "parse", "report"]
