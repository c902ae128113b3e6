"""``adatom-wf resume STUDY``: resubmit what failed, and what depends on it; completed nodes are never redone."""

import click

from adatom_wf.commands.options import graph_options, runs_dir_option, study_argument


@click.command()
@study_argument
@runs_dir_option
@graph_options(executor_default=None)
def command(study, runs_dir, executor, profile, profiles_file, potcar_dir, max_parallel, dry_run, max_hours, nprocs,
            mem_mb, workdir, as_json):
    """Resubmit the failed nodes of STUDY and their descendants, with the executor, profile and OpenMolcas
    settings it last ran with (options given here win). After a TIMEOUT the node restarts from what it left
    (VASP, GPAW: CONTCAR as POSCAR; OpenMolcas: its last RasOrb) with twice the time, up to the profile's max_time.
    With the local executor it runs to the end; exit code 1 when a node failed.
    """
    from adatom_wf.commands.run import show
    from adatom_wf.preflight import load_checked_study
    from adatom_wf.workflow.runner import resume_study

    spec = load_checked_study(study)  # refused as validate refuses it
    report = resume_study(spec, runs_dir, executor=executor, profile=profile, profiles_file=profiles_file,
                          potcar_dir=potcar_dir, max_parallel=max_parallel, dry_run=dry_run, max_hours=max_hours,
                          molcas={"nprocs": nprocs, "mem_mb": mem_mb, "workdir": workdir})
    show(report, spec.name, as_json)
