"""``adatom-wf run [STUDY]``: run a study's graph locally (the default) or submit it to Slurm.

Without --state/--structure/--force the study's whole graph runs (adatom_wf.workflow.runner), with
its state files under runs/<study>/workflow/, so ``status`` and ``resume`` see it. With one of those
options the OpenMolcas states run directly here, one after another (adatom_wf.molcas.node).
"""

from pathlib import Path

import click

from adatom_wf.commands.options import echo_json, json_option, load_molcas_study, runs_dir_option

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
@click.option("--executor", type=click.Choice(["local", "slurm"]), default="local", show_default=True,
              help="Run the graph here, or submit it to Slurm and return at once.")
@click.option("--profile", default=None, help="Cluster profile name (docs/execution.md); needed for slurm.")
@click.option("--profiles", "profiles_file", type=click.Path(dir_okay=False), default=None,
              help="Profiles file (default: $ADATOM_WF_PROFILES or ~/.config/adatom-wf/profiles.yaml).")
@click.option("--dry-run", is_flag=True, help="Print the plan and write the job scripts; run or submit nothing.")
@click.option("--jobs", type=click.IntRange(1, 256), default=None,
              help="Local executor: nodes run at once (default: cores / OpenMolcas processes per node).")
@click.option("--potcar-dir", type=click.Path(), default=None, help="POTCAR library for the VASP nodes.")
@json_option
def command(study, runs_dir, states, structure, nprocs, mem_mb, workdir, force, executor, profile, profiles_file,
            dry_run, jobs, potcar_dir, as_json):
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

    spec, labels = load_molcas_study(study, states)
    root = study_dir(Path(runs_dir), spec)
    if not (states or structure or force):
        _run_graph(spec, runs_dir, executor=executor, profile=profile, profiles_file=profiles_file,
                   dry_run=dry_run, jobs=jobs, potcar_dir=potcar_dir, as_json=as_json)
        return
    if executor != "local" or dry_run:
        raise SpecError("--state, --structure and --force run OpenMolcas here: drop them to use "
                        "--executor slurm or --dry-run on the whole graph")
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


def _run_graph(spec, runs_dir, *, as_json, jobs, **options):
    """The study's whole graph; input errors surface before anything is written or submitted."""
    import dataclasses

    from adatom_wf.molcas.basis import basis_library_dir, check_basis
    from adatom_wf.molcas.node import CalculationFailed
    from adatom_wf.workflow.runner import format_report, run_study

    check_basis(spec.molcas.basis, sorted({spec.adatom, "C", "H"}), basis_library_dir())
    report = run_study(spec, runs_dir, max_parallel=jobs, **options)
    if as_json:
        echo_json(dataclasses.asdict(report))
    else:
        for line in format_report(report):
            click.echo(line)
    failed = sorted(name for name, outcome in report.outcome.items() if outcome != "ok")
    if failed:
        raise CalculationFailed(f"{len(failed)} node(s) did not finish: {', '.join(failed)}; "
                                f"see `adatom-wf status {spec.name}` and `adatom-wf resume`")


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
