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
    "spectrum": ("spectrum", "Levels, doublets by |Jz|, g, E_ZFS, E_MAB and U_eff of a crystal-field pseudospin."),
    "relaxation": ("relaxation", "Relaxation time tau(T), blocking temperatures, and fits of tau(T) data."),
    "magnetisation": ("magnetisation", "M(B, T) powder-averaged or along axes, and chiT(T), of a pseudospin."),
    "zeeman": ("zeeman", "Zeeman diagram: levels vs field or angle, crossings and avoided-crossing gaps."),
    "ac": ("ac", "ac susceptibility chi'(f), chi''(f) and Cole-Cole plot from the master-equation tau(T)."),
    "deflection": ("deflection", "Stern-Gerlach deflection profiles, and the moment from a mean deflection."),
    "init": ("init", "Write a commented study file for any lanthanide, with the derived active spaces."),
    "validate": ("validate", "Check a study file and print its summary and each oxidation state's cost."),
    "build": ("build", "Write the VASP (or GPAW) inputs of every adsorption site of a study."),
    "molcas": ("molcas", "Render the OpenMolcas inputs of every oxidation state of a study."),
    "run": ("run", "Run a study's graph, locally or on Slurm (default: the Tb/benzene demo)."),
    "carve": ("carve", "Carve the hydrogen-capped adatom cluster from the ideal or a relaxed supercell."),
    "status": ("status", "Show every node of a study's graph: state, job id, reason."),
    "resume": ("resume", "Resubmit the failed nodes of a study and what depends on them."),
    "parse": ("parse", "Parse finished or failed runs (a study's, or run directories) into one HDF5 store."),
    "show": ("show", "Show what a results store holds (--json for every stored number)."),
    "report": ("report", "Tables and figures of the paper (Table 1, Table 2 with configurations, spin gaps, E vs <Jz>, "
                         "barriers) from a store."),
    "node": ("node", "(internal) Run one node of a study's graph; called by its job script."),
}
HIDDEN = {"node"}  # callable, but not listed by --help


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
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx) if name not in HIDDEN]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="adatom-wf", message="%(prog)s %(version)s")
def cli():
    """adatom-wf: lanthanide adatoms on surfaces, from one study file to their magnetic states.

    A study file (workflows/*.yaml) declares the whole protocol: supercells and VASP (or GPAW) inputs,
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
