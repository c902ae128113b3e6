"""``adatom-wf ac``: χ′(f) and χ″(f) at each temperature from the master-equation τ(T) of a crystal-field pseudospin
or of stored SO states (generalised Debye with width α), the Cole–Cole plot and the peak temperature of χ″ at
given frequencies."""

import click

from adatom_wf.commands.options import (
    csv_option,
    echo_json,
    json_option,
    stored_state_options,
    two_digits,
    write_csv,
)
from adatom_wf.commands.relaxation import coupling_option, master_equation_model, prefactor_option, source_record
from adatom_wf.commands.spectrum import cf_option, g_option, pseudospin_option


@click.command()
@stored_state_options
@pseudospin_option
@cf_option
@g_option
@coupling_option
@prefactor_option
@click.option("--frequency-hz", "frequency_text", default="0.1:1e5:61", show_default=True,
              help="ac frequencies in Hz: a list, or 'start:stop:points' spaced logarithmically.")
@click.option("--temperature-k", "temperature_text", default="10:60:51", show_default=True,
              help="Temperatures in K: a list or 'start:stop:points' (evenly spaced); also the range searched for "
                   "the peak temperatures.")
@click.option("--alpha", "alpha_text", default="0", show_default=True,
              help="Cole-Cole width alpha in [0, 1) of the distribution of relaxation times (0: one Debye process).")
@click.option("--chi-s-fraction", "chi_s_text", default="0", show_default=True,
              help="Adiabatic susceptibility as a fraction of the isothermal one, chi_S/chi_T in [0, 1).")
@click.option("--peak-frequency-hz", "peak_texts", multiple=True,
              help="Frequency (Hz) whose chi''(T) peak temperature to find; repeat (default 1, 10, 100, 1000, 10000).")
@click.option("--data", "data_path", type=click.Path(dir_okay=False), metavar="FILE",
              help="Fit a measured ac file instead (Quantum Design MPMS3, MPMS-XL, PPMS-ACMS, or a CSV naming its "
                   "units): every temperature and field, tau.csv and figures in --out (docs/analysis.md).")
@click.option("--mass-mg", "mass_text", help="With --data: sample mass in mg (default: the file's SAMPLE_MASS).")
@click.option("--molar-mass-g-mol", "molar_text",
              help="With --data: molar mass in g/mol (default: the file's SAMPLE_MOLECULAR_WEIGHT).")
@click.option("--model", "model_name", default="generalised-debye", show_default=True,
              type=click.Choice(["generalised-debye", "debye", "double-generalised-debye"]),
              help="With --data: the model fitted to each series.")
@click.option("--temperature-tolerance-k", "tolerance_text", default="0.05", show_default=True,
              help="With --data: a new series starts where the temperature steps by more than this.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False),
              help="With --data: folder for tau.csv, cole_cole.png and chi_imag.png (default: <FILE stem>-fit/).")
@json_option
@csv_option
@click.option("--plot", "plot_path", metavar="PATH.png",
              help="Write chi''(f), chi''(T) and the Cole-Cole plot to PATH.png.")
def command(store, label, pseudospin, cf_terms, g_text, coupling, prefactor_text, frequency_text, temperature_text,
            alpha_text, chi_s_text, peak_texts, data_path, mass_text, molar_text, model_name, tolerance_text, out_dir,
            as_json, csv_path, plot_path):
    """ac susceptibility chi'(f), chi''(f) from the master-equation tau(T), with peak temperatures; or, with
    --data, the fits of a measured ac file (tau, alpha, chi_S, chi_T per temperature, as ccfit2 fits them).

    chi_T is the zero-field isothermal susceptibility along the main axis (the axis whose moment the master
    equation relaxes), in cm^3 mol^-1.

    \b
    Example (Tb3+, Table 2):
      adatom-wf ac --pseudospin 6 --cf 2,0=-5.375455 --cf 4,0=0.000216 --cf 6,0=0.000021 \\
          --cf 6,6=0.000041 --g 1.508,1.508,1.480 --plot ac.png
    \b
    Example (the stored ab initio Tb3+ states):
      adatom-wf ac runs/demo_tb_benzene/results.h5 --state Tb3+ --json
    \b
    Example (a measurement; then: adatom-wf relaxation --data er-fit/tau.csv --processes orbach,qtm):
      adatom-wf ac --data er.dat --mass-mg 26.3 --molar-mass-g-mol 542.53 --out er-fit
    """
    if data_path is not None:
        given = [name for name, value in (("STORE", store), ("--state", label), ("--pseudospin", pseudospin),
                                          ("--cf", cf_terms or None), ("--g", g_text), ("--plot", plot_path),
                                          ("--csv", csv_path))
                 if value is not None]
        if given:
            from adatom_wf.errors import AnalysisError

            raise AnalysisError(f"--data fits the measurement alone; {given[0]} belongs to the prediction (put the "
                                "two side by side with `relaxation --data TAU.csv STORE --state X --master-equation`)")
        _measured(data_path, mass_text, molar_text, model_name, tolerance_text, out_dir, as_json)
        return
    from adatom_wf.analysis import values
    from adatom_wf.analysis.ac import ac_susceptibility, check_debye_parameters, peak_temperature_k
    from adatom_wf.analysis.magnetism import chi_t_cm3_k_mol
    from adatom_wf.analysis.master_equation import relaxation_rate_per_s

    states, analysis, model = master_equation_model(store, label, pseudospin, cf_terms, g_text, coupling,
                                                    prefactor_text, "ac")
    frequencies = values.log_grid("--frequency-hz", frequency_text, "Hz")
    temperatures = values.grid("--temperature-k", temperature_text, "K")
    alpha = values.number("--alpha", alpha_text, "(dimensionless)")
    chi_s_fraction = values.number("--chi-s-fraction", chi_s_text, "(dimensionless)")
    check_debye_parameters(alpha, chi_s_fraction)
    peaks_hz = [values.number("--peak-frequency-hz", t, "Hz") for t in peak_texts] or [1.0, 10.0, 100.0, 1e3, 1e4]

    def tau_of(temperature):
        rate = relaxation_rate_per_s(model, temperature)[0]
        return 1 / rate if rate > 0 else float("inf")

    def chi_t_of(temperature):
        return float(chi_t_cm3_k_mol(states, [temperature], direction=analysis.main_axis)[0]) / temperature

    taus = [tau_of(t) for t in temperatures]
    chi_t = [chi_t_of(t) for t in temperatures]
    result = ac_susceptibility(frequencies, temperatures, taus, chi_t, alpha=alpha, chi_s_fraction=chi_s_fraction)
    peaks = [peak_temperature_k(f, tau_of, chi_t_of, (min(temperatures), max(temperatures)), alpha=alpha,
                                chi_s_fraction=chi_s_fraction) for f in peaks_hz]
    found = [p for p in peaks if p is not None]
    if plot_path:
        from adatom_wf.analysis.plots import plot_ac

        at_peaks = ac_susceptibility(peaks_hz, temperatures, taus, chi_t, alpha=alpha, chi_s_fraction=chi_s_fraction)
        plot_ac(frequencies, temperatures, result["chi_real_cm3_mol"], result["chi_imag_cm3_mol"], plot_path,
                peak_frequencies_hz=peaks_hz, peak_chi_imag=at_peaks["chi_imag_cm3_mol"], peaks=found)
    if csv_path:
        write_csv(csv_path, ("temperature_k", "field_oe", "frequency_hz", "chi_real_cm3_mol", "chi_imag_cm3_mol"),
                  [(t, 0.0, f, real, imag) for t, reals, imags in zip(temperatures, result["chi_real_cm3_mol"],
                                                                     result["chi_imag_cm3_mol"])
                   for f, real, imag in zip(frequencies, reals, imags)])
    data = {"frequencies_hz": frequencies, "temperatures_k": temperatures,
            "tau_s": [t if t < float("inf") else None for t in taus], "chi_t_cm3_mol": chi_t,
            "chi_s_fraction": chi_s_fraction, "alpha": alpha, **result,
            "peak_temperatures": [p if p is not None else {"frequency_hz": f, "temperature_k": None}
                                  for f, p in zip(peaks_hz, peaks)],
            "master_equation": {"coupling": model.coupling, "prefactor": model.prefactor},
            "axis": [float(a) + 0.0 for a in analysis.main_axis], "source": source_record(store, label, pseudospin,
                                                                                         cf_terms)}
    if as_json:
        echo_json(data)
        return
    click.echo(f"ac susceptibility from the master equation ({coupling} coupling, prefactor {model.prefactor:g}); "
               f"alpha {alpha:g}, chi_S/chi_T {chi_s_fraction:g}; chi in cm^3 mol^-1 along the main axis")
    for frequency, peak in zip(peaks_hz, peaks):
        if peak is None:
            click.echo(f"{frequency:10g} Hz: chi'' peak outside {min(temperatures):g}-{max(temperatures):g} K")
        else:
            one = peak["omega_tau_one_temperature_k"]
            click.echo(f"{frequency:10g} Hz: chi'' peaks at {peak['temperature_k']:.3f} K "
                       f"({peak['chi_imag_cm3_mol']:.4g} cm^3 mol^-1); omega tau = 1 at "
                       + ("-" if one is None else f"{one:.3f} K"))
    click.echo(f"{'T (K)':>9} {'tau (s)':>11} {'chi_T':>10} {'f_peak (Hz)':>12}")
    import math

    for temperature, tau, static in zip(temperatures, taus, chi_t):
        f_peak = "-" if not math.isfinite(tau) else f"{1 / (2 * math.pi * tau):.4g}"
        click.echo(f"{temperature:9.3f} {tau:11.4g} {static:10.4g} {f_peak:>12}")
    if plot_path:
        click.echo(f"figure: {plot_path}")


def _measured(data_path, mass_text, molar_text, model_name, tolerance_text, out_dir, as_json):
    """``ac --data``: read, fit every series, write tau.csv and the two figures, print or --json the fits."""
    from pathlib import Path

    from adatom_wf.analysis import values
    from adatom_wf.analysis.ac_fit import fit_series, tau_table
    from adatom_wf.analysis.measured import read_ac_data
    from adatom_wf.analysis.plots import plot_ac_fits
    from adatom_wf.manifest import atomic_write

    data = read_ac_data(
        data_path, mass_mg=None if mass_text is None else values.number("--mass-mg", mass_text, "mg"),
        molar_mass_g_mol=None if molar_text is None else values.number("--molar-mass-g-mol", molar_text, "g/mol"),
        temperature_tolerance_k=values.number("--temperature-tolerance-k", tolerance_text, "K"))
    fits = [fit for series in data.series for fit in fit_series(series, model_name)]
    out = Path(out_dir) if out_dir else Path(f"{Path(data_path).stem}-fit")
    out.mkdir(parents=True, exist_ok=True)
    atomic_write(out / "tau.csv", tau_table(fits).encode())
    figures = plot_ac_fits(data.series, fits, out / "cole_cole.png", out / "chi_imag.png")
    files = [str(out / "tau.csv")] + [str(path) for path in figures]
    if as_json:
        echo_json({"data": str(data_path), "model": model_name, "mass_mg": data.mass_mg,
                   "molar_mass_g_mol": data.molar_mass_g_mol, "unit": data.unit, "skipped_rows": data.skipped_rows,
                   "fits": [{"temperature_k": f.temperature_k, "field_oe": f.field_oe, "process": f.process,
                             "tau_s": f.tau_s, "tau_s_err": f.tau_s_err, "alpha": f.alpha, "alpha_err": f.alpha_err,
                             "chi_s": f.chi_s, "chi_s_err": f.chi_s_err, "chi_t": f.chi_t, "chi_t_err": f.chi_t_err,
                             "sigma_ln_tau": f.sigma_ln_tau, "in_window": f.in_window} for f in fits],
                   "files": files})
        return
    click.echo(f"{data_path}: {len(data.series)} series, {model_name}; chi in cm^3 mol^-1 (mass {data.mass_mg:g} mg, "
               f"molar mass {data.molar_mass_g_mol:g} g/mol)" if data.unit != "cm3/mol" else
               f"{data_path}: {len(data.series)} series, {model_name}; chi in cm^3 mol^-1")
    if data.skipped_rows:
        click.echo(f"{data.skipped_rows} row(s) skipped: a needed value empty, or the row cut short (a truncated file)")
    click.echo(f"{'T (K)':>8} {'H (Oe)':>9} {'tau (s)':>11} {'± (s)':>9} {'alpha':>6} {'±':>6} {'chi_S':>7} "
               f"{'chi_T':>7}")
    for f in fits:
        note = "" if f.in_window else "  (1/tau outside the measured frequencies: not in tau.csv)"
        click.echo(f"{f.temperature_k:8.2f} {f.field_oe:9.1f} {f.tau_s:11.4g} {two_digits(f.tau_s_err):>9} "
                   f"{f.alpha:6.3f} {two_digits(f.alpha_err):>6} {f.chi_s:7.3f} {f.chi_t:7.3f}{note}")
    for path in files:
        click.echo(f"wrote {path}")


