"""``adatom-wf relaxation``: τ(T) = [τ0⁻¹ exp(−U_eff/kT) + C Tⁿ + B_R H² T⁷ + τ_QTM⁻¹ + A Hᵐ T]⁻¹, blocking
temperatures for given observation times, and fits of measured τ(T) with the same model; or, with
``--master-equation``, τ(T) from one-phonon rates between the levels of a crystal-field pseudospin or of stored SO
states (analysis/master_equation.py)."""

from pathlib import Path

import click

from adatom_wf.commands.options import csv_option, echo_json, json_option, two_digits, write_csv
from adatom_wf.commands.spectrum import cf_option, g_option, pseudospin_option

coupling_option = click.option(
    "--coupling", type=click.Choice(["quadrupole", "moment"]), default="quadrupole", show_default=True,
    help="Master equation, what the phonon couples to. 'quadrupole': an isotropic rank-2 strain modulating the "
         "crystal field, |V_ij|^2 = sum_ab |<i|T_ab|j>|^2 with T_ab the traceless {J_a, J_b}/2 (time-even, as a "
         "lattice vibration is: it never links the two states of a Kramers doublet; the one-phonon Orbach "
         "mechanism). 'moment': |V_ij|^2 = sum_a |<i|mu_a|j>|^2, the magnetic-dipole transition moments the barrier "
         "figures draw: a selection rule made into rates, not a spin-phonon mechanism (time-odd; kept to compare "
         "with SINGLE_ANISO's relaxation-path picture).")
prefactor_option = click.option(
    "--phonon-prefactor", "prefactor_text", default="1", show_default=True,
    help="Master equation: c of W = c |V|^2 |Delta|^3 (n+1 or n), in s^-1 cm^3 per unit |V|^2; tau scales as 1/c.")


def master_equation_model(store, label, pseudospin, cf_terms, g_text, coupling, prefactor_text, verb):
    """(states, spectrum analysis, MasterEquation) from the verb's state options."""
    from adatom_wf.analysis import values
    from adatom_wf.analysis.master_equation import master_equation
    from adatom_wf.analysis.spectrum import analyse_spectrum
    from adatom_wf.commands.spectrum import load_states

    states = load_states(store, label, pseudospin, cf_terms, g_text, verb=verb)
    analysis = analyse_spectrum(states)
    model = master_equation(states, analysis, coupling=coupling,
                            prefactor=values.number("--phonon-prefactor", prefactor_text, "s^-1 cm^3"))
    return states, analysis, model


def source_record(store, label, pseudospin, cf_terms) -> dict:
    from adatom_wf.analysis import values

    if store is not None:
        return {"store": store, "state": label}
    return {"pseudospin": str(pseudospin),
            "cf_parameters_cm1": {f"{k},{q}": b for (k, q), b in values.cf_parameters(cf_terms).items()}}


def _master_equation_command(store, label, pseudospin, cf_terms, g_text, coupling, prefactor_text, temperature_text,
                             observation_texts, as_json, plot_path, csv_path):
    from adatom_wf.analysis import values
    from adatom_wf.analysis.master_equation import master_equation_relaxation, relaxation_rate_per_s
    from adatom_wf.analysis.relaxation import HYSTERESIS_TIME_S, STERN_GERLACH_FLIGHT_TIME_S, crossing_temperature_k

    _, analysis, model = master_equation_model(store, label, pseudospin, cf_terms, g_text, coupling, prefactor_text,
                                               "relaxation")
    temperatures = values.grid("--temperature-k", temperature_text or "2:100:50", "K")
    result = master_equation_relaxation(model, temperatures)

    def tau_of(temperature):
        rate = relaxation_rate_per_s(model, temperature)[0]
        return 1 / rate if rate > 0 else float("inf")

    observations = [values.number("--observation-time-s", t, "s") for t in observation_texts] or [
        HYSTERESIS_TIME_S, STERN_GERLACH_FLIGHT_TIME_S]
    blocking = [crossing_temperature_k(tau_of, t) for t in observations]
    result.update(u_eff_rule_cm1=analysis.u_eff_cm1, u_eff_rule_mechanism=analysis.relaxation_path["mechanism"],
                  states_cm1=[float(e) for e in model.energies_cm1],
                  states_jz=[round(float(j), 6) + 0.0 for j in model.jz])
    taus = [row["tau_s"] for row in result["rows"]]
    if csv_path:
        write_tau_csv(csv_path, temperatures, taus)
    if plot_path:
        from adatom_wf.analysis.plots import plot_relaxation

        plot_relaxation(temperatures, [float("nan") if t is None else t for t in taus], plot_path,
                        observation_times_s=observations, blocking_k=blocking)
    data = {"master_equation": result, "temperatures_k": list(temperatures), "tau_s": taus,
            "blocking_temperatures_k": [{"observation_time_s": t, "temperature_k": b}
                                        for t, b in zip(observations, blocking)],
            "source": source_record(store, label, pseudospin, cf_terms)}
    if as_json:
        echo_json(data)
        return
    fit = result["arrhenius"]
    click.echo(f"master equation ({coupling} coupling, prefactor {model.prefactor:g} s^-1 cm^3) over "
               f"{model.energies_cm1.size} states; U_eff rule: {analysis.u_eff_cm1:.2f} cm^-1 "
               f"({analysis.relaxation_path['mechanism']})")
    if fit is not None:
        click.echo(f"Arrhenius fit over {temperatures[0]:g}-{temperatures[-1]:g} K: "
                   f"U_eff = {fit['u_eff_cm1']:.1f} cm^-1, "
                   f"tau0 = {fit['tau0_s']:.3g} s")
    for entry in data["blocking_temperatures_k"]:
        where = "never blocked" if entry["temperature_k"] is None else f"T_B = {entry['temperature_k']:.3g} K"
        click.echo(f"observation time {entry['observation_time_s']:g} s: {where}")
    click.echo(f"{'T (K)':>9} {'tau (s)':>11} {'U_local':>9} {'path top':>9}  dominant path (<Jz>)")
    for row in result["rows"]:
        tau = "inf" if row["tau_s"] is None else f"{row['tau_s']:.4g}"
        local = "-" if row["local_barrier_cm1"] is None else f"{row['local_barrier_cm1']:.1f}"
        path = row["pathway"]
        top = "-" if path is None else f"{path['top_energy_cm1']:.1f}"
        steps = "" if path is None else " -> ".join(f"{j:+.1f}" for j in path["jz"])
        click.echo(f"{row['temperature_k']:9.3f} {tau:>11} {local:>9} {top:>9}  {steps}")
    if plot_path:
        click.echo(f"figure: {plot_path}")


def _data_command(data_path, processes_text, guess_texts, prediction, temperature_text, as_json, plot_path,
                  csv_path):
    """``relaxation --data``: the processes fitted to measured τ(T), and the ab initio prediction beside it."""
    import numpy as np

    from adatom_wf.analysis import values
    from adatom_wf.analysis.measured import read_tau_data
    from adatom_wf.analysis.relaxation_fit import fit_processes, parse_processes, rate_per_s
    from adatom_wf.analysis.units import K_B_CM1_PER_K
    from adatom_wf.errors import AnalysisError

    processes = parse_processes(processes_text)
    guesses = {}
    for text in guess_texts:
        name, _, value = text.partition("=")
        if not value:
            raise AnalysisError(f"--guess {text!r}: write NAME=VALUE, e.g. --guess u_eff=150")
        guesses[name.strip()] = values.number(f"--guess {name.strip()}", value, "(its unit)")
    tau = read_tau_data(data_path)
    measured_tau = np.exp(tau.ln_tau)
    fit = fit_processes(tau.temperature_k, measured_tau, processes, sigma_log10_rate=tau.log10_rate_sigma(),
                        guesses=guesses)
    low, high = float(tau.temperature_k.min()), float(tau.temperature_k.max())
    grid = values.grid("--temperature-k", temperature_text or f"{low!r}:{high!r}:60", "K")
    fitted_tau = 1.0 / rate_per_s(fit.values, grid)
    result = {"data": str(data_path), "fit": fit.as_json(),
              "points": [{"temperature_k": float(t), "tau_s": float(v)}
                         for t, v in zip(tau.temperature_k, measured_tau)],
              "temperatures_k": list(map(float, grid)), "fit_tau_s": list(map(float, fitted_tau))}
    curves = {f"fit: {'+'.join(processes)}": fitted_tau}
    if prediction is not None:
        from adatom_wf.analysis.master_equation import relaxation_rate_per_s

        store, label, pseudospin, cf_terms, g_text, coupling, prefactor_text = prediction
        _, analysis, model = master_equation_model(store, label, pseudospin, cf_terms, g_text, coupling,
                                                   prefactor_text, "relaxation")
        rates = [relaxation_rate_per_s(model, float(t))[0] for t in grid]
        predicted = [1 / r if r > 0 else float("inf") for r in rates]
        group = analysis.groups[analysis.relaxation_path["group"]]
        result["prediction"] = {
            "source": source_record(store, label, pseudospin, cf_terms), "u_eff_cm1": analysis.u_eff_cm1,
            "u_eff_k": analysis.u_eff_cm1 / K_B_CM1_PER_K, "mechanism": analysis.relaxation_path["mechanism"],
            "climbs_to": {"energy_cm1": analysis.relaxation_path["energy_cm1"], "jz_abs": group.jz_abs},
            "phonon_prefactor": model.prefactor, "tau_s": [None if not np.isfinite(t) else float(t) for t in predicted]}
        curves[f"ab initio master equation (prefactor {model.prefactor:g})"] = np.array(predicted)
    if csv_path:  # the prediction, else the fitted curve
        write_tau_csv(csv_path, grid, result["prediction"]["tau_s"] if prediction is not None else fitted_tau)
    if plot_path:
        from adatom_wf.analysis.plots import plot_relaxation_comparison

        sigma = tau.log10_rate_sigma()
        plot_relaxation_comparison(tau.temperature_k, measured_tau, None if sigma is None else sigma * np.log(10),
                                   grid, curves, plot_path)
        result["figure"] = str(plot_path)
    if as_json:
        echo_json(result)
        return
    f = result["fit"]
    click.echo(f"{data_path}: {fit.points} points, {'+'.join(processes)}, rms log10 residual "
               f"{fit.rms_log10_residual:.3g}" + (" (weighted by sigma(ln tau))" if tau.log10_rate_sigma() is not None
                                                 else ""))
    for name, value in fit.values.items():
        error = fit.errors[name]
        click.echo(f"  {name:6s} = {value:.6g} ± {'-' if error is None else f'{error:.2g}'}")
    if "u_eff_k" in f:
        click.echo(f"measured: U_eff = {f['u_eff_k']:.1f} ± {two_digits(f['u_eff_k_err'])} K = {f['u_eff_cm1']:.1f} ± "
                   f"{two_digits(f['u_eff_cm1_err'])} cm^-1, tau0 = {f['tau0_s']:.3g} s")
    if "prediction" in result:
        p = result["prediction"]
        click.echo(f"computed: U_eff = {p['u_eff_k']:.1f} K = {p['u_eff_cm1']:.1f} cm^-1 ({p['mechanism']}; climbs to "
                   f"|Jz| = {p['climbs_to']['jz_abs']:g} at {p['climbs_to']['energy_cm1']:.1f} cm^-1)")
    if plot_path:
        click.echo(f"figure: {plot_path}")


def write_tau_csv(path, temperatures, taus) -> None:
    """τ(T) as the rows ``relaxation --data`` reads ("T (K)", "tau (s)"); temperatures where nothing relaxes
    (τ infinite or None) are left out."""
    import math

    write_csv(path, ("T (K)", "tau (s)"), [(t, tau) for t, tau in zip(temperatures, taus)
                                         if tau is not None and math.isfinite(tau)])


def _read_tau_table(path: str):
    """(T in K, τ in s) columns from a text/CSV file: comma or whitespace separated, '#' comments."""
    import numpy as np

    from adatom_wf.errors import AnalysisError

    try:
        text = Path(path).read_text()
    except OSError as error:
        raise AnalysisError(f"--fit: cannot read {path!r}: {error.strerror}") from None
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        content = line.split("#", 1)[0].replace(",", " ").split()
        if not content:
            continue
        try:
            rows.append([float(value) for value in content])
        except ValueError:
            raise AnalysisError(
                f"--fit: line {number} of {path} is not two numbers 'T_K tau_s': {line.strip()!r}"
            ) from None
        if len(content) != 2:
            raise AnalysisError(f"--fit: line {number} of {path} has {len(content)} columns; expected 'T_K tau_s'")
    table = np.array(rows)
    if table.size == 0:
        raise AnalysisError(f"--fit: {path} holds no (T, tau) rows")
    return table[:, 0], table[:, 1]


@click.command()
@click.argument("store", required=False, metavar="[STORE.h5]")
@click.option("--state", "label", metavar="LABEL",
              help="With STORE and --master-equation: the oxidation state whose stored SO states to use.")
@click.option("--master-equation", is_flag=True,
              help="tau(T) from one-phonon rates between the levels of --pseudospin/--cf/--g or STORE --state.")
@pseudospin_option
@cf_option
@g_option
@coupling_option
@prefactor_option
@click.option("--u-eff-cm1", "u_eff_text", metavar="U",
              help="Effective barrier U_eff in cm^-1 (e.g. 436 for Tb3+ on graphene).")
@click.option("--tau0-s", "tau0_text", default="1e-11", show_default=True, help="Orbach attempt time tau0 in s.")
@click.option("--raman-c", "raman_c_text", default="0", show_default=True, help="Raman coefficient C in s^-1 K^-n.")
@click.option("--raman-n", "raman_n_text", help="Raman exponent n (default 9 with --kramers, 7 without).")
@click.option("--kramers/--non-kramers", default=False, show_default=True,
              help="Half-integer (odd electron count) or integer spin; sets the default Raman exponent.")
@click.option("--tau-qtm-s", "tau_qtm_text", help="Quantum-tunnelling time tau_QTM in s (default: no QTM).")
@click.option("--direct-a", "direct_a_text", default="0", show_default=True,
              help="Direct-process coefficient A in s^-1 T^-m K^-1 (rate A H^m T).")
@click.option("--direct-m", "direct_m_text",
              help="Field exponent m of the direct process (default 4 with --kramers, 2 with --non-kramers).")
@click.option("--raman-field-b", "raman_field_text", default="0", show_default=True,
              help="In-field Raman coefficient B in s^-1 T^-2 K^-7 (rate B H^2 T^7, Kramers systems).")
@click.option("--field-t", "field_text", default="0", show_default=True, help="Applied field H in T (direct process).")
@click.option("--temperature-k", "temperature_text",
              help="Temperatures in K: a list 'a,b,c' or a range 'start:stop:points' (default 2:100:50, or the "
                   "range of the --fit data in 50 points).")
@click.option("--observation-time-s", "observation_texts", multiple=True,
              help="Observation time in s for a blocking temperature; repeat (default: 100 s hysteresis and 1e-4 s "
                   "Stern-Gerlach flight).")
@click.option("--fit", "fit_path", metavar="FILE",
              help="Fit U_eff, tau0, C and tau_QTM to measured 'T_K tau_s' rows in FILE.")
@click.option("--data", "data_path", type=click.Path(dir_okay=False), metavar="TAU.csv",
              help="Fit --processes to measured tau(T), as ccfit2 does: its tau file (from 'ac --data') or plain "
                   "'T_K tau_s [sigma_ln_tau]' rows; with STORE --state X --master-equation (or --pseudospin/--cf/"
                   "--g) the ab initio prediction beside it.")
@click.option("--processes", "processes_text", default="orbach,raman,qtm", show_default=True,
              help="With --data: the processes summed, comma-separated: orbach, raman, qtm, direct.")
@click.option("--guess", "guess_texts", multiple=True, metavar="NAME=VALUE",
              help="With --data: a starting value (u_eff K, A, R, n, Q, D as ccfit2 names them); repeat.")
@json_option
@csv_option
@click.option("--plot", "plot_path", metavar="PATH.png", help="Write tau(T) to PATH.png.")
def command(store, label, master_equation, pseudospin, cf_terms, g_text, coupling, prefactor_text, u_eff_text,
            tau0_text, raman_c_text, raman_n_text, kramers, tau_qtm_text, direct_a_text, direct_m_text,
            raman_field_text, field_text, temperature_text, observation_texts, fit_path, data_path, processes_text,
            guess_texts, as_json, csv_path, plot_path):
    """Relaxation time tau(T) of a magnet and its blocking temperatures.

    \b
    Examples:
      adatom-wf relaxation --u-eff-cm1 436 --tau0-s 1e-11 --raman-c 1e-6 --temperature-k 2:60:30
      adatom-wf relaxation --fit tau.csv --kramers --json
      adatom-wf relaxation --master-equation --pseudospin 6 --cf 2,0=-5.375455 --cf 4,0=0.000216 \\
          --cf 6,0=0.000021 --cf 6,6=0.000041 --g 1.508,1.508,1.480 --temperature-k 10:60:11
      adatom-wf relaxation runs/demo_tb_benzene/results.h5 --state Tb3+ --master-equation
      adatom-wf relaxation --data er-fit/tau.csv --processes orbach,qtm --json   # measured tau(T) ('ac --data')
      adatom-wf relaxation --data er-fit/tau.csv runs/demo_tb_benzene/results.h5 --state Tb3+ --master-equation \
          --plot overlay.png                                  # the measurement beside the prediction
    """
    from adatom_wf.errors import AnalysisError

    state_options = store is not None or label is not None or pseudospin is not None or cf_terms or g_text is not None
    if data_path is not None:
        if fit_path is not None or u_eff_text is not None:
            raise AnalysisError("--data fits --processes to the measurement; --fit and --u-eff-cm1 are the older "
                                "phenomenological model: give one or the other")
        if state_options and not master_equation:
            raise AnalysisError("a store, --state, --pseudospin, --cf or --g beside --data need --master-equation "
                                "(the prediction drawn beside the measurement)")
        _data_command(data_path, processes_text, guess_texts,
                      (store, label, pseudospin, cf_terms, g_text, coupling, prefactor_text) if master_equation
                      else None, temperature_text, as_json, plot_path, csv_path)
        return
    if master_equation:
        model_options = [name for name, given in (("--u-eff-cm1", u_eff_text), ("--fit", fit_path),
                                                  ("--tau-qtm-s", tau_qtm_text), ("--raman-n", raman_n_text),
                                                  ("--direct-m", direct_m_text)) if given is not None]
        if model_options:
            raise AnalysisError(f"--master-equation computes tau(T) from the levels; {model_options[0]} belongs to "
                                "the phenomenological model")
        _master_equation_command(store, label, pseudospin, cf_terms, g_text, coupling, prefactor_text,
                                 temperature_text, observation_texts, as_json, plot_path, csv_path)
        return
    if state_options:
        raise AnalysisError("a store, --state, --pseudospin, --cf or --g need --master-equation "
                            "(tau(T) from the levels)")
    from adatom_wf.analysis import values
    from adatom_wf.analysis.relaxation import (
        HYSTERESIS_TIME_S,
        STERN_GERLACH_FLIGHT_TIME_S,
        RelaxationModel,
        blocking_temperature_k,
        direct_field_exponent,
        fit_relaxation,
        raman_exponent,
        relaxation_rates_per_s,
        relaxation_time_s,
    )
    raman_n = (raman_exponent(kramers) if raman_n_text is None
               else values.number("--raman-n", raman_n_text, "(dimensionless)"))
    fit, data = None, None
    if fit_path:
        if u_eff_text is not None:
            raise AnalysisError("give either --fit FILE (fitted parameters) or --u-eff-cm1 and the other model "
                                "parameters")
        data = _read_tau_table(fit_path)
        fit = fit_relaxation(*data, kramers=kramers, raman_n=raman_n)
        model = fit.model
    elif u_eff_text is None:
        raise AnalysisError("--u-eff-cm1 is required (or --fit FILE with measured 'T_K tau_s' rows)")
    else:
        model = RelaxationModel(
            u_eff_cm1=values.number("--u-eff-cm1", u_eff_text, "cm^-1"),
            tau0_s=values.number("--tau0-s", tau0_text, "s"),
            raman_c=values.number("--raman-c", raman_c_text, "s^-1 K^-n"),
            raman_n=raman_n,
            tau_qtm_s=None if tau_qtm_text is None else values.number("--tau-qtm-s", tau_qtm_text, "s"),
            direct_a=values.number("--direct-a", direct_a_text, "s^-1 T^-m K^-1"),
            field_t=values.number("--field-t", field_text, "T"),
            direct_m=(direct_field_exponent(kramers) if direct_m_text is None
                      else values.number("--direct-m", direct_m_text, "(dimensionless)")),
            raman_field_b=values.number("--raman-field-b", raman_field_text, "s^-1 T^-2 K^-7"),
        )
    if temperature_text is None:
        temperature_text = "2:100:50" if data is None else f"{float(data[0].min())!r}:{float(data[0].max())!r}:50"
    temperatures = values.grid("--temperature-k", temperature_text, "K")
    times = relaxation_time_s(model, temperatures)
    rates = relaxation_rates_per_s(model, temperatures)
    observations = [values.number("--observation-time-s", t, "s") for t in observation_texts] or [
        HYSTERESIS_TIME_S, STERN_GERLACH_FLIGHT_TIME_S]
    blocking = [blocking_temperature_k(model, t) for t in observations]
    if csv_path:
        write_tau_csv(csv_path, temperatures, times)

    if plot_path:
        from adatom_wf.analysis.plots import plot_relaxation

        plot_relaxation(temperatures, times, plot_path, data=data, observation_times_s=observations,
                        blocking_k=blocking)
    result = {
        "model": {"u_eff_cm1": model.u_eff_cm1, "tau0_s": model.tau0_s, "raman_c": model.raman_c,
                  "raman_n": model.raman_n, "tau_qtm_s": model.tau_qtm_s, "direct_a": model.direct_a,
                  "field_t": model.field_t, "direct_m": model.direct_m, "raman_field_b": model.raman_field_b,
                  "kramers": kramers},
        "temperatures_k": list(temperatures),
        "tau_s": [float(t) if t < float("inf") else None for t in times],  # null: no channel open
        "rates_per_s": {name: [float(r) for r in rate] for name, rate in rates.items()},
        "blocking_temperatures_k": [{"observation_time_s": t, "temperature_k": b}
                                    for t, b in zip(observations, blocking)],
    }
    if fit is not None:
        result["fit"] = {"uncertainties": fit.uncertainties, "rms_log10_residual": fit.rms_log10_residual,
                         "log10_uncertainties": fit.log10_uncertainties, "undetermined": fit.undetermined,
                         "starts": fit.starts}
    if as_json:
        echo_json(result)
        return
    m = result["model"]
    qtm = "none" if m["tau_qtm_s"] is None else f"{m['tau_qtm_s']:.3g} s"
    click.echo(f"U_eff = {m['u_eff_cm1']:.1f} cm^-1, tau0 = {m['tau0_s']:.3g} s, "
               f"C = {m['raman_c']:.3g} s^-1 K^-{m['raman_n']:g}, "
               f"tau_QTM = {qtm}, A H^{m['direct_m']:g} = {m['direct_a'] * abs(m['field_t']) ** m['direct_m']:.3g} "
               f"s^-1 K^-1, B_R H^2 = {m['raman_field_b'] * m['field_t'] ** 2:.3g} s^-1 K^-7")
    if fit is not None:
        errors = ", ".join(f"{name} ± {value:.2g}" for name, value in fit.uncertainties.items())
        click.echo(f"fit of {len(data[0])} points: rms log10 residual {fit.rms_log10_residual:.3g}; 1-sigma: {errors}")
        for name, reason in fit.undetermined.items():
            click.echo(f"not determined by the data: {name} ({reason})")
    for entry in result["blocking_temperatures_k"]:
        where = "never blocked" if entry["temperature_k"] is None else f"T_B = {entry['temperature_k']:.3g} K"
        click.echo(f"observation time {entry['observation_time_s']:g} s: {where}")
    click.echo(f"{'T (K)':>10} {'tau (s)':>12}")
    for temperature, tau in zip(temperatures, times):
        click.echo(f"{temperature:10.3f} {tau:12.4g}")
    if plot_path:
        click.echo(f"figure: {plot_path}")
