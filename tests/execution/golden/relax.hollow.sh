#!/bin/bash
# Node relax.hollow of study demo, attempt 2. Written by adatom-wf from templates/slurm/node.sh.j2:
# the local executor and Slurm run this very script. The node records its outcome in
# /home/me/runs/demo/workflow/results/relax.hollow.json (state ok | failed, and why); its exit code is 0 only when that state is ok.
if ! command -v module >/dev/null 2>&1; then
  for init in /etc/profile.d/lmod.sh /etc/profile.d/modules.sh; do
    if [ -r "$init" ]; then . "$init"; break; fi
  done
fi
module load vasp/6.4.2 || { echo 'adatom-wf: module load vasp/6.4.2 failed' >&2; exit 1; }
module load openmolcas/22.10 || { echo 'adatom-wf: module load openmolcas/22.10 failed' >&2; exit 1; }
export OMP_NUM_THREADS=1
export ADATOM_WF_NODE=relax.hollow ADATOM_WF_ATTEMPT=2
cd /home/me/runs/demo/dft/hollow || exit 1
printf 'adatom-wf: %s %s\n' "$(date '+%F %T')" 'relax.hollow: running VASP in /home/me/runs/demo/dft/hollow'
srun vasp_std
vasp_exit=$?
printf 'adatom-wf: %s %s exited with code %s; judging its output\n' "$(date '+%F %T')" 'relax.hollow: VASP' "$vasp_exit"
exec /opt/venv/bin/adatom-wf node /home/me/runs/demo/workflow/study.yaml relax.hollow --runs-dir /home/me/runs --attempt 2 --vasp-exit-code "$vasp_exit"
