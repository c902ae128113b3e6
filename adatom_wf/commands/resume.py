"""``adatom-wf resume STUDY``: resubmit what failed, and what depends on it; completed nodes are never redone."""

import click

from adatom_wf.commands.options import echo_json, json_option, runs_dir_option, study_argument


@click.command()
@study_argument
@runs_dir_option
@click.option("--executor", type=click.Choice(["local", "slurm"]), default=None,
              help="Default: the executor the study last ran with.")
@click.option("--profile", default=None, help="Cluster profile (default: the one the study last ran with).")
@click.option("--profiles", "profiles_file", type=click.Path(dir_okay=False), default=None,
              help="Profiles file (default: $ADATOM_WF_PROFILES or ~/.config/adatom-wf/profiles.yaml).")
@click.option("--potcar-dir", type=click.Path(), default=None, help="POTCAR library (default: PMG_VASP_PSP_DIR).")
@click.option("--jobs", "max_parallel", type=int, default=None, help="Local executor: nodes at once.")
@click.option("--dry-run", is_flag=True, help="Print the plan and write the scripts; submit nothing.")
@json_option
def command(study, runs_dir, executor, profile, profiles_file, potcar_dir, max_parallel, dry_run, as_json):
    """Resubmit the failed nodes of STUDY and their descendants. After a TIMEOUT the node restarts from what
    it left (VASP: CONTCAR as POSCAR; OpenMolcas: its last RasOrb) with twice the time, up to the profile's
    max_time. With the local executor it runs to the end and exits 1 if a node failed.
    """
    from dataclasses import asdict

    from adatom_wf.spec import load_study
    from adatom_wf.workflow.runner import format_report, resume_study

    spec = load_study(study)
    report = resume_study(spec, runs_dir, executor=executor, profile=profile, profiles_file=profiles_file,
                          potcar_dir=potcar_dir, max_parallel=max_parallel, dry_run=dry_run)
    if as_json:
        echo_json(asdict(report))
    else:
        for line in format_report(report):
            click.echo(line)
    if any(outcome != "ok" for outcome in report.outcome.values()):  # local executor: a node failed
        raise SystemExit(1)
