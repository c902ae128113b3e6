"""``adatom-wf show STORE``: what a results store holds, as text or JSON (docs/results.md)."""

import click

from adatom_wf.commands.options import echo_json, json_option
from adatom_wf.facts import DFT_KINDS
from adatom_wf.molcas.rescue import convergence_text


def _line(run: dict) -> str:
    head = f"{run['status']:6} {run['kind']:6} {run['key']:20}"
    flags = "".join(f"; FLAGGED: {flag}" for flag in run.get("relaxation_flags") or ())  # DFT relaxations only
    if run["status"] != "ok":
        convergence = run.get("convergence") or ""
        lead = (f"{convergence}: " if convergence.startswith("not converged") and convergence not in run["failure"]
                else "")
        return f"{head} {lead}{run['failure']}{flags}"
    if run["kind"] in DFT_KINDS:
        height = run["adatom_height_angstrom"]
        height = "—" if height is None else f"{height:.3f} Å"
        return (f"{head} E = {run['energy_ev']:.6f} eV, E(σ→0) = {run['energy_sigma0_ev']:.6f} eV, "
                f"{run['ionic_steps']} ionic steps, {run['natoms']} atoms, height {height}{flags}")
    ground = run["multiplets"][0] if run["multiplets"] else None
    g = "" if ground is None else ", g = " + "/".join(f"{v:.3f}" for v in ground["g_main"])
    spins = ", ".join(f"2S+1={r['multiplicity']}×{len(r['root_energies_hartree'])}" for r in run["rasscf"])
    doublets = len(run["doublets"])
    configuration = ""
    if ground is not None and ground.get("occupations"):
        from adatom_wf.report import configuration_text

        configuration = f", ground {configuration_text(ground['occupations'])}"
    return f"{head} OpenMolcas {run['molcas_version']}, {spins}, {len(run['so_energies_cm1'])} SO states{g}, " \
           f"{doublets} doublets{configuration}{convergence_text(run)}"


@click.command()
@click.argument("store", type=click.Path(dir_okay=False))
@json_option
def command(store, as_json):
    """Show what STORE (an adatom-wf results.h5) holds: every run, its status and main numbers (VASP and GPAW: a
    relaxation the checks flag, a step uphill or a buckled layer, says FLAGGED and why; OpenMolcas: the
    ground multiplet's g and its configuration, electrons per active-orbital group, and for adatom-wf's own runs
    how each state started and converged: guess or restart, RASSCF iterations, rescue attempts; --json: every
    stored number)."""
    from adatom_wf.store import read_store

    data = read_store(store)
    if as_json:
        echo_json(data)
        return
    study = f"study {data['study']} ({data['study_sha256'][:12]})" if data["study"] else "no study"
    click.echo(f"{store}: schema {data['schema_version']}, {data['producer']}, {study}, {len(data['runs'])} runs")
    for run in data["runs"]:
        click.echo(_line(run))
