"""``adatom-wf deflection``: Stern–Gerlach deflection profiles of a blocked (atom-like) and a relaxing
(superparamagnetic) moment, and the inverse: the moment from a measured mean deflection (second paper)."""

import click

from adatom_wf.commands.options import echo_json, json_option


@click.command()
@click.option("--field-t", "field_text", default="2.4", show_default=True, help="Field in the magnet, T.")
@click.option("--gradient-t-per-m", "gradient_text", default="650", show_default=True,
              help="Field gradient magnitude in the magnet, T/m.")
@click.option("--magnet-length-m", "magnet_text", default="0.05", show_default=True, help="Length of the magnet, m.")
@click.option("--drift-length-m", "drift_text", default="1.0", show_default=True,
              help="Free flight from the magnet to the detector, m.")
@click.option("--mass-amu", "mass_text", metavar="M", help="Mass of the atom or cluster, amu (e.g. 560.3 for V11).")
@click.option("--velocity-m-s", "velocity_text", metavar="V", help="Mean beam velocity, m/s (seeded beam).")
@click.option("--velocity-spread-m-s", "spread_text", default="0", show_default=True,
              help="Standard deviation of the beam velocity, m/s.")
@click.option("--source-temperature-k", "source_text", metavar="T",
              help="Instead of --velocity-m-s: an effusive beam from a source at this temperature, K.")
@click.option("--spin-j", "spin_text", metavar="J", help="Spin (or total angular momentum) J of the particle.")
@click.option("--g", "g_text", metavar="G", help="g factor; the moment is g J muB.")
@click.option("--moment-mub", "moment_text", metavar="MU", help="Instead of --g: the moment g J in muB.")
@click.option("--beam-temperature-k", "beam_text", metavar="T",
              help="Spin temperature of the particles in the beam, K (Brillouin mean of a relaxing moment; "
                   "default: the source temperature).")
@click.option("--components", "components", default="ising", show_default=True,
              help="Blocked projections: 'ising' (±gJ muB) or 'mj' (g m muB, m = -J..J).")
@click.option("--relaxation-time-s", "tau_text", metavar="TAU",
              help="Spin relaxation time, s: decides atom-like (tau > flight time) or superparamagnetic.")
@click.option("--beam-width-mm", "width_text", default="0.25", show_default=True,
              help="Standard deviation of the undeflected beam at the detector, mm.")
@click.option("--mean-deflection-mm", "mean_text", metavar="D",
              help="Inverse mode: the measured mean deflection, mm; prints <mu_z> and the moment g J (needs --spin-j "
                   "and --beam-temperature-k).")
@json_option
@click.option("--plot", "plot_path", metavar="PATH.png", help="Write the deflection profiles to PATH.png.")
def command(field_text, gradient_text, magnet_text, drift_text, mass_text, velocity_text, spread_text, source_text,
            spin_text, g_text, moment_text, beam_text, components, tau_text, width_text, mean_text, as_json, plot_path):
    """Stern-Gerlach deflection of an atom or cluster with spin J and moment g J muB.

    \b
    Examples (V11 in the two-wire magnet of the second paper):
      adatom-wf deflection --mass-amu 560.3 --velocity-m-s 500 --velocity-spread-m-s 30 \\
          --spin-j 1/2 --g 2 --beam-temperature-k 25 --relaxation-time-s 1
      adatom-wf deflection --mass-amu 662.2 --velocity-m-s 500 --spin-j 5/2 \\
          --beam-temperature-k 25 --mean-deflection-mm 1.2
    """
    import numpy as np

    from adatom_wf.analysis import deflection, values
    from adatom_wf.errors import AnalysisError

    magnet = deflection.SternGerlachMagnet(
        field_t=values.number("--field-t", field_text, "T"),
        gradient_t_per_m=values.number("--gradient-t-per-m", gradient_text, "T/m"),
        magnet_length_m=values.number("--magnet-length-m", magnet_text, "m"),
        drift_length_m=values.number("--drift-length-m", drift_text, "m"),
    )
    if mass_text is None or spin_text is None:
        raise AnalysisError("--mass-amu and --spin-j are required (e.g. --mass-amu 560.3 --spin-j 1/2)")
    mass = values.number("--mass-amu", mass_text, "amu")
    spin_j = values.half_integer("--spin-j", spin_text)
    if (velocity_text is None) == (source_text is None):
        raise AnalysisError("give exactly one of --velocity-m-s (seeded beam) and --source-temperature-k "
                            "(effusive beam)")
    if velocity_text is not None:
        velocities = deflection.gaussian_velocities(values.number("--velocity-m-s", velocity_text, "m/s"),
                                                    values.number("--velocity-spread-m-s", spread_text, "m/s"))
    else:
        velocities = deflection.effusive_velocities(values.number("--source-temperature-k", source_text, "K"), mass)
    beam_temperature = (values.number("--beam-temperature-k", beam_text, "K") if beam_text is not None
                        else None if source_text is None else values.number("--source-temperature-k", source_text, "K"))
    flight_time = float(magnet.flight_time_s(velocities.mean_m_s))
    per_mub_mm = deflection.mean_deflection_m(magnet, mass, velocities, 1.0) * 1e3
    result = {"flight_time_s": flight_time, "mean_velocity_m_s": velocities.mean_m_s,
              "deflection_per_mub_mm": per_mub_mm}

    if mean_text is not None:
        if beam_temperature is None:
            raise AnalysisError("--mean-deflection-mm needs --beam-temperature-k (the Brillouin mean depends on it)")
        mean_m = values.number("--mean-deflection-mm", mean_text, "mm") * 1e-3
        moment = deflection.moment_from_mean_deflection_mub(magnet, mass, velocities, mean_m, spin_j, beam_temperature)
        result["inverse"] = {
            "mean_deflection_mm": mean_m * 1e3,
            "projection_mub": deflection.projection_from_mean_deflection_mub(magnet, mass, velocities, mean_m),
            "moment_mub": moment, "g": moment / spin_j, "spin_j": spin_j, "beam_temperature_k": beam_temperature,
        }
        if as_json:
            echo_json(result)
            return
        inverse = result["inverse"]
        click.echo(f"mean deflection {inverse['mean_deflection_mm']:g} mm -> "
                   f"<mu_z> = {inverse['projection_mub']:.4g} muB; "
                   f"superparamagnetic moment g J = {moment:.4g} muB (J = {spin_j:g}, g = {inverse['g']:.4g}, "
                   f"T = {beam_temperature:g} K)")
        return

    if (g_text is None) == (moment_text is None):
        raise AnalysisError("give exactly one of --g and --moment-mub (the moment is g J muB)")
    if g_text is not None:
        g = values.number("--g", g_text, "(dimensionless)")
    else:
        g = values.number("--moment-mub", moment_text, "muB") / spin_j
    width_m = values.number("--beam-width-mm", width_text, "mm") * 1e-3
    projections, populations = deflection.atom_like_projections_mub(spin_j, g, components)
    reach = np.abs(projections).max() * float(magnet.deflection_per_mub_m(mass, velocities.velocities_m_s.min()))
    positions = np.linspace(-(reach + 5 * width_m), reach + 5 * width_m, 601)
    profiles = {
        "undeflected": deflection.deflection_profile(magnet, mass, velocities, [0.0], [1.0], positions, width_m),
        "atom-like": deflection.deflection_profile(magnet, mass, velocities, projections, populations, positions,
                                                   width_m),
    }
    result["atom_like"] = {"projections_mub": projections.tolist(), "populations": populations.tolist(),
                           "mean_deflections_mm": (projections * per_mub_mm).tolist()}
    if beam_temperature is not None:
        projection = deflection.superparamagnetic_projection_mub(spin_j, g, magnet.field_t, beam_temperature)
        profiles["superparamagnetic"] = deflection.deflection_profile(
            magnet, mass, velocities, [projection], [1.0], positions, width_m)
        result["superparamagnetic"] = {"projection_mub": projection, "mean_deflection_mm": projection * per_mub_mm,
                                       "beam_temperature_k": beam_temperature}
    if tau_text is not None:
        tau = values.number("--relaxation-time-s", tau_text, "s")
        result["regime"] = deflection.deflection_regime(tau, flight_time)
    result["profile"] = {"positions_mm": (positions * 1e3).round(6).tolist(),
                         **{name: (intensity * 1e-3).round(8).tolist() for name, intensity in profiles.items()}}
    if plot_path:
        from adatom_wf.analysis.plots import plot_deflection

        plot_deflection(positions * 1e3, {name: i * 1e-3 for name, i in profiles.items()}, plot_path)
    if as_json:
        echo_json(result)
        return
    click.echo(f"flight time in the magnet {flight_time:.3g} s at {velocities.mean_m_s:.4g} m/s; "
               f"{per_mub_mm:.4g} mm per muB of projection")
    peaks = ", ".join(f"{d:+.3f}" for d in result["atom_like"]["mean_deflections_mm"])
    click.echo(f"atom-like (blocked, {components}): components at mean deflections {peaks} mm")
    if "superparamagnetic" in result:
        sp = result["superparamagnetic"]
        click.echo(f"superparamagnetic (relaxing, {beam_temperature:g} K): <mu_z> = {sp['projection_mub']:.4g} muB, "
                   f"mean deflection {sp['mean_deflection_mm']:+.3f} mm")
    if "regime" in result:
        click.echo(f"regime: {result['regime']} (tau {tau_text} s vs flight {flight_time:.3g} s)")
    if plot_path:
        click.echo(f"figure: {plot_path}")
