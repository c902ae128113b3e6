"""The magnetic moment of SO states and the g of a pseudospin, built here once for the whole package.

μ = −(L + g_e S) in μB with L and S in ħ (the convention of docs/analysis.md), and the main g values of a pseudospin
S̃ = (n−1)/2 spanned by n SO states: (g gᵀ)_ab = 3 Tr(μ_a μ_b) / (S̃(S̃+1)(2S̃+1)), which for a doublet is
2 Tr(μ_a μ_b) (Chibotaru & Ungur, J. Chem. Phys. 137, 064112 (2012); SINGLE_ANISO's definition).
"""

import numpy as np

from adatom_wf.analysis.units import G_ELECTRON


def magnetic_moment_mub(angular_momentum: np.ndarray, spin: np.ndarray) -> np.ndarray:
    """μ = −(L + g_e S), (3, n, n) in μB, from L and S (3, n, n) in ħ."""
    return -(angular_momentum + G_ELECTRON * spin)


def angular_momentum_from_moment(moment_mub: np.ndarray, spin: np.ndarray) -> np.ndarray:
    """L = −μ − g_e S: the orbital angular momentum of states whose μ and S are known (SINGLE_ANISO's ASCII file)."""
    return -moment_mub - G_ELECTRON * spin


def pseudospin_g_tensor(moment_block_mub: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Principal g values (ascending) and axes (columns) of the pseudospin spanned by a (3, n, n) μ block (μB)."""
    size = moment_block_mub.shape[1]
    s = (size - 1) / 2
    product = np.einsum("aij,bji->ab", moment_block_mub, moment_block_mub).real
    # a doublet: 2 x exactly (3 x / 1.5 can round one ulp away, and stored numbers must not move)
    product = 2 * product if size == 2 else 3 * product / (s * (s + 1) * (2 * s + 1))
    values, axes = np.linalg.eigh((product + product.T) / 2)
    return np.sqrt(np.clip(values, 0, None)), axes
