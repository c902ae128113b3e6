"""The SO states of an oxidation state stored by ``adatom-wf parse``, as
:class:`~adatom_wf.analysis.spectrum.MagneticStates`.

Used by ``adatom-wf spectrum STORE --state``, the report's barrier figures and the Python API (adatom_wf.api).
"""

from adatom_wf.analysis.spectrum import states_from_spin_orbit
from adatom_wf.errors import AnalysisError
from adatom_wf.store import read_spectrum_arrays


def stored_states(store, label):
    """MagneticStates of the ground multiplet of ``label`` stored by ``adatom-wf parse`` (SO energies, L, S)."""
    arrays = read_spectrum_arrays(store, label)
    if arrays["active_electrons"] > 0 and arrays["kramers"] != (arrays["active_electrons"] % 2 == 1):
        raise AnalysisError(
            f"{label} in {store} is stored as {'Kramers' if arrays['kramers'] else 'non-Kramers'} with "
            f"{arrays['active_electrons']} active electrons; Kramers parity needs an odd electron count"
        )
    return states_from_spin_orbit(arrays["levels_cm1"], arrays["angular_momentum"], arrays["spin"],
                                  electron_count=arrays["active_electrons"] if arrays["active_electrons"] > 0
                                  else 1 if arrays["kramers"] else 2)  # a SINGLE_ANISO-only run: parity only
