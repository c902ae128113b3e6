"""A tour of the adatom-wf Python API (docs/api.md) on a results store.

    python3 docs/examples/api_tour.py runs/demo_tb_benzene/results.h5

Run by the tests (tests/test_api.py) on a store parsed from a real OpenMolcas run.
"""

import sys

import adatom_wf

store_path = sys.argv[1] if len(sys.argv) > 1 else "runs/demo_tb_benzene/results.h5"

# The study a store came from (any study file, or a bundled study's name).
study = adatom_wf.load_study("demo_tb_benzene")
print(f"study {study.name}: {study.adatom}, states {', '.join(study.molcas.oxidation_states)}")

# Open the store: every run as a typed record, numbers as numpy arrays with their unit in the name.
store = adatom_wf.open_store(store_path)
print(f"store {store.path} (schema {store.schema_version}): " + ", ".join(f"{r.key} {r.status}" for r in store.runs))

for label in store.states:
    run = store.molcas(label)
    if not run.ok:
        print(f"{label}: failed ({run.failure})")
        continue
    lowest = ", ".join(f"{e:.4g}" for e in run.so_energies_cm1[:5])
    print(f"{label}: {len(run.so_energies_cm1)} SO states, the lowest at {lowest} cm^-1")
    for roots in run.rasscf:
        print(f"  2S+1 = {roots.multiplicity}: lowest root {roots.root_energies_hartree.min():.6f} Eh")
    print("  g (ground multiplet) = " + " ".join(f"{g:.3f}" for g in run.g.principal))
    cf = run.cf_parameters
    print(f"  B_2^0 = {cf[2, 0]:.4f} cm^-1, B_4^0 = {cf[4, 0]:.6f} cm^-1")

    # Analyse the stored SO states again (any thresholds), and their magnetisation.
    spectrum = run.spectrum(tunnel_threshold_cm1=0.01)
    print(f"  U_eff = {spectrum.u_eff_cm1:.1f} cm^-1 ({spectrum.relaxation_path['mechanism']})")
    magnetisation = run.magnetisation(field_t=[1.0, 7.0], temperature_k=[2.0], direction=spectrum.main_axis)
    print(f"  M along the main axis at 2 K: {magnetisation.magnetisation_mub[0, 0]:.3f} muB (1 T), "
          f"{magnetisation.magnetisation_mub[1, 0]:.3f} muB (7 T)")
