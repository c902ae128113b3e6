"""``adatom-wf molcas STUDY``: render the OpenMolcas inputs of every oxidation state (runs/<study>/molcas/<label>/)."""

from pathlib import Path

import click

from adatom_wf.commands.options import echo_json, json_option, load_molcas_study, runs_dir_option, study_argument


@click.command()
@study_argument
@runs_dir_option
@click.option("--structure", metavar="FILE",
              help="Carve the cluster from this supercell (e.g. the relaxed CONTCAR) instead of the study's "
                   "carved cluster/<site>-<rings>/cluster.xyz.")
@click.option("--state", "states", multiple=True, metavar="LABEL",
              help="Render only this oxidation state, e.g. Tb3+ (repeatable; default: every state).")
@json_option
def command(study, runs_dir, structure, states, as_json):
    """Write the OpenMolcas inputs of STUDY: the cluster's integrals and each oxidation state's calculation.

    integrals/<site>-<rings>/<site><rings>.integrals.input (GATEWAY + SEWARD, once for every state) and
    molcas/<label>/<project>.casscf.input (SA-CASSCF per multiplicity, RASSI-SO, SINGLE_ANISO, run on a copy of
    those integrals); <project> is the label with + -> p (Tb3p). A state that starts projected (docs/molcas.md)
    also gets <project>.expbas.input, and its pre-run's inputs go to orbitals/<label>/ and
    orbitals/integrals-<site>-<rings>/.
    The cluster: --structure, else the carved cluster.xyz, else the study's ideal cell (a preview when
    the study asks for the relaxed one). Run them with `adatom-wf run`.
    """
    from adatom_wf.layout import integrals_dir, prerun_dir, prerun_integrals_dir, state_dir, study_dir
    from adatom_wf.manifest import write_stage
    from adatom_wf.molcas.basis import basis_library_dir, check_basis
    from adatom_wf.molcas.node import MOLCAS_RESULTS, load_cluster, plan_record
    from adatom_wf.molcas.projection import prerun_study
    from adatom_wf.molcas.render import render_integrals, render_state, render_study, seward_count

    spec, labels = load_molcas_study(study, states)
    library = basis_library_dir()
    root = study_dir(Path(runs_dir), spec)
    cluster = load_cluster(spec, root, structure, ideal_fallback=True)
    check_basis(spec.molcas.basis, sorted(set(cluster.atoms.get_chemical_symbols())), library)
    rendered = render_study(spec, cluster.atoms, labels,
                            cluster_source=cluster.description)
    integrals = render_integrals(spec, cluster.atoms, cluster_source=cluster.description)
    shared = integrals_dir(spec.cluster.site, spec.cluster.rings)
    files = {f"{shared}/{name}": text.encode() for name, text in integrals.files.items()}
    record = {"cluster": cluster.description, "states": {}, "integrals": f"{shared}/{integrals.input_name}"}
    for label, inputs in rendered.items():
        folder = state_dir(label)
        files.update({f"{folder}/{name}": text.encode() for name, text in inputs.files.items()})
        record["states"][label] = plan_record(inputs.plan)
    record["seward_runs"] = seward_count(integrals, *rendered.values())
    projected = [label for label in rendered if spec.orbital_start(label) == "projected"]
    if projected:  # the pre-runs: their own integrals (in project_from) and first multiplicity
        folder = prerun_integrals_dir(spec.cluster.site, spec.cluster.rings)
        prerun = render_integrals(prerun_study(spec), cluster.atoms, cluster_source=cluster.description)
        files.update({f"{folder}/{name}": text.encode() for name, text in prerun.files.items()})
        record["prerun"] = {"basis": spec.projection_basis(), "integrals": f"{folder}/{prerun.input_name}",
                            "states": {}}
        for label in projected:
            inputs = render_state(prerun_study(spec, label), label, cluster.atoms, cluster_source=cluster.description,
                                  rasscf_only=True)
            files.update({f"{prerun_dir(label)}/{name}": text.encode() for name, text in inputs.files.items()})
            record["prerun"]["states"][label] = f"{prerun_dir(label)}/{inputs.casscf_input}"
    manifest = write_stage(root, "molcas", spec, files, record, results=MOLCAS_RESULTS)
    if as_json:
        echo_json({"study": spec.name, "root": str(root), "manifest": str(manifest), "cluster": cluster.description,
                   "basis_library": str(library) if library else None, "seward_runs": record["seward_runs"],
                   "integrals": str(root / record["integrals"]), "prerun": record.get("prerun"),
                   "states": {label: {**record["states"][label], "directory": str(root / state_dir(label)),
                                      "files": sorted(rendered[label].files)} for label in rendered}})
        return
    click.echo(f"{spec.name}: OpenMolcas inputs for {len(rendered)} oxidation state(s); cluster {cluster.description}")
    for label, inputs in rendered.items():
        plan = inputs.plan
        spins = ", ".join(f"2S+1={s.multiplicity} x {s.roots}" for s in plan.spins)
        crys = f", CRYS {plan.crystal_field_element}" if plan.crystal_field_element else ""
        click.echo(f"  {label}: {root / state_dir(label)}  charge {plan.charge:+d}, {plan.electrons} electrons, "
                   f"{plan.inactive} inactive, CAS({plan.active_electrons},{plan.active_orbitals}); {spins}; "
                   f"{plan.so_states} SO states, multiplet of {plan.multiplet_size}{crys}")
    click.echo(f"  integrals: {root / record['integrals']} (GATEWAY + SEWARD once, for every state)")
    if projected:
        click.echo(f"  starting orbitals of {', '.join(projected)}: pre-runs in {record['prerun']['basis']} "
                   f"({root / 'orbitals'}), projected by each state's <project>.expbas.input")
    click.echo(f"  SEWARD runs: {record['seward_runs']} (one for the cluster)"
               + ("" if library else "; basis names not checked: no OpenMolcas basis library found"))
    click.echo(f"manifest: {manifest}")
