"""``adatom-wf carve STUDY``: carve the study's hydrogen-capped cluster and write it under runs/<study>/cluster/."""

import click

from adatom_wf.commands.options import echo_json, json_option, runs_dir_option, study_argument


@click.command()
@study_argument
@click.option("--structure", metavar="FILE",
              help="Carve from this supercell (relaxed CONTCAR, vasprun.xml, OUTCAR, any ASE-readable file) "
                   "instead of the study's ideal cell.")
@click.option("--rings", type=int, metavar="N", help="Rings of hexagons around the site (overrides cluster.rings).")
@click.option("--symmetrize/--no-symmetrize", default=None,
              help="Write the exactly symmetrised cluster, or the carved positions as they are "
                   "(default: cluster.symmetrize).")
@runs_dir_option
@json_option
def command(study, structure, rings, symmetrize, runs_dir, as_json):
    """Carve the adatom and its nearest rings of hexagons from STUDY's supercell, capped with hydrogen.

    Writes runs/<study>/cluster/<site>-<rings>/cluster.xyz (extended XYZ, adatom first, symmetry axis z)
    and cluster.json (metadata), and records them in the study's manifest.
    """
    from pathlib import Path

    from adatom_wf.layout import cluster_dir, study_dir
    from adatom_wf.preflight import load_checked_study
    from adatom_wf.structure.cluster import carve_cluster, cluster_files, write_cluster

    spec = load_checked_study(study)
    cluster = carve_cluster(spec, structure, rings=rings, symmetrize=symmetrize)
    root = study_dir(Path(runs_dir), spec)
    manifest = write_cluster(root, spec, cluster)
    files = [str(root / relative) for relative in sorted(cluster_files(cluster))]
    meta = cluster.metadata
    if as_json:
        echo_json({
            **{key: meta[key] for key in (
                "formula", "point_group", "site_point_group", "site", "rings", "carbon_atoms", "hydrogen_atoms",
                "max_symmetry_deviation_angstrom", "symmetry_tolerance_angstrom", "symmetrized",
                "symmetrization_displacement_max_angstrom", "adatom_height_angstrom", "source", "source_sha256")},
            "directory": str(root / cluster_dir(cluster.site, cluster.rings)),
            "files": files,
            "manifest": str(manifest),
        })
        return
    source = "the ideal cell" if meta["source"] == "ideal" else structure
    rings = f"{meta['rings']} ring{'s' if meta['rings'] != 1 else ''}"
    click.echo(f"{meta['formula']}: {rings} of hexagons around the {meta['site']} site, from {source}")
    click.echo(
        f"  point group {meta['point_group']} (pymatgen, tolerance {meta['point_group_tolerance_angstrom']:g} Å); "
        f"largest deviation from {meta['site_point_group']} {meta['max_symmetry_deviation_angstrom']:.4f} Å "
        f"(tolerance {meta['symmetry_tolerance_angstrom']:g} Å)"
    )
    if meta["symmetrized"]:
        click.echo(f"  symmetrised: atoms moved by at most {meta['symmetrization_displacement_max_angstrom']:.4f} Å "
                   f"(rms {meta['symmetrization_displacement_rms_angstrom']:.4f} Å)")
    else:
        click.echo("  not symmetrised: positions as carved")
    click.echo(f"  {meta['adatom']} {meta['adatom_height_angstrom']:.3f} Å above the carbon plane; "
               f"{meta['carbon_atoms']} C, {meta['hydrogen_atoms']} H at C–H {meta['ch_bond_angstrom']:g} Å")
    if meta["source"] == "ideal" and spec.cluster.geometry == "relaxed":
        click.echo("  note: the study asks for the relaxed geometry; pass --structure CONTCAR to carve it")
    for path in files:
        click.echo(f"  wrote {path}")
