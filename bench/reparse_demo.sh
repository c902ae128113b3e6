#!/usr/bin/env bash
# Re-parse and re-report a finished demo run with the installed adatom-wf and compare with what that run stored:
#   bash bench/reparse_demo.sh BASELINE_RUN_DIR [WORK_DIR]
# BASELINE_RUN_DIR: a runs/demo_tb_benzene of an earlier version (its results.h5 and report/ are the reference).
# Prints the store comparison (bench/compare_stores.py; the run directories' paths differ by location and are not
# compared) and whether each table and figure of the report is byte-identical. Exit 1 when anything differs.
set -euo pipefail
baseline=$(realpath "$1")
work=${2:-$(mktemp -d)}
here=$(dirname "$(realpath "$0")")
rm -rf "$work/runs" && mkdir -p "$work/runs" && cp -a "$baseline" "$work/runs/demo_tb_benzene"
rm -rf "$work/runs/demo_tb_benzene/results.h5" "$work/runs/demo_tb_benzene/report"
cd "$work"
adatom-wf parse demo_tb_benzene --runs-dir "$work/runs" > parse.out 2>&1 || true
adatom-wf report demo_tb_benzene --runs-dir "$work/runs" > report.out 2>&1
status=0
python3 "$here/compare_stores.py" "$baseline/results.h5" "$work/runs/demo_tb_benzene/results.h5" --ignore-attr path \
  || status=1
for file in "$baseline"/report/*; do
  name=$(basename "$file")
  [ "$name" = report.html ] && continue  # it names the store's path and when it was made
  if cmp -s "$file" "$work/runs/demo_tb_benzene/report/$name"; then echo "$name identical"; else echo "$name DIFFERS"; status=1; fi
done
exit $status
