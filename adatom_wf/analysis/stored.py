"""The SO states of an oxidation state stored by ``adatom-wf parse``, as
:class:`~adatom_wf.analysis.spectrum.MagneticStates`, and their analysis.

:func:`analyse_so_states` is the one analysis of a multiplet's SO states: ``parse`` fills the record's doublets and
spectrum with it (adatom_wf.molcas.analysed), and :func:`stored_analysis` gives the same result again from what the
store kept (the same energies, L and S, the same electron parity: tests/test_records.py checks every number), for
the report's barrier figures and the Python API (adatom_wf.api). :func:`stored_states` hands the stored states to the
verbs that take ``STORE --state`` (spectrum, zeeman, relaxation, magnetisation) with their own options.
"""

from adatom_wf.analysis.spectrum import SpectrumAnalysis, analyse_spectrum, states_from_spin_orbit
from adatom_wf.errors import AnalysisError
from adatom_wf.store import read_spectrum_arrays


def analyse_so_states(energies_cm1, angular_momentum, spin, *, electron_count: int, **options) -> SpectrumAnalysis:
    """Levels, doublets, ⟨Jz⟩, U_eff … of SO states (cm⁻¹, L and S in ħ); a Kramers violation is reported in the
    result (``kramers_check``), not raised. ``options``: :func:`~adatom_wf.analysis.spectrum.analyse_spectrum`'s."""
    states = states_from_spin_orbit(energies_cm1, angular_momentum, spin, electron_count=electron_count)
    return analyse_spectrum(states, strict_kramers=False, **options)


def _stored_arrays(store, label) -> dict:
    """The stored levels, L, S and active electrons of ``label``, their Kramers parity checked."""
    arrays = read_spectrum_arrays(store, label)
    if arrays["active_electrons"] > 0 and arrays["kramers"] != (arrays["active_electrons"] % 2 == 1):
        raise AnalysisError(
            f"{label} in {store} is stored as {'Kramers' if arrays['kramers'] else 'non-Kramers'} with "
            f"{arrays['active_electrons']} active electrons; Kramers parity needs an odd electron count"
        )
    # a SINGLE_ANISO-only run stores no electron count: one of the stored parity
    arrays["electron_count"] = arrays["active_electrons"] if arrays["active_electrons"] > 0 \
        else 1 if arrays["kramers"] else 2
    return arrays


def stored_states(store, label):
    """MagneticStates of the ground multiplet of ``label`` stored by ``adatom-wf parse`` (SO energies, L, S)."""
    arrays = _stored_arrays(store, label)
    return states_from_spin_orbit(arrays["levels_cm1"], arrays["angular_momentum"], arrays["spin"],
                                  electron_count=arrays["electron_count"])


def stored_analysis(store, label, **options) -> SpectrumAnalysis:
    """:func:`analyse_so_states` of the stored ground multiplet of ``label``: what ``parse`` stored, given the same
    ``options`` (none: parse's)."""
    arrays = _stored_arrays(store, label)
    return analyse_so_states(arrays["levels_cm1"], arrays["angular_momentum"], arrays["spin"],
                             electron_count=arrays["electron_count"], **options)
