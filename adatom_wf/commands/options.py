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
