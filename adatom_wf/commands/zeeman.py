"""``adatom-wf zeeman``: the levels of a crystal-field pseudospin or of stored SO states (optionally times a
nuclear spin) against the field along a direction, or against the field's angle, with the level crossings and
avoided crossings (tunnelling windows) listed."""

import click

from adatom_wf.commands.nuclear import nuclear_options
from adatom_wf.commands.options import echo_json, json_option, stored_state_options
from adatom_wf.commands.spectrum import cf_option, g_option, pseudospin_option

CM1_MHZ = 29979.2458  # 1 cm^-1 in MHz (c in cm/s / 1e6)


def _levels(text, default, size):
    from adatom_wf.analysis import values
    from adatom_wf.errors import AnalysisError

    if text is None:
        return default
    if text == "all":
        return size
    count = values.number("--levels", text, "(levels)")
    if count != int(count) or not 2 <= count <= size:
        raise AnalysisError(f"--levels: give 'all' or a whole number between 2 and {size}, got {text!r}")
    return int(count)


@click.command()
@stored_state_options
@pseudospin_option
@cf_option
@g_option
@nuclear_options
@click.option("--field-t", "field_text", metavar="RANGE",
              help="Field magnitudes in T along --direction: 'start:stop:points' or a list (default -0.1:0.1:801 "
                   "with a nucleus, 0:5:201 without); with --angle-deg one magnitude.")
@click.option("--direction", "direction_text", metavar="X,Y,Z", help="Field direction (default: the main axis).")
@click.option("--angle-deg", "angle_text", metavar="RANGE",
              help="Sweep the angle (degrees) of a field of --field-t T from --direction towards --towards instead.")
@click.option("--towards", "towards_text", metavar="X,Y,Z",
              help="With --angle-deg: the direction at 90 degrees (default: perpendicular to --direction).")
@click.option("--levels", "levels_text", metavar="N|all",
              help="How many of the lowest levels to follow (default: those of the ground level group, times 2I+1).")
@click.option("--crossing-tolerance-cm1", "tolerance_text", default="1e-9", show_default=True,
              help="A refined gap at or below this (cm^-1) is a true crossing; above it an avoided crossing.")
@json_option
@click.option("--plot", "plot_path", metavar="PATH.png", help="Write the Zeeman diagram to PATH.png.")
def command(store, label, pseudospin, cf_terms, g_text, isotope, nuclear_spin_text, a_text, p_text, g_n_text,
            field_text, direction_text, angle_text, towards_text, levels_text, tolerance_text, as_json, plot_path):
    """Zeeman diagram: levels vs field (or its angle), with crossings and avoided-crossing gaps.

    \b
    Example (Tb3+ of Table 2 with the 159Tb nucleus: the four tunnelling windows):
      adatom-wf zeeman --pseudospin 6 --cf 2,0=-5.375455 --cf 4,0=0.000216 \\
          --cf 6,0=0.000021 --cf 6,6=0.000041 --g 1.508,1.508,1.480 \\
          --isotope 159Tb --field-t -0.05:0.05:401 --plot zeeman.png
    \b
    Example (the stored ab initio Tb3+ states, field turning from the axis into the plane):
      adatom-wf zeeman runs/demo_tb_benzene/results.h5 --state Tb3+ --field-t 1 --angle-deg 0:180:181
    """
    from adatom_wf.analysis import values
    from adatom_wf.analysis.hyperfine import spin_system
    from adatom_wf.analysis.spectrum import analyse_spectrum
    from adatom_wf.analysis.zeeman import zeeman_diagram
    from adatom_wf.commands.nuclear import nucleus_from_options
    from adatom_wf.commands.spectrum import load_states
    from adatom_wf.errors import AnalysisError

    states = load_states(store, label, pseudospin, cf_terms, g_text, verb="zeeman")
    nucleus, sources = nucleus_from_options(isotope, nuclear_spin_text, a_text, p_text, g_n_text, ion=label)
    analysis = analyse_spectrum(states)
    system = spin_system(states, nucleus, analysis.main_axis)
    multiplicity = 1 if nucleus is None else int(2 * nucleus.spin + 1)
    size = system.zero_field_hamiltonian_cm1.shape[0]
    levels = _levels(levels_text, min(size, max(2, len(analysis.groups[0].state_indices) * multiplicity)), size)
    direction = None if direction_text is None else values.numbers("--direction", direction_text, "(direction)",
                                                                   count=(3,))
    if angle_text is not None:
        if field_text is None:
            raise AnalysisError("--angle-deg needs the field magnitude: --field-t B (T)")
        diagram = zeeman_diagram(
            system, values.grid("--angle-deg", angle_text, "degrees"), sweep="angle_deg", direction=direction,
            towards=None if towards_text is None else values.numbers("--towards", towards_text, "(direction)",
                                                                     count=(3,)),
            field_t=values.number("--field-t", field_text, "T"), levels=levels,
            crossing_tolerance_cm1=values.number("--crossing-tolerance-cm1", tolerance_text, "cm^-1"))
    else:
        if towards_text is not None:
            raise AnalysisError("--towards applies to an angle sweep (--angle-deg)")
        default = "-0.1:0.1:801" if nucleus is not None else "0:5:201"
        diagram = zeeman_diagram(system, values.grid("--field-t", field_text or default, "T"), direction=direction,
                                 levels=levels,
                                 crossing_tolerance_cm1=values.number("--crossing-tolerance-cm1", tolerance_text,
                                                                      "cm^-1"))
    what = f"{label} from {store}" if store is not None else f"pseudospin S = {pseudospin}"
    if nucleus is not None:
        what += (f" x {nucleus.isotope or 'nucleus'} I = {nucleus.spin} "
                 f"(A_J {nucleus.a_j_cm1:g}, P {nucleus.p_cm1:g} cm^-1)")
    if plot_path:
        from adatom_wf.analysis.plots import plot_zeeman

        plot_zeeman(diagram, plot_path, title=what)
    if as_json:
        data = diagram.to_dict()
        data["source"] = ({"store": store, "state": label} if store is not None else
                          {"pseudospin": str(pseudospin), "cf_parameters_cm1": {
                              f"{k},{q}": b for (k, q), b in values.cf_parameters(cf_terms).items()}})
        if nucleus is not None:
            data["nucleus"] = {"isotope": nucleus.isotope, "nuclear_spin": str(nucleus.spin),
                               "a_j_cm1": nucleus.a_j_cm1, "p_cm1": nucleus.p_cm1, "g_n": nucleus.g_n,
                               "sources": sources}
        echo_json(data)
        return
    unit = "T" if diagram.sweep == "field_t" else "deg"
    click.echo(f"{what}: {diagram.levels_tracked} lowest of {size} levels, {diagram.sweep} "
               f"{diagram.values[0]:g}..{diagram.values[-1]:g} ({diagram.values.size} points)"
               + (f" at {diagram.field_t:g} T" if diagram.sweep == "angle_deg" else ""))
    for kind, title in (("avoided", "avoided crossings"), ("crossing", "crossings")):
        found = [c for c in diagram.crossings if c["kind"] == kind]
        click.echo(f"{title}: {len(found)}")
        for c in found:
            labels = " / ".join("(" + ", ".join(f"{v:+.2f}" for v in s.values()) + ")" for s in c["states"])
            gap = (f"gap {c['gap_cm1']:.4g} cm^-1 ({c['gap_cm1'] * CM1_MHZ:.4g} MHz)" if kind == "avoided" else
                   f"gap {c['gap_cm1']:.1e} cm^-1")
            click.echo(f"  {c[diagram.sweep]:+10.5f} {unit}  levels {c['levels'][0]}/{c['levels'][1]}  "
                       f"E {c['energy_cm1']:10.5f} cm^-1  {gap}  states: {labels}")
    if plot_path:
        click.echo(f"figure: {plot_path}")
