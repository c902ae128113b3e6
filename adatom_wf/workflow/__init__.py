"""A study as a dependency graph of named nodes, their file-based states, and running it (run/resume/status).

graph.py (the DAG from a study), state.py (files under runs/<study>/workflow/), actions.py (what one node
does, called by the hidden ``adatom-wf node`` verb), judge.py (did VASP succeed?), status.py (node states from
result files and the scheduler), runner.py (run_study, resume_study, study_status). See docs/execution.md.
"""
