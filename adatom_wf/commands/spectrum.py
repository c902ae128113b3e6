"""``adatom-wf spectrum``: levels, doublets by |Jz|, tunnel splittings, g, E_ZFS, E_MAB and U_eff of a
pseudospin with crystal-field parameters (the paper's Eq. 1 and Table 2).

Numbers are read as text and converted in the body, so bad values give one line and exit 2. numpy and the
analysis package are imported only when the verb runs.
"""

import click

from adatom_wf.commands.nuclear import nuclear_options
from adatom_wf.commands.options import echo_json, json_option, stored_state_options

pseudospin_option = click.option(
    "--pseudospin", metavar="S",
    help="Pseudospin of the multiplet, a multiple of 1/2: 6 (Tb3+, J=6), 13/2 (Tb2+), 4 (Tb1+).",
)
cf_option = click.option(
    "--cf", "cf_terms", multiple=True, metavar="K,Q=B",
    help="Crystal-field parameter B_k^q in cm^-1 of the extended Stevens operator O_k^q (Rudowicz, as SINGLE_ANISO "
         "prints them); even k <= 2S, -k <= q <= k. Repeat for each term.",
)
g_option = click.option(
    "--g", "g_text", metavar="G",
    help="g tensor (dimensionless): one value, three principal values gx,gy,gz, or nine (3x3, row by row). "
         "Required for a pseudospin or free spin above 1/2 (a lanthanide's g is not 2; Table 2: Tb3+ "
         "1.508,1.508,1.480); 2.0 for S = 1/2.",
)


def g_values(g_text, spin_text, option="--pseudospin"):
    """The --g numbers, or 2.0 for S = 1/2; a one-line error naming --g for S > 1/2 without it."""
    from adatom_wf.analysis import values
    from adatom_wf.analysis.stevens import pseudospin_value
    from adatom_wf.errors import AnalysisError

    if g_text is not None:
        return values.numbers("--g", g_text, "(dimensionless)", count=(1, 3, 9))
    spin = pseudospin_value(spin_text)
    if spin > 0.5:
        raise AnalysisError(
            f"--g is required for {option} {spin} (> 1/2): a lanthanide multiplet's g is not the free-electron 2; "
            "give the pseudospin's principal g values, e.g. --g 1.508,1.508,1.480 (Tb3+, Table 2)"
        )
    return 2.0


def crystal_field_states(pseudospin, cf_terms, g_text, field_text=None):
    """MagneticStates of the verb's --pseudospin/--cf/--g (and --field-t) options."""
    from adatom_wf.analysis import values
    from adatom_wf.analysis.spectrum import states_from_crystal_field
    from adatom_wf.analysis.stevens import crystal_field_hamiltonian, pseudospin_value
    from adatom_wf.errors import AnalysisError

    if pseudospin is None:
        raise AnalysisError("--pseudospin is required (e.g. --pseudospin 6 --cf 2,0=-5.375455)")
    field = None if field_text is None else values.numbers("--field-t", field_text, "T", count=(3,))
    cf_parameters = values.cf_parameters(cf_terms)
    crystal_field_hamiltonian(pseudospin_value(pseudospin), cf_parameters)  # bad (k, q) first, then --g
    return states_from_crystal_field(pseudospin, cf_parameters, g=g_values(g_text, pseudospin), field_t=field)


def stored_states(store, label):
    """MagneticStates of the ground multiplet of ``label`` stored by ``adatom-wf parse`` (adatom_wf.analysis.stored)."""
    from adatom_wf.analysis.stored import stored_states as states

    return states(store, label)


def load_states(store, label, pseudospin, cf_terms, g_text, field_text=None, *, verb):
    """MagneticStates from a store (``STORE --state LABEL``) or from --pseudospin/--cf/--g; one-line errors for
    a mix of the two."""
    from adatom_wf.errors import AnalysisError

    if store is not None:
        if label is None or pseudospin is not None or cf_terms or g_text is not None:
            raise AnalysisError("with a store give --state LABEL (e.g. Tb3+) and no --pseudospin/--cf/--g (the "
                                "moments come from the stored L and S)")
        if field_text is not None:
            raise AnalysisError("--field-t applies to a crystal-field pseudospin, not to stored SO states")
        return stored_states(store, label)
    if label is not None:
        raise AnalysisError(f"--state needs a store: adatom-wf {verb} results.h5 --state LABEL")
    return crystal_field_states(pseudospin, cf_terms, g_text, field_text)


def hyperfine_lines(spectrum, sources) -> list[str]:
    """Text lines of a HyperfineSpectrum: the nucleus, the level count, and the sublevels of the ground group."""
    nucleus = spectrum.nucleus
    name = nucleus.isotope or "nucleus"
    lines = [f"hyperfine: {name} I = {nucleus.spin}, A_J = {nucleus.a_j_cm1:g} cm^-1 ({sources['a_j_cm1']}), "
             f"P = {nucleus.p_cm1:g} cm^-1 ({sources['p_cm1']}), g_N = {nucleus.g_n:.4g} ({sources['g_n']}); "
             f"{spectrum.levels_cm1.size} electron-nuclear levels"
             + (" (Kramers: J + I half-integer)" if spectrum.kramers else "")]
    ground = spectrum.electronic_groups[0]
    lines.append(f"ground level group (|Jz| {ground['jz_abs']:.2f}): {len(ground['sublevels'])} sublevels, "
                 f"degeneracies {ground['degeneracies']}, spread {ground['span_cm1']:.4g} cm^-1")
    lines.append(f"{'E (cm^-1)':>12} {'deg':>4}  <Jz>, <Iz> of its states")
    for index in ground["sublevels"]:
        sub = spectrum.sublevels[index]
        labels = "; ".join(f"{jz:+.2f}, {iz:+.2f}" for jz, iz in zip(sub["jz"], sub["iz"]))
        lines.append(f"{sub['energy_cm1']:12.6f} {sub['degeneracy']:4d}  {labels}")
    return lines


def _text_report(analysis, what) -> list[str]:
    kind = "Kramers" if analysis.kramers else "non-Kramers"
    axis = ", ".join(f"{a:.3g}" for a in analysis.main_axis + 0.0)
    lines = [f"{what} ({kind}), {analysis.levels_cm1.size} states, main axis ({axis})",
             f"{'level':>8} {'E (cm^-1)':>11} {'|Jz|':>6} {'split (cm^-1)':>14} {'g1':>7} {'g2':>7} {'g3':>7}"]
    for group in analysis.groups:
        if group.is_doublet:
            g1, g2, g3 = group.g_principal
            split = group.tunnel_splitting_cm1
            split = split if split > analysis.thresholds["degeneracy_cm1"] else 0
            lines.append(f"{'doublet':>8} {group.energy_cm1:11.3f} {group.jz_abs:6.2f} {split:14.3g} "
                         f"{g1:7.3f} {g2:7.3f} {g3:7.3f}")
        else:
            lines.append(f"{'singlet':>8} {group.energy_cm1:11.3f} {group.jz_abs:6.2f}")
    e_zfs = "n/a" if analysis.e_zfs_cm1 is None else f"{analysis.e_zfs_cm1:.2f} cm^-1"
    lines.append(f"E_ZFS = {e_zfs}   E_MAB = {analysis.e_mab_cm1:.2f} cm^-1   U_eff = {analysis.u_eff_cm1:.2f} cm^-1 "
                 f"({analysis.relaxation_path['mechanism']})")
    path = analysis.relaxation_path
    lines.append("relaxation level group at " + ", ".join(f"{e:.4f}" for e in path["level_energies_cm1"])
                 + " cm^-1")
    dependence = analysis.u_eff_threshold_dependence
    steps = "; ".join(
        f"{step['above']:.3g} < t <= {step['up_to']:.3g}: {step['u_eff_cm1']:.2f}" if step["up_to"] is not None
        else f"t > {step['above']:.3g}: {step['u_eff_cm1']:.2f}" for step in dependence["steps"])
    lines.append(f"U_eff (cm^-1) vs {dependence['threshold']} threshold t (now {dependence['value']:g}): {steps}")
    check = analysis.kramers_check
    if not check.checked:
        lines.append("Kramers check: skipped (a field breaks time reversal)")
    elif analysis.kramers:
        lines.append(f"Kramers check: every level doubly degenerate within {check.tolerance_cm1:g} cm^-1")
    else:
        split = ", ".join(f"|Jz|={jz:.2f} by {s:.3g} cm^-1" for jz, _, s in check.split_doublets) or "none"
        lines.append(f"split doublets (> {check.tolerance_cm1:g} cm^-1): {split}")
    return lines


@click.command()
@stored_state_options
@pseudospin_option
@cf_option
@g_option
@click.option("--field-t", "field_text", metavar="BX,BY,BZ", help="Applied field vector in T (Zeeman term of Eq. 1).")
@click.option("--main-axis", "axis_text", metavar="X,Y,Z",
              help="Axis for <Jz> (default: the axis the ground level singles out; z for an axial crystal field).")
@click.option("--tunnel-threshold-cm1", "tunnel_text", default="0.01", show_default=True,
              help="Tunnel splitting (cm^-1) above which a non-Kramers doublet lets the moment reverse.")
@click.option("--transverse-g-threshold", "transverse_text", default="0.1", show_default=True,
              help="Transverse g (dimensionless) above which a Kramers doublet lets the moment reverse.")
@click.option("--degeneracy-tolerance-cm1", "tolerance_text", default="1e-5", show_default=True,
              help="Levels closer than this (cm^-1) count as degenerate (Kramers check, doublet pairing).")
@click.option("--moment-convention", type=click.Choice(["single_aniso", "norm"]), default="single_aniso",
              show_default=True,
              help="Transition moments |<i|mu|j>|: (|mu_x|+|mu_y|+|mu_z|)/3 in the main-axis frame as SINGLE_ANISO "
                   "prints them, or the vector length sqrt(sum |mu_a|^2).")
@nuclear_options
@json_option
@click.option("--plot", "plot_path", metavar="PATH.png|.pdf|.svg",
              help="Write the barrier figure (levels by <Jz>, transition moments, relaxation path) to PATH "
                   "(format by suffix).")
def command(store, label, pseudospin, cf_terms, g_text, field_text, axis_text, tunnel_text, transverse_text,
            tolerance_text, moment_convention, isotope, nuclear_spin_text, a_text, p_text, g_n_text, as_json,
            plot_path):
    """Analyse the spectrum of a pseudospin S with crystal-field parameters B_k^q (cm^-1), or of the SO states
    of an OpenMolcas run stored by 'adatom-wf parse' (STORE.h5 --state LABEL).

    \b
    Example (the stored ab initio states of the demo's Tb3+):
      adatom-wf spectrum runs/demo_tb_benzene/results.h5 --state Tb3+ --json
    \b
    Example (Tb3+ on graphene, Table 2 of the paper):
      adatom-wf spectrum --pseudospin 6 --cf 2,0=-5.375455 --cf 4,0=0.000216 \\
          --cf 6,0=0.000021 --cf 6,6=0.000041 --g 1.508,1.508,1.480 --json
    \b
    Example (the same with the 159Tb nucleus: 52 electron-nuclear levels):
      adatom-wf spectrum --pseudospin 6 --cf 2,0=-5.375455 --cf 4,0=0.000216 \\
          --cf 6,0=0.000021 --cf 6,6=0.000041 --g 1.508,1.508,1.480 \\
          --nuclear-spin 3/2 --hyperfine-a-cm1 0.0173 --quadrupole-p-cm1 0.010
    """
    from adatom_wf.analysis import values
    from adatom_wf.analysis.spectrum import analyse_spectrum
    from adatom_wf.analysis.stevens import pseudospin_value
    from adatom_wf.commands.nuclear import nucleus_from_options

    states = load_states(store, label, pseudospin, cf_terms, g_text, field_text, verb="spectrum")
    nucleus, sources = nucleus_from_options(isotope, nuclear_spin_text, a_text, p_text, g_n_text, ion=label)
    if nucleus is not None and field_text is not None:
        from adatom_wf.errors import AnalysisError

        raise AnalysisError("--field-t with a nucleus: the spectrum is the zero-field one; use 'adatom-wf zeeman' "
                            "for electron-nuclear levels in a field")
    analysis = analyse_spectrum(
        states,
        main_axis=None if axis_text is None else values.numbers("--main-axis", axis_text, "(direction)", count=(3,)),
        tunnel_threshold_cm1=values.number("--tunnel-threshold-cm1", tunnel_text, "cm^-1"),
        transverse_g_threshold=values.number("--transverse-g-threshold", transverse_text, "(dimensionless)"),
        degeneracy_tolerance_cm1=values.number("--degeneracy-tolerance-cm1", tolerance_text, "cm^-1"),
        moment_convention=moment_convention,
    )
    hyperfine = None
    if nucleus is not None:
        from adatom_wf.analysis.hyperfine import analyse_hyperfine, spin_system

        hyperfine = analyse_hyperfine(spin_system(states, nucleus, analysis.main_axis), analysis.groups,
                                      analysis.thresholds["degeneracy_cm1"])
    if plot_path:
        from adatom_wf.analysis.plots import plot_barrier

        plot_barrier(analysis, plot_path, title=label if store is not None else f"S = {pseudospin}")
    if as_json:
        data = analysis.to_dict()
        if hyperfine is not None:
            data["hyperfine"] = {**hyperfine.to_dict(), "sources": sources}
        if store is not None:
            data.update(store=store, state=label)
        else:
            data["pseudospin"] = str(pseudospin_value(pseudospin))
            data["cf_parameters_cm1"] = {f"{k},{q}": b for (k, q), b in values.cf_parameters(cf_terms).items()}
        echo_json(data)
        return
    what = f"{label} from {store}" if store is not None else f"pseudospin S = {pseudospin}"
    for line in _text_report(analysis, what) + ([] if hyperfine is None else hyperfine_lines(hyperfine, sources)):
        click.echo(line)
    if plot_path:
        click.echo(f"figure: {plot_path}")
