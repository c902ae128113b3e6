"""Options shared by several verbs, so every verb spells them the same way."""

import json
from pathlib import Path

import click

study_argument = click.argument("study", metavar="STUDY")
runs_dir_option = click.option(
    "--runs-dir",
    type=click.Path(file_okay=False),
    default="runs",
    show_default=True,
    envvar="ADATOM_WF_RUNS",
    help="Folder under which each study writes runs/<study name>/ (env ADATOM_WF_RUNS).",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print the result as JSON on stdout.")
csv_option = click.option("--csv", "csv_path", type=click.Path(dir_okay=False), metavar="PATH.csv",
                          help="Also write the prediction as CSV in the layout --data reads (docs/analysis.md).")


def write_csv(path, header, rows) -> None:
    """A prediction as CSV (header line, "," separated, repr of each float): what the verbs' --data reads back."""
    from adatom_wf.manifest import atomic_write

    lines = [",".join(header)] + [",".join(repr(float(value)) for value in row) for row in rows]
    atomic_write(Path(path), ("\n".join(lines) + "\n").encode())
    click.echo(f"wrote {path}", err=True)


def graph_options(*, executor_default):
    """The options of the verbs that run the graph (run, resume), with one type and meaning each. Only ``run``
    (``executor_default`` given) reads MOLCAS_NPROCS/MOLCAS_MEM from the environment: ``resume`` keeps the
    settings of the run it continues unless they are given on its command line."""
    fresh = executor_default is not None
    last = "" if fresh else "the value of the run resumed, else "
    options = [
        click.option("--executor", type=click.Choice(["local", "slurm"]), default=executor_default,
                     show_default=executor_default is not None,
                     help="Run the graph here, or submit it to Slurm and return at once"
                          + ("." if executor_default else " (default: the executor the study last ran with).")),
        click.option("--profile", default=None,
                     help="Cluster profile name (docs/execution.md); needed for slurm"
                          + ("." if executor_default else " (default: the one the study last ran with).")),
        click.option("--profiles", "profiles_file", type=click.Path(dir_okay=False), default=None,
                     help="Profiles file (default: $ADATOM_WF_PROFILES or ~/.config/adatom-wf/profiles.yaml)."),
        click.option("--potcar-dir", type=click.Path(), default=None,
                     help="POTCAR library for the VASP nodes (default: PMG_VASP_PSP_DIR)."),
        click.option("--jobs", "max_parallel", type=click.IntRange(1, 256), default=None,
                     help="Local executor: nodes run at once (default: cores / OpenMolcas processes per node)."),
        click.option("--dry-run", is_flag=True,
                     help="Print the plan (each OpenMolcas node with its estimate) and write the job scripts; run or "
                          "submit nothing. What a real run would refuse for want of a VASP command is a warning here."),
        click.option("--max-hours", type=click.FloatRange(0, min_open=True), default=None,
                     help="Local executor: refuse an OpenMolcas state whose estimate (its node and pre-run, one core) "
                          "is longer than this, before anything runs (a state whose memory estimate exceeds this "
                          "machine's is refused always)."),
        click.option("--nprocs", type=click.IntRange(1, 1024), default=None, envvar="MOLCAS_NPROCS" if fresh else None,
                     help="Cores per OpenMolcas node (MOLCAS_NPROCS"
                          + (", also read from the environment" if fresh else "")
                          + f"; OpenMP threads of Debian's serial build); default: {last}the profile's molcas.nprocs "
                          "(1 without a profile)."),
        click.option("--mem-mb", type=click.IntRange(256, 10_000_000), default=None,
                     envvar="MOLCAS_MEM" if fresh else None,
                     help="Memory per OpenMolcas process in MB (MOLCAS_MEM"
                          + (", also read from the environment" if fresh else "")
                          + f"); default: {last}the profile's molcas.mem_mb, else twice each state's cost estimate "
                          "(at least 2000; docs/execution.md)."),
        click.option("--workdir", type=click.Path(file_okay=False), default=None,
                     help="Scratch root ($MOLCAS_WORKDIR); each OpenMolcas node uses <workdir>/<study>/<node>. "
                          f"Default: {last}the profile's molcas.workdir, else the node's directory/scratch."),
        json_option,
    ]

    def decorate(function):
        for option in reversed(options):
            function = option(function)
        return function
    return decorate


def stored_state_options(function):
    """``[STORE.h5]`` and ``--state LABEL``: an analysis verb's stored SO states instead of --pseudospin/--cf/--g."""
    function = click.option("--state", "label", metavar="LABEL",
                            help="With STORE: the oxidation state (e.g. Tb3+) whose stored SO states (from "
                                 "'adatom-wf parse') to use.")(function)
    return click.argument("store", required=False, metavar="[STORE.h5]")(function)


def two_digits(value) -> str:
    """An uncertainty or a fitted number as the verbs' tables print it: two significant digits, "-" for none."""
    return "-" if value is None else f"{value:.2g}"


def echo_json(data) -> None:
    click.echo(json.dumps(data, indent=2, sort_keys=True))


def load_molcas_study(study: str, states) -> tuple:
    """The study and the oxidation-state labels asked for (every state when none), or a SpecError."""
    from adatom_wf.errors import SpecError
    from adatom_wf.preflight import check_labels, load_checked_study

    spec = load_checked_study(study)
    if spec.molcas is None:
        raise SpecError(f"study {spec.name} has no molcas section")
    return spec, check_labels(spec, states) or list(spec.molcas.oxidation_states)
