#!/bin/bash
# Node relax.top of study demo, attempt 1. Written by adatom-wf from templates/slurm/node.sh.j2:
# the local executor and Slurm run this very script. The node records its outcome in
# /home/me/runs/demo/workflow/results/relax.top.json (state ok | failed, and why); its exit code is 0 only when that state is ok.
if ! command -v module >/dev/null 2>&1; then
  for init in /etc/profile.d/lmod.sh /etc/profile.d/modules.sh; do
    if [ -r "$init" ]; then . "$init"; break; fi
  done
fi
module load vasp/6.4.2 || { echo 'adatom-wf: module load vasp/6.4.2 failed' >&2; exit 1; }
module load openmolcas/22.10 || { echo 'adatom-wf: module load openmolcas/22.10 failed' >&2; exit 1; }
export OMP_NUM_THREADS=1
export ADATOM_WF_NODE=relax.top ADATOM_WF_ATTEMPT=1
cd /home/me/runs/demo/dft/top || exit 1
printf 'adatom-wf: %s %s\n' "$(date '+%F %T')" 'relax.top: running the GPAW relaxation in /home/me/runs/demo/dft/top'
# one thread per process: GPAW runs in parallel through MPI (the profile's gpaw.command), not BLAS threads
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}" OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"
srun gpaw python -m adatom_wf.gpaw.relax /home/me/runs/demo/dft/top
gpaw_exit=$?
printf 'adatom-wf: %s %s exited with code %s; judging its output\n' "$(date '+%F %T')" 'relax.top: GPAW' "$gpaw_exit"
exec /opt/venv/bin/adatom-wf node /home/me/runs/demo/workflow/study.yaml relax.top --runs-dir /home/me/runs --attempt 1 --program-exit-code "$gpaw_exit"
