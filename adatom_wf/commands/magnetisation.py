"""``adatom-wf magnetisation``: M(B, T) powder-averaged or along axes, and χT(T), of a crystal-field pseudospin
(Eq. 1 with its Zeeman term) or of a free spin J (Brillouin)."""

import click

from adatom_wf.commands.options import csv_option, echo_json, json_option, write_csv
from adatom_wf.commands.spectrum import cf_option, crystal_field_states, g_option, g_values, pseudospin_option


@click.command()
@pseudospin_option
@cf_option
@g_option
@click.option("--free-spin-j", "free_spin_text", metavar="J",
              help="Instead of --pseudospin/--cf: a free spin J with --g (Brillouin magnetisation).")
@click.option("--field-t", "field_text", default="0:7:71", show_default=True,
              help="Field magnitudes in T: a list 'a,b,c' or a range 'start:stop:points'.")
@click.option("--temperature-k", "temperature_text", default="2,5,10", show_default=True,
              help="Temperatures in K for M(B): a list or a range 'start:stop:points'.")
@click.option("--axis", "axis_texts", multiple=True, metavar="X,Y,Z",
              help="Field direction for M along an axis; repeat. Default: powder average.")
@click.option("--powder-points", "points_text", default="auto", show_default=True,
              help="Points of a fixed powder grid (Lebedev sizes 6, 14, 26, 38, 50, 74, 86, 110, 146, ...), or 'auto': "
                   "Gauss-Legendre in cos(theta) x equal steps in phi about the main axis, refined until two "
                   "successive grids agree within --powder-tolerance (their change is the reported error).")
@click.option("--powder-tolerance", "tolerance_text", default="1e-5", show_default=True,
              help="With --powder-points auto: largest change allowed between successive grids, relative to max |M| "
                   "(1e-5: 5e-5 muB for Tb3+ at 7 T).")
@click.option("--powder-grid", "grid_kind", default="lebedev", show_default=True,
              help="With a number of --powder-points: 'lebedev' (exact for smooth functions, slow across the kink "
                   "of an Ising doublet) or 'fibonacci' (any number of points).")
@click.option("--chi-temperature-k", "chi_text", default="1:300:100", show_default=True,
              help="Temperatures in K for the zero-field chiT(T) curve.")
@click.option("--data", "data_path", type=click.Path(dir_okay=False), metavar="FILE",
              help="Measured M(B, T) to compare with: a Quantum Design dc/VSM file (moment in emu, field in Oe) or a "
                   "CSV (field_t, magnetisation_mub); the prediction is then computed at its temperatures, from 0 to "
                   "its largest field.")
@click.option("--mass-mg", "mass_text", help="With --data in emu: sample mass in mg (default: SAMPLE_MASS).")
@click.option("--molar-mass-g-mol", "molar_text",
              help="With --data in emu: molar mass in g/mol (default: SAMPLE_MOLECULAR_WEIGHT).")
@json_option
@csv_option
@click.option("--plot", "plot_path", metavar="PATH.png", help="Write M(B) and chiT(T) to PATH.png.")
def command(pseudospin, cf_terms, g_text, free_spin_text, field_text, temperature_text, axis_texts, points_text,
            tolerance_text, grid_kind, chi_text, data_path, mass_text, molar_text, as_json, csv_path, plot_path):
    """Magnetisation M(B, T) in muB per ion and chiT(T) in cm^3 K mol^-1, by exact diagonalisation of the
    multiplet with its Zeeman term along every direction.

    \b
    Examples:
      adatom-wf magnetisation --pseudospin 6 --cf 2,0=-5.375455 --cf 4,0=0.000216 \\
          --cf 6,0=0.000021 --cf 6,6=0.000041 --g 1.508,1.508,1.480 --temperature-k 2,5,10
      adatom-wf magnetisation --free-spin-j 7/2 --g 2 --axis 0,0,1 --json
      adatom-wf magnetisation --free-spin-j 15/2 --g 1.2 --data MvsH.dat --plot m.png   # beside a measurement
    """
    import numpy as np

    from adatom_wf.analysis import values
    from adatom_wf.analysis.magnetism import (
        adaptive_powder_magnetisation_mub,
        chi_t_cm3_k_mol,
        magnetisation_mub,
        powder_magnetisation_mub,
    )
    from adatom_wf.analysis.spectrum import states_from_crystal_field
    from adatom_wf.errors import AnalysisError

    if free_spin_text is not None:
        if pseudospin is not None or cf_terms:
            raise AnalysisError("give either --free-spin-j or --pseudospin with --cf, not both")
        g = g_values(g_text, free_spin_text, "--free-spin-j")
        states, source = states_from_crystal_field(free_spin_text, {}, g=g), f"free spin J = {free_spin_text}"
    else:
        states, source = crystal_field_states(pseudospin, cf_terms, g_text), f"pseudospin S = {pseudospin}"
    convergence = None
    fields = values.grid("--field-t", field_text, "T")
    temperatures = values.grid("--temperature-k", temperature_text, "K")
    measured = None
    if data_path is not None:
        from adatom_wf.analysis.measured import read_magnetisation_data

        measured = read_magnetisation_data(
            data_path, mass_mg=None if mass_text is None else values.number("--mass-mg", mass_text, "mg"),
            molar_mass_g_mol=None if molar_text is None else values.number("--molar-mass-g-mol", molar_text, "g/mol"))
        temperatures = [series.temperature_k for series in measured.series]
        top = max(float(np.abs(series.field_t).max()) for series in measured.series)
        fields = list(np.linspace(0.0, top, 71))
    chi_temperatures = values.grid("--chi-temperature-k", chi_text, "K")
    if axis_texts:
        axes = [values.numbers("--axis", text, "(direction)", count=(3,)) for text in axis_texts]
        curves = magnetisation_mub(states, fields, temperatures, axes)
        labels = [f"axis {','.join(f'{a:g}' for a in axis)}" for axis in axes]
        chi = [chi_t_cm3_k_mol(states, chi_temperatures, direction=axis) for axis in axes]
    elif points_text == "auto":
        if grid_kind != "lebedev":
            raise AnalysisError("--powder-points auto refines its own Gauss-Legendre grids about the main axis; give "
                                f"a number of points with --powder-grid {grid_kind}")
        tolerance = values.number("--powder-tolerance", tolerance_text, "(relative)")
        curve, convergence = adaptive_powder_magnetisation_mub(states, fields, temperatures,
                                                               tolerance_relative=tolerance)
        curves, labels = curve[None], [f"powder ({convergence.n_points} {convergence.kind} points)"]
        chi = [chi_t_cm3_k_mol(states, chi_temperatures)]
    else:
        points = values.number("--powder-points", points_text, "points")
        curves = powder_magnetisation_mub(states, fields, temperatures, n_points=points, kind=grid_kind)[None]
        labels = [f"powder ({int(points)} {grid_kind} points)"]
        chi = [chi_t_cm3_k_mol(states, chi_temperatures)]

    if plot_path:
        from adatom_wf.analysis.plots import plot_magnetisation

        plot_magnetisation(fields, temperatures, curves[0], chi_temperatures, chi[0], plot_path,
                           data=measured.series if measured is not None else ())
    if csv_path:
        write_csv(csv_path, ("temperature_k", "field_t", "magnetisation_mub"),
                  [(t, b, curves[0][i, j]) for j, t in enumerate(temperatures) for i, b in enumerate(fields)])
    result = {
        "source": source,
        "fields_t": fields,
        "temperatures_k": temperatures,
        "magnetisation_mub": {label: np.round(curve, 10).tolist() for label, curve in zip(labels, curves)},
        "chi_t": {"temperatures_k": chi_temperatures,
                  "chi_t_cm3_k_mol": {label: np.round(c, 10).tolist() for label, c in zip(labels, chi)}},
    }
    if convergence is not None:
        result["powder"] = {"label": labels[0], "tolerance_relative": tolerance, **convergence.to_dict()}
    if measured is not None:
        result["data"] = {"file": str(data_path), "mass_mg": measured.mass_mg,
                          "molar_mass_g_mol": measured.molar_mass_g_mol, "skipped_rows": measured.skipped_rows,
                          "series": [{"temperature_k": m.temperature_k, "field_t": m.field_t.tolist(),
                                      "magnetisation_mub": m.magnetisation_mub.tolist()} for m in measured.series]}
        result["comparison"] = _at_largest_field(measured.series, fields, curves[0])
    if as_json:
        echo_json(result)
        return
    click.echo(f"{source}; M in muB per ion (rows: B in T; columns: T in K); {labels[0]}")
    if convergence is not None:
        state = "converged" if convergence.converged else "NOT converged (largest grid reached)"
        click.echo(f"powder grid {state}: max change {convergence.estimated_error_mub:.2g} muB from the previous grid, "
                   f"tolerance {convergence.tolerance_mub:.2g} muB ({tolerance:g} of max |M|)")
    click.echo(f"{'B (T)':>8} " + " ".join(f"{t:>9.3g}K" for t in temperatures))
    for index, field in enumerate(fields):
        click.echo(f"{field:8.3f} " + " ".join(f"{m if abs(m) >= 5e-5 else 0.0:10.4f}" for m in curves[0][index]))
    for row in result.get("comparison", []):
        click.echo(f"at {row['temperature_k']:.2f} K and {row['field_t']:.2f} T: measured {row['measured_mub']:.3f} "
                   f"muB, computed {row['computed_mub']:.3f} muB")
    low, high = chi[0][0], chi[0][-1]
    click.echo(f"chiT = {low:.4g} cm^3 K mol^-1 at {chi_temperatures[0]:g} K, {high:.4g} at {chi_temperatures[-1]:g} K")
    if plot_path:
        click.echo(f"figure: {plot_path}")


def _at_largest_field(series, fields, curve) -> list[dict]:
    """Per measured temperature: M at its largest |B| (mean of M·sign(B) within 0.05 T of it, both sweeps) beside
    the computed M there (interpolated on the prediction's field grid)."""
    import numpy as np

    rows = []
    for index, one in enumerate(series):
        top = float(np.abs(one.field_t).max())
        near = np.abs(np.abs(one.field_t) - top) <= 0.05
        rows.append({"temperature_k": one.temperature_k, "field_t": top,
                     "measured_mub": float(np.mean(one.magnetisation_mub[near] * np.sign(one.field_t[near]))),
                     "computed_mub": float(np.interp(top, fields, curve[:, index]))})
    return rows
