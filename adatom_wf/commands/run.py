"""``adatom-wf run [STUDY]``: run OpenMolcas locally for every oxidation state (default study: the demo)."""

from pathlib import Path

import click

from adatom_wf.commands.options import echo_json, json_option, runs_dir_option

DEFAULT_STUDY = "demo_tb_benzene"


@click.command()
@click.argument("study", metavar="[STUDY]", default=DEFAULT_STUDY)
@runs_dir_option
@click.option("--state", "states", multiple=True, metavar="LABEL",
              help="Run only this oxidation state, e.g. Tb3+ (repeatable; default: every state).")
@click.option("--structure", metavar="FILE", help="Carve the cluster from this supercell (e.g. a relaxed CONTCAR).")
@click.option("--nprocs", type=click.IntRange(1, 1024), default=2, show_default=True, envvar="MOLCAS_NPROCS",
              help="Cores for OpenMolcas (MOLCAS_NPROCS; OpenMP threads of Debian's serial build).")
@click.option("--mem-mb", type=click.IntRange(256, 10_000_000), default=2000, show_default=True, envvar="MOLCAS_MEM",
              help="Memory per OpenMolcas process in MB (MOLCAS_MEM).")
@click.option("--workdir", type=click.Path(file_okay=False), default=None,
              help="Scratch root ($MOLCAS_WORKDIR); each state uses <workdir>/<study>/<label>. "
                   "Default: runs/<study>/molcas/<label>/scratch.")
@click.option("--force", is_flag=True, help="Run finished states again (their outputs move to attempt-<n>/).")
@json_option
def command(study, runs_dir, states, structure, nprocs, mem_mb, workdir, force, as_json):
    """Run the OpenMolcas calculation of STUDY (default: demo_tb_benzene) here, one oxidation state after another.

    Per state: integrals (GATEWAY, SEWARD), starting orbitals picked by atomic-orbital character, one
    SA-CASSCF per multiplicity, RASSI with spin-orbit coupling, SINGLE_ANISO; then every active orbital's
    adatom character is checked. A finished state is not run again (--force to redo it); a failed one is
    rerun with its old outputs moved to attempt-<n>/. The verdict goes to molcas/<label>/status.json.
    """
    from adatom_wf.errors import SpecError
    from adatom_wf.manifest import study_dir
    from adatom_wf.molcas.basis import basis_library_dir, check_basis
    from adatom_wf.molcas.node import CalculationFailed, load_cluster, run_oxidation_state, state_directory
    from adatom_wf.molcas.render import render_state
    from adatom_wf.spec import load_study

    spec = load_study(study)
    if spec.molcas is None:
        raise SpecError(f"study {spec.name} has no molcas section")
    unknown = [label for label in states if label not in spec.molcas.oxidation_states]
    if unknown:
        raise SpecError(f"oxidation state {unknown[0]!r} is not defined in study {spec.name}; "
                        f"its oxidation states: {', '.join(spec.molcas.oxidation_states)}")
    labels = list(dict.fromkeys(states)) or list(spec.molcas.oxidation_states)
    root = study_dir(Path(runs_dir), spec)
    cluster = load_cluster(spec, root, structure)
    check_basis(spec.molcas.basis, sorted(set(cluster.atoms.get_chemical_symbols())), basis_library_dir())
    for label in labels:  # every input error surfaces before the first calculation starts
        render_state(spec, label, cluster.atoms, cluster_source=cluster.description)
    if cluster.carved is not None and structure is None:
        from adatom_wf.structure.cluster import cluster_dir, write_cluster

        if not (cluster_dir(root, spec.cluster.site, spec.cluster.rings) / "cluster.xyz").is_file():
            write_cluster(root, spec, cluster.carved)
    say = (lambda message: None) if as_json else (lambda message: click.echo(message, err=True))
    results = {}
    for label in labels:
        scratch = Path(workdir) / spec.name / label if workdir else state_directory(root, label) / "scratch"
        run = run_oxidation_state(spec, root, label, nprocs=nprocs, mem_mb=mem_mb, force=force, cluster=cluster,
                                  workdir=scratch, progress=say)
        results[label] = run
        if not as_json:
            click.echo(_line(run))
    failed = [label for label, run in results.items() if run.status != "ok"]
    if as_json:
        echo_json({"study": spec.name, "root": str(root), "states": {
            label: {"status": run.status, "failure": run.failure, "skipped": run.skipped,
                    "directory": str(run.directory), **run.details} for label, run in results.items()}})
    if failed:
        raise CalculationFailed(f"{len(failed)} of {len(results)} oxidation state(s) failed: "
                                + "; ".join(f"{label}: {results[label].failure}" for label in failed))


def _line(run) -> str:
    if run.status != "ok":
        return f"{run.label}: FAILED ({run.directory / 'status.json'}): {run.failure}"
    wall = run.details.get("wall_seconds", {})
    characters = run.details.get("lowest_character", {})
    lowest = ", ".join(f"{name} >= {100 * value:.1f}%" for name, value in characters.items())
    timing = (f"{wall.get('total', 0):.0f} s (integrals {wall.get('integrals', 0):.0f} s, "
              f"CASSCF/RASSI/SINGLE_ANISO {wall.get('casscf', 0):.0f} s)")
    done = "already finished" if run.skipped else "Happy landing"
    return f"{run.label}: ok, {done}, {timing}; active orbitals {lowest}  [{run.directory}]"
