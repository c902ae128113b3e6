"""Physical constants in the units the analysis works in (energies in cm⁻¹, fields in T), from CODATA
via :mod:`scipy.constants`, plus the checks every public function applies to physical inputs.

Conventions used throughout :mod:`adatom_wf.analysis`:

* energies are wavenumbers in cm⁻¹ (E / (h c)); 1 Hartree = 219474.63 cm⁻¹;
* magnetic moments are in Bohr magnetons μB; the moment operator of an electron system is
  μ = −μB (L + g_e S), and of a pseudospin μ = −μB g·S̃, so the Zeeman term is H_Z = −μ·B;
* fields in tesla, temperatures in kelvin, times in seconds.
"""

import math

import numpy as np
from scipy import constants

from adatom_wf.errors import AnalysisError

MU_B_CM1_PER_T = constants.physical_constants["Bohr magneton in inverse meter per tesla"][0] / 100.0
MU_N_CM1_PER_T = constants.physical_constants["nuclear magneton in inverse meter per tesla"][0] / 100.0
K_B_CM1_PER_K = constants.physical_constants["Boltzmann constant in inverse meter per kelvin"][0] / 100.0
HARTREE_CM1 = constants.physical_constants["hartree-inverse meter relationship"][0] / 100.0
G_ELECTRON = abs(constants.physical_constants["electron g factor"][0])
MU_B_J_PER_T = constants.physical_constants["Bohr magneton"][0]
K_B_J_PER_K = constants.k
AMU_KG = constants.physical_constants["atomic mass constant"][0]
# N_A μB² / k_B in cm³ K mol⁻¹ (Gaussian units, as magnetochemists quote χT): μ0 N_A μB² / k_B × 1e6 / 4π.
CURIE_CM3_K_PER_MOL = constants.mu_0 * constants.N_A * MU_B_J_PER_T**2 / K_B_J_PER_K * 1e6 / (4 * math.pi)


def finite_array(name: str, values, unit: str) -> np.ndarray:
    """``values`` as a float array; raise naming ``name`` if any entry is NaN or infinite."""
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as error:
        raise AnalysisError(f"{name} must be numbers in {unit}, got {values!r}") from error
    if not np.all(np.isfinite(array)):
        raise AnalysisError(f"{name} must be finite numbers in {unit}, got {values!r}")
    return array


def positive_array(name: str, values, unit: str) -> np.ndarray:
    """``values`` as a float array of finite numbers > 0 (temperatures, times, masses, lengths)."""
    array = finite_array(name, values, unit)
    if np.any(array <= 0):
        raise AnalysisError(f"{name} must be > 0 {unit}, got {array.min():g} {unit}")
    return array


def non_negative_array(name: str, values, unit: str) -> np.ndarray:
    """``values`` as a float array of finite numbers >= 0 (fields, rates, barrier heights)."""
    array = finite_array(name, values, unit)
    if np.any(array < 0):
        raise AnalysisError(f"{name} must be >= 0 {unit}, got {array.min():g} {unit}")
    return array
