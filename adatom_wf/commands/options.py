"""Options shared by several verbs, so every verb spells them the same way."""

import json

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


def echo_json(data) -> None:
    click.echo(json.dumps(data, indent=2, sort_keys=True))


def load_molcas_study(study: str, states) -> tuple:
    """The study and the oxidation-state labels asked for (every state when none), or a SpecError."""
    from adatom_wf.errors import SpecError
    from adatom_wf.spec import load_study

    spec = load_study(study)
    if spec.molcas is None:
        raise SpecError(f"study {spec.name} has no molcas section")
    unknown = [label for label in states if label not in spec.molcas.oxidation_states]
    if unknown:
        raise SpecError(f"oxidation state {unknown[0]!r} is not defined in study {spec.name}; "
                        f"its oxidation states: {', '.join(spec.molcas.oxidation_states)}")
    return spec, list(dict.fromkeys(states)) or list(spec.molcas.oxidation_states)
