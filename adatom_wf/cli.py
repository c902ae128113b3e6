"""The ``adatom-wf`` command line: a thin, lazy Click group.

Each verb lives in its own module under ``adatom_wf.commands`` and is imported only when it runs, so
``adatom-wf --help`` and ``adatom-wf validate`` never import ase, pymatgen, pyscf or h5py. Library code
raises :class:`adatom_wf.errors.AdatomWfError`; :func:`main` turns it into one line on stderr and its
exit code, never a traceback.
"""

import importlib
import sys

import click

from adatom_wf.errors import AdatomWfError

# verb -> (module under adatom_wf.commands, one-line help shown by ``adatom-wf --help``)
COMMANDS = {
    "validate": ("validate", "Check a study file and print its summary."),
    "build": ("build", "Write the VASP inputs of every adsorption site of a study."),
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use."""

    def list_commands(self, ctx):
        return sorted(COMMANDS)

    def get_command(self, ctx, name):
        if name not in COMMANDS:
            return None
        module = importlib.import_module(f"adatom_wf.commands.{COMMANDS[name][0]}")
        return module.command

    def format_commands(self, ctx, formatter):
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="adatom-wf", message="%(prog)s %(version)s")
def cli():
    """adatom-wf: lanthanide adatoms on surfaces, from one study file to their magnetic states.

    A study file (workflows/*.yaml) declares the whole protocol: supercells and VASP inputs,
    the hydrogen-capped cluster, the OpenMolcas calculation per oxidation state, and the analysis.
    """


def main(argv=None):
    try:
        cli.main(args=argv, prog_name="adatom-wf", standalone_mode=False)
    except AdatomWfError as error:
        click.echo(f"adatom-wf: error: {error}", err=True)
        sys.exit(error.exit_code)
    except click.exceptions.Abort:
        click.echo("adatom-wf: aborted", err=True)
        sys.exit(130)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except OSError as error:
        click.echo(f"adatom-wf: error: {error}", err=True)
        sys.exit(2)
    sys.exit(0)
