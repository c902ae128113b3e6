"""The nuclear-spin options shared by ``spectrum`` and ``zeeman``, and the isotope preset (presets/isotopes.yaml)."""

import click

ISOTOPE_FILE = "isotopes.yaml"


def nuclear_options(function):
    options = [
        click.option("--isotope", metavar="NAME",
                     help="Magnetic nucleus from presets/isotopes.yaml (159Tb, 161Dy, 163Dy, 165Ho, 167Er): its spin, "
                          "g_N and, where the literature gives them for the ion, A_J and P. Options below override."),
        click.option("--nuclear-spin", "nuclear_spin_text", metavar="I",
                     help="Nuclear spin I (multiple of 1/2, e.g. 3/2): adds the electron-nuclear product space."),
        click.option("--hyperfine-a-cm1", "a_text", metavar="A",
                     help="Hyperfine constant A_J in cm^-1 of A_J J.I, J the multiplet's angular momentum "
                          "(the pseudospin, or L+S of stored states): the J multiplet's constant, e.g. 0.0173 for "
                          "159Tb in Tb3+, not the ground doublet's pseudospin-1/2 value."),
        click.option("--quadrupole-p-cm1", "p_text", metavar="P",
                     help="Quadrupole constant P in cm^-1 of P [I_n^2 - I(I+1)/3], n the main axis (default 0)."),
        click.option("--nuclear-g", "g_n_text", metavar="G_N",
                     help="Nuclear g factor g_N (mu_I = g_N muN I) of the nuclear Zeeman term (default 0, or the "
                          "isotope's)."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def isotope_table() -> dict:
    from importlib import resources

    import yaml

    return yaml.safe_load(resources.files("adatom_wf.presets").joinpath(ISOTOPE_FILE).read_text())


def nucleus_from_options(isotope, spin_text, a_text, p_text, g_n_text, *, ion=None):
    """(Nucleus or None, {quantity: where its value came from}). ``ion``: the stored state's label, checked against
    the ion the preset's A_J and P were measured for."""
    from fractions import Fraction

    from adatom_wf.analysis import values
    from adatom_wf.analysis.hyperfine import Nucleus
    from adatom_wf.errors import AnalysisError

    if isotope is None and spin_text is None:
        given = [name for name, text in (("--hyperfine-a-cm1", a_text), ("--quadrupole-p-cm1", p_text),
                                         ("--nuclear-g", g_n_text)) if text is not None]
        if given:
            raise AnalysisError(f"{given[0]} needs a nucleus: give --nuclear-spin I or --isotope NAME")
        return None, {}
    preset, sources = {}, {}
    if isotope is not None:
        table = isotope_table()
        if isotope not in table:
            raise AnalysisError(f"--isotope {isotope!r} is not in presets/{ISOTOPE_FILE}; "
                                f"known: {', '.join(table)}")
        preset = table[isotope]
        if ion is not None and ion.rstrip("0123456789+-") != preset["element"]:
            raise AnalysisError(f"--isotope {isotope} is a {preset['element']} nucleus, but the state is {ion}")
    spin = values.half_integer("--nuclear-spin", spin_text) if spin_text is not None else None
    if preset and spin is not None and Fraction(spin) != Fraction(str(preset["spin"])):
        raise AnalysisError(f"--nuclear-spin {spin_text} contradicts {isotope} (I = {preset['spin']})")
    spin = Fraction(str(preset["spin"])) if spin is None else Fraction(spin)
    source = f"preset {isotope}"

    def constant(option, text, key, default):
        if text is not None:
            sources[key] = "command line"
            return values.number(option, text, "cm^-1" if key != "g_n" else "(dimensionless)")
        if key == "g_n" and preset:
            sources[key] = source
            return preset["moment_mu_n"] / float(spin)
        if preset and preset.get(key) is not None:
            if ion is not None and preset["ion"] != ion:
                raise AnalysisError(f"{isotope}'s {key} in presets/{ISOTOPE_FILE} is for {preset['ion']}, not {ion}; "
                                    f"give {option}")
            sources[key] = f"{source} ({preset['ion']})"
            return float(preset[key])
        if default is None:
            where = f"{isotope} has no {key} for the ion in presets/{ISOTOPE_FILE}" if preset else "no isotope given"
            raise AnalysisError(f"{option} is required ({where}); e.g. {option} 0.0173 for 159Tb in Tb3+")
        sources[key] = "not given (0)"
        return default

    nucleus = Nucleus(spin, a_j_cm1=constant("--hyperfine-a-cm1", a_text, "a_j_cm1", None),
                      p_cm1=constant("--quadrupole-p-cm1", p_text, "p_cm1", 0.0),
                      g_n=constant("--nuclear-g", g_n_text, "g_n", 0.0), isotope=isotope)
    return nucleus, sources
