"""``adatom-wf validate STUDY``: check a study file and print its summary with each oxidation state's cost
estimate (adatom_wf.molcas.cost; imports no numpy, ase, pymatgen or h5py).

It makes every check a later verb would make on the study alone, so that a study that validates builds, carves
and renders: the spec's own (types, ranges, INCAR tags against pymatgen's table, the supercell against the
sites' images and the cluster's size, oxidation states), then the basis sets against OpenMolcas's library (where
installed) and each state's CASSCF plan (electron count, parities, roots, multiplet) on the cluster the study
carves (its formula from adatom_wf.facts.cluster_formula).
"""

import click

from adatom_wf.commands.options import echo_json, json_option, study_argument
from adatom_wf.commands.present import cost_line, duration
from adatom_wf.preflight import check_study
from adatom_wf.spec import load_study, load_study_text


def summary(study) -> dict:
    data = {
        "name": study.name,
        "sha256": study.sha256(),
        "adatom": study.adatom,
        "substrate": study.substrate.model_dump(),
        "sites": {name: site.height_angstrom for name, site in study.sites.items()},
        "dft_program": study.dft.program,
        "potcars": study.potcar_symbols(),
        "incar": study.dft.incar,
        "kpoints": study.dft.kpoints.model_dump(),
        "cluster": study.cluster.model_dump(),
        "oxidation_states": {},
    }
    if study.dft.program == "gpaw":  # the VASP keys stay (a contract) but say nothing of a GPAW study
        from adatom_wf.gpaw.cost import study_relaxation_cost
        from adatom_wf.gpaw.inputs import gpaw_parameters

        data["gpaw"] = gpaw_parameters(study)
        data["gpaw_cost"] = study_relaxation_cost(study, data["gpaw"])
        data["potcars"], data["incar"] = {}, {}
    if study.molcas is not None:
        from adatom_wf.molcas.basis import basis_library_dir
        from adatom_wf.molcas.cost import state_cost

        data["basis"] = study.molcas.basis
        library = basis_library_dir()
        for label, state in study.molcas.oxidation_states.items():
            data["oxidation_states"][label] = {
                "charge": study.charge(label),
                "active_space": f"CAS({state.active_space.electrons},{state.active_space.orbitals})",
                "spin_states": [[s.multiplicity, s.roots] for s in state.spin_states],
                "multiplet_size": state.multiplet_size,
                "cost": state_cost(study, label, library).as_dict(),
            }
        first = next(iter(data["oxidation_states"].values()), None)  # GATEWAY + SEWARD, once for all states
        data["integrals"] = {"seconds": first["cost"]["integrals_seconds"] if first else 0.0}
    return data


@click.command()
@study_argument
@json_option
def command(study, as_json):
    """Check STUDY (a workflows/*.yaml file, a bundled study's name, or - for standard input) and print its summary,
    with each oxidation state's cost estimate: basis functions, orbitals, CSFs, SO states, integrals, memory, scratch,
    wall time on one core (docs/execution.md, "Resources from the cost estimate"); with dft.program gpaw also each
    site's relaxation: hours on one core and memory (docs/gpaw.md, "Plane waves or LCAO, and what a relaxation costs").
    It refuses what build, carve, molcas, run and resume would refuse of the study, with the same line.
    """
    spec = load_study_text(click.get_text_stream("stdin").read()) if study == "-" else load_study(study)
    check_study(spec)
    data = summary(spec)
    if as_json:
        echo_json(data)
        return
    n, m = data["substrate"]["supercell"]
    click.echo(f"study {data['name']}: {data['adatom']} on {n}x{m} {data['substrate']['kind']} (valid)")
    click.echo("  sites: " + ", ".join(f"{k} at {v:g} Å" for k, v in data["sites"].items()))
    kpoints = f"k-points {data['kpoints']['style']} {data['kpoints']['grid']}"
    if data["dft_program"] == "gpaw":
        g = data["gpaw"]
        mode = f"LCAO {g['basis']}" if g["mode"] == "lcao" else f"plane waves {g['ecut_ev']:g} eV"
        core = "4f in the core (generated setup), non-spin-polarised" if g["f_in_core"] else \
            "GPAW's standard setup, spin-polarised" + (f", U = {g['hubbard_u_ev']:g} eV" if "hubbard_u_ev" in g else "")
        click.echo(f"  GPAW: {mode}, h {g['grid_spacing_angstrom']:g} Å, {kpoints}, {core}; {g['optimizer']}, "
                   f"forces < {g['fmax_ev_per_angstrom']:g} eV/Å within {g['max_steps']} steps")
        cost = data["gpaw_cost"]
        click.echo(f"    cost per site: ~{cost['relaxation_hours']:.1f} h on one core ({cost['steps_assumed']} ionic "
                   f"steps of ~{cost['seconds_per_step']} s), ~{cost['memory_gb']:.1f} GB; "
                   "estimate: docs/gpaw.md, \"What a relaxation costs\"")
    else:
        click.echo(f"  VASP: POTCARs {data['potcars']}, {kpoints}")
    c = data["cluster"]
    click.echo(f"  cluster: {c['site']} site, {c['rings']} ring(s), from the {c['geometry']} cell")
    for label, state in data["oxidation_states"].items():
        spins = ", ".join(f"2S+1={mult} x {roots} roots" for mult, roots in state["spin_states"])
        click.echo(
            f"  {label}: charge {state['charge']:+d}, {state['active_space']}, {spins}, "
            f"multiplet of {state['multiplet_size']}"
        )
        click.echo(f"    cost: {cost_line(label, state['cost']).split(': ', 1)[1]}")
    if data["oxidation_states"]:
        click.echo(f"  integrals (GATEWAY + SEWARD, shared by the states): ~{duration(data['integrals']['seconds'])} "
                   "on one core")
        source = next(iter(data["oxidation_states"].values()))["cost"]["basis_source"]
        click.echo(f"  basis contractions from {source}; estimates: docs/benchmarks.md (OpenMolcas cost model)")
    click.echo(f"  sha256 {data['sha256']}")
