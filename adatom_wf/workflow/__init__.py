"""A study as a dependency graph of named nodes, their file-based states, and running it (run/resume/status).

graph.py (the DAG from a study), plan.py (pure: what runs, attempts, time limits, batches), ledger.py (the
files under runs/<study>/workflow/), status.py (node states from result files and the scheduler), actions.py (what
one node does, called by the hidden ``adatom-wf node`` verb), runner.py (run_study, resume_study,
study_status), submit.py (Slurm) and local_run.py (here). See docs/execution.md.
"""
