"""Benchmark: adatom-wf's ac and relaxation fits against ccfit2's on the same measured file.

adatom-wf writes its own fits (adatom_wf.analysis.ac_fit, relaxation_fit) with ccfit2's models, residuals, bounds
and uncertainty rule; this script runs both on one file and prints, per series, τ from each and their difference
in units of ccfit2's 1σ, then U_eff, A and Q of an Orbach + QTM fit to the τ(T) of each (weighted by σ(ln τ)).
ccfit2 runs in another Python (``--ccfit2-python``, default this one) that has ``ccfit2==5.12.4`` and PyQt5
(``pip install 'adatom-wf[experiment]'`` or a venv of its own; headless: QT_QPA_PLATFORM=offscreen is set here).

    python bench/bench_ac_vs_ccfit2.py [--data FILE] [--mass-mg M --molar-mass-g-mol W] [--ccfit2-python PY]
"""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

FIXTURE = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "magnetometry" / "ErCOTI_THF2_ACvsF_MPMS3.dat"

# Run by --ccfit2-python: ccfit2's own API, the series split as adatom-wf splits them (0.05 K), Orbach + QTM on
# ln τ with σ(ln τ) from α, started where adatom-wf's fit ends up (its default u_eff guess of 1500 K does not move).
CCFIT2_SIDE = r"""
import json, os, sys
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen"); os.environ.setdefault("MPLBACKEND", "Agg")
import numpy as np
import ccfit2.ac as ac
import ccfit2.relaxation as rx
path, mass, mw, u, a, q = sys.argv[1], *map(float, sys.argv[2:7])
fits = []
for group in ac.Experiment.from_file(path, mass, mw, temp_thresh=0.05, field_thresh=1):
    for experiment in group:
        model = ac.GeneralisedDebyeModel(fit_vars={n: "guess" for n in ("tau", "chi_S", "chi_T", "alpha")},
                                         fix_vars={}, experiment=experiment)
        model.fit_to(experiment, verbose=False)
        v, e = model.final_var_values, model.fit_stdev
        fits.append({"temperature_k": float(experiment.rep_temperature), "tau_s": float(v["tau"]),
                     "tau_s_err": float(e["tau"]), "alpha": float(v["alpha"])})
ok = [f for f in fits if np.isfinite(f["tau_s"])]
sigma = [np.sqrt((1 / (1 - f["alpha"]) ** 2 - 1) * np.pi ** 2 / 3) for f in ok]
dataset = rx.TDataset.from_raw([f["temperature_k"] for f in ok], np.log([f["tau_s"] for f in ok]),
                               lntau_stdevs=sigma)
multi = rx.MultiLogTauTModel([rx.LogOrbachModel, rx.LogQTMModel], [{"u_eff": u, "A": a}, {"Q": q}], [{}, {}])
multi.fit_to(dataset, verbose=False)
print(json.dumps({"fits": fits,
                  "values": {k: float(x) for m in multi.logmodels for k, x in m.final_var_values.items()},
                  "errors": {k: float(x) for m in multi.logmodels for k, x in m.fit_stdev.items()}}))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=FIXTURE)
    parser.add_argument("--mass-mg", type=float)
    parser.add_argument("--molar-mass-g-mol", type=float)
    parser.add_argument("--ccfit2-python", default=sys.executable)
    args = parser.parse_args()

    from adatom_wf.analysis.ac_fit import fit_series
    from adatom_wf.analysis.measured import TauData, read_ac_data
    from adatom_wf.analysis.relaxation_fit import fit_processes

    data = read_ac_data(args.data, mass_mg=args.mass_mg, molar_mass_g_mol=args.molar_mass_g_mol)
    ours = [fit_series(series)[0] for series in data.series]
    tau = TauData(np.array([f.temperature_k for f in ours]), np.log([f.tau_s for f in ours]),
                  np.array([f.sigma_ln_tau for f in ours]), None, None)
    relaxation = fit_processes(tau.temperature_k, np.exp(tau.ln_tau), ("orbach", "qtm"),
                               sigma_log10_rate=tau.log10_rate_sigma())
    start = [relaxation.values[name] for name in ("u_eff", "A", "Q")]
    run = subprocess.run([args.ccfit2_python, "-c", CCFIT2_SIDE, str(args.data), str(data.mass_mg),
                          str(data.molar_mass_g_mol), *map(str, start)], capture_output=True, text=True,
                         env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    if run.returncode != 0:
        print(f"ccfit2 side failed ({args.ccfit2_python}): {run.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
        return 1
    theirs = json.loads(run.stdout.strip().splitlines()[-1])
    print(f"{'T (K)':>7} {'tau adatom-wf':>14} {'tau ccfit2':>12} {'1σ ccfit2':>10} {'|Δ|/σ':>7}")
    worst = 0.0
    for mine, other in zip(ours, theirs["fits"]):
        ratio = abs(mine.tau_s - other["tau_s"]) / other["tau_s_err"]
        worst = max(worst, ratio)
        print(f"{mine.temperature_k:7.2f} {mine.tau_s:14.6e} {other['tau_s']:12.6e} {other['tau_s_err']:10.2e} "
              f"{ratio:7.4f}")
    print(f"{'':>7} {'adatom-wf':>22} {'ccfit2':>22}")
    for name in ("u_eff", "A", "Q"):
        print(f"{name:>7} {relaxation.values[name]:12.6f} ± {relaxation.errors[name]:7.4f} "
              f"{theirs['values'][name]:12.6f} ± {theirs['errors'][name]:7.4f}")
    u_ratio = abs(relaxation.values["u_eff"] - theirs["values"]["u_eff"]) / theirs["errors"]["u_eff"]
    print(f"summary: {len(ours)} series, largest |Δτ|/σ {worst:.4f}; U_eff {relaxation.values['u_eff']:.4f} vs "
          f"{theirs['values']['u_eff']:.4f} K, |Δ|/σ {u_ratio:.5f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
