#!/bin/bash
# Node carve.hollow-1 of study demo, attempt 1. Written by adatom-wf from templates/slurm/node.sh.j2:
# the local executor and Slurm run this very script. The node records its outcome in
# /home/me/runs/demo/workflow/results/carve.hollow-1.json (state ok | failed, and why); its exit code is 0 only when that state is ok.
if ! command -v module >/dev/null 2>&1; then
  for init in /etc/profile.d/lmod.sh /etc/profile.d/modules.sh; do
    if [ -r "$init" ]; then . "$init"; break; fi
  done
fi
module load vasp/6.4.2 || { echo 'adatom-wf: module load vasp/6.4.2 failed' >&2; exit 1; }
module load openmolcas/22.10 || { echo 'adatom-wf: module load openmolcas/22.10 failed' >&2; exit 1; }
export OMP_NUM_THREADS=1
export ADATOM_WF_NODE=carve.hollow-1 ADATOM_WF_ATTEMPT=1
exec /opt/venv/bin/adatom-wf node /home/me/runs/demo/workflow/study.yaml carve.hollow-1 --runs-dir /home/me/runs --attempt 1
