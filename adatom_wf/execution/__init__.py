"""Executors: pure parts (profiles.py, scripts.py, slurm.py: script text, command lines, output parsing) and the
thin layers that run them (slurm_client.py calls sbatch/squeue/sacct/scontrol/scancel, local.py runs node scripts
as subprocesses). See docs/execution.md.
"""
