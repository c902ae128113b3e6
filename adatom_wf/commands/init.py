"""``adatom-wf init``: write a commented, valid study file for any open-4f lanthanide (adatom_wf.new_study)."""

from pathlib import Path

import click

from adatom_wf.commands.options import echo_json, json_option


@click.command()
@click.option("--adatom", required=True, metavar="SYMBOL", help="The lanthanide, Ce ... Yb (e.g. Dy).")
@click.option("--states", default="3+,2+,1+,0", show_default=True, metavar="LIST",
              help="Oxidation states, comma-separated: 3+, 2+, 1+, 0.")
@click.option("--substrate", default="graphene", show_default=True, type=click.Choice(["graphene"]))
@click.option("--scale", default="demo", show_default=True, type=click.Choice(["demo", "paper"]),
              help="demo: Ln on C6H6 from the ideal cell, minimal basis (minutes); paper: the Tb paper's protocol.")
@click.option("--dft-program", default="vasp", show_default=True, type=click.Choice(["vasp", "gpaw"]),
              help="The relaxations' program: VASP (the paper's), or GPAW (paper scale: plane waves; demo: LCAO).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write the study here (refused if the file exists); default: stdout.")
@json_option
def command(adatom, states, substrate, scale, dft_program, output, as_json):
    """Write a study file for ADATOM in the oxidation states STATES, with comments on what was derived (Hund's
    rules, the paper's active-space scheme), what was carried over from the Tb paper by analogy, and what you
    must decide. The file is validated before it is written.

    \b
    adatom-wf init --adatom Dy --states 3+ | adatom-wf validate -
    adatom-wf init --adatom Er --states 3+,2+ --scale paper -o er_graphene.yaml
    adatom-wf init --adatom Tb --scale paper --dft-program gpaw -o tb_graphene_gpaw.yaml
    """
    import yaml

    from adatom_wf.errors import OutputConflictError
    from adatom_wf.new_study import choose_state, parse_states, study_text
    from adatom_wf.spec import parse_study

    charges = parse_states(adatom, states)
    program = "" if dft_program == "vasp" else f" --dft-program {dft_program}"
    text = study_text(adatom, charges, substrate=substrate, scale=scale, dft_program=dft_program,
                      command=f"adatom-wf init --adatom {adatom} --states {states} --scale {scale}{program}")
    study = parse_study(yaml.safe_load(text), source="the written study")
    if output is not None:
        path = Path(output)
        if path.exists():
            raise OutputConflictError(f"{path} exists; init never overwrites a file (choose another -o)")
        path.write_text(text)
    if as_json:
        echo_json({"name": study.name, "file": output, "sha256": study.sha256(),
                   "oxidation_states": {c.label: {**c.fields, "notes": c.notes}
                                        for c in (choose_state(adatom, q) for q in charges)},
                   **({} if output else {"text": text})})
    elif output is None:
        click.echo(text, nl=False)
    else:
        click.echo(f"{output}: study {study.name}, {adatom} in {', '.join(study.molcas.oxidation_states)} "
                   f"({scale} scale); check it with `adatom-wf validate {output}`")
