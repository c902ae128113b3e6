"""``adatom-wf build STUDY``: the VASP (or GPAW) inputs of every adsorption site, under runs/<study>/dft/<site>/."""

from pathlib import Path

import click

from adatom_wf.commands.options import echo_json, json_option, runs_dir_option, study_argument
from adatom_wf.preflight import load_checked_study


@click.command()
@study_argument
@runs_dir_option
@click.option(
    "--potcar-dir",
    type=click.Path(),
    default=None,
    help="Your licensed VASP POTCAR library (default: PMG_VASP_PSP_DIR). Without one, POTCAR.spec is written. "
         "Not used with dft.program: gpaw.",
)
@click.option("--site", "sites", multiple=True, help="Build only this site (repeatable; default: every site).")
@json_option
def command(study, runs_dir, potcar_dir, sites, as_json):
    """Write POSCAR, INCAR, KPOINTS and POTCAR of every site of STUDY, and runs/<study>/manifest.json.

    With dft.program: gpaw, POSCAR and gpaw.json per site and the generated PAW setups in dft/setups/.
    """
    from adatom_wf.errors import SpecError

    spec = load_checked_study(study)  # before the heavy imports: a bad study fails fast
    unknown = [s for s in sites if s not in spec.sites]
    if unknown:
        raise SpecError(f"site {unknown[0]!r} is not in study {spec.name}; its sites: {', '.join(spec.sites)}")

    from adatom_wf.layout import site_dir, study_dir
    from adatom_wf.manifest import write_stage

    files, record = {}, {"sites": {}}
    if spec.dft.program == "gpaw":  # gpaw.json and POSCAR per site, the generated setups once (docs/gpaw.md)
        from adatom_wf.gpaw.inputs import GPAW_RESULTS as results
        from adatom_wf.gpaw.inputs import setup_files, site_files

        library = None
        for site in sites or list(spec.sites):
            written, record["sites"][site] = site_files(spec, site)
            files.update(written)
        files.update(setup_files(spec))
    else:
        from adatom_wf.vasp.inputs import VASP_RESULTS as results
        from adatom_wf.vasp.inputs import potcar_library, site_files

        library = potcar_library(potcar_dir)
        for site in sites or list(spec.sites):
            written, record["sites"][site] = site_files(spec, site, library)
            files.update(written)
    root = study_dir(Path(runs_dir), spec)
    manifest = write_stage(root, "build", spec, files, record, results=results)
    if library is not None:  # VASP with a POTCAR library
        for site in record["sites"]:
            (root / site_dir(site) / "POTCAR.spec").unlink(missing_ok=True)
    missing = sorted({p for site in record["sites"].values() for p in site["potcars"]}) \
        if library is None and spec.dft.program == "vasp" else []
    if as_json:
        echo_json({"study": spec.name, "root": str(root), "manifest": str(manifest), "sites": record["sites"],
                   "missing_potcars": missing})
        return
    for site, meta in record["sites"].items():
        names = sorted(Path(rel).name for rel in files if rel.startswith(f"{site_dir(site)}/"))
        click.echo(
            f"{site}: {root / site_dir(site)}  {spec.adatom} at {meta['height_angstrom']:g} Å, {meta['point_group']}, "
            f"{meta['natoms']} atoms, image distance {meta['adatom_image_distance_angstrom']:.2f} Å  "
            f"[{' '.join(names)}]"
        )
    if missing:
        click.echo(
            f"POTCAR not written: no POTCAR library (pass --potcar-dir or set PMG_VASP_PSP_DIR); "
            f"missing {spec.dft.potcar_functional} potentials: {', '.join(missing)} (listed in each POTCAR.spec)"
        )
    click.echo(f"manifest: {manifest}")
