"""Extended Stevens operators O_k^q of a (pseudo)spin and the spin Hamiltonian of the paper's Eq. 1.

Convention (Rudowicz's ESO, as EasySpin's ``stev`` and OpenMolcas SINGLE_ANISO print them):

* basis |S, m⟩ ordered m = S, S−1, …, −S;
* O_k^q = α/2 · c_kq (T + T†) for q ≥ 0 and O_k^q = α/(2i) · c_kq (T − T†) for q < 0, where
  T = ad_{S−}^{k−|q|}(S+^k) is the unnormalised spherical tensor (Racah's commutator rule, Ryabov,
  J. Magn. Reson. 140, 141 (1999)), α = 1/2 for even k and odd q and 1 otherwise, and
  c_kq = (−1)^(k−q) / F_kq;
* F_kq is the greatest common divisor of the integer coefficients of T written as S+^|q| P(Sz, S(S+1)):
  the Stevens normalisation "integer coefficients without a common factor". It is computed here
  exactly for any k, and reproduces Ryabov's and EasySpin's table for k ≤ 12 (tested), which is
  what SINGLE_ANISO uses, so O_2^0 = 3Sz² − S(S+1), O_2^2 = (S+² + S−²)/2, O_6^6 = (S+⁶ + S−⁶)/2.

The crystal-field Hamiltonian is H_CF = Σ B_k^q O_k^q (cm⁻¹, even k only: time reversal) and the Zeeman
term H_Z = μB B·g·S (the moment μ = −μB g·S, so H_Z = −μ·B). The paper's Eq. 1 writes −μB B·g·S; the
two differ by S → −S, which changes no energy, g value or |⟨Sz⟩|.
"""

from fractions import Fraction
from functools import cache
from math import comb, gcd

import numpy as np

from adatom_wf.analysis.units import MU_B_CM1_PER_T, finite_array
from adatom_wf.errors import AnalysisError

MAX_PSEUDOSPIN = 50


def pseudospin_value(spin) -> Fraction:
    """The pseudospin as an exact multiple of 1/2 (accepts 6, 6.5, "13/2", Fraction(13, 2))."""
    try:
        value = Fraction(str(spin).strip()) if isinstance(spin, str) else Fraction(spin)
    except (ValueError, TypeError, ZeroDivisionError) as error:
        raise AnalysisError(f"pseudospin {spin!r} is not a number; give a multiple of 1/2 such as 6 or 13/2") from error
    if (2 * value).denominator != 1 or value < Fraction(1, 2) or value > MAX_PSEUDOSPIN:
        raise AnalysisError(
            f"pseudospin {spin} is not a positive multiple of 1/2 up to {MAX_PSEUDOSPIN}; "
            "use S = 1/2, 1, 3/2, … (e.g. 6 for Tb3+ J = 6, 13/2 for Tb2+)"
        )
    return value


def spin_matrices(spin) -> np.ndarray:
    """(3, n, n) array of Sx, Sy, Sz (units of ħ) of a pseudospin in the basis m = S … −S, n = 2S + 1."""
    return spin_operators(int(2 * pseudospin_value(spin)))


def spin_operators(two_s: int, ascending: bool = False) -> np.ndarray:
    """Sx, Sy, Sz of any spin S = two_s / 2 ≥ 0 in the basis m = S … −S, or −S … S with ``ascending`` (RASSI's)."""
    s = two_s / 2
    m = np.arange(s, -s - 1, -1)
    raising = np.diag(np.sqrt(s * (s + 1) - m[1:] * (m[1:] + 1)), k=1)
    sx = (raising + raising.T) / 2
    sy = (raising - raising.T) / 2j
    matrices = np.array([sx.astype(complex), sy, np.diag(m).astype(complex)])
    return matrices[:, ::-1, ::-1] if ascending else matrices


def _poly_shift_down(poly: dict) -> dict:
    """P(m − 1, X) for P given as {(power of m, power of X): integer coefficient}."""
    shifted: dict = {}
    for (i, j), c in poly.items():
        for t in range(i + 1):
            key = (t, j)
            shifted[key] = shifted.get(key, 0) + c * comb(i, t) * (-1) ** (i - t)
    return shifted


def _poly_times_factor(poly: dict, factor: dict) -> dict:
    product: dict = {}
    for (i, j), c in poly.items():
        for (a, b), d in factor.items():
            product[(i + a, j + b)] = product.get((i + a, j + b), 0) + c * d
    return product


@cache
def tensor_polynomial(k: int, q: int) -> tuple:
    """Integer polynomial P_kq(m, X) with T = ad_{S−}^{k−q}(S+^k) = S+^q P_kq(Sz, S(S+1)), q ≥ 0.

    Returned as a tuple of ((power of m, power of X), coefficient). Each commutator with S− maps
    S+^p P(Sz) to S+^(p−1) [P(m)(X − (m+p−1)(m+p)) − P(m−1)(X − m(m−1))].
    """
    poly = {(0, 0): 1}
    for p in range(k, q, -1):
        left = _poly_times_factor(poly, {(0, 1): 1, (2, 0): -1, (1, 0): -(2 * p - 1), (0, 0): -(p - 1) * p})
        right = _poly_times_factor(_poly_shift_down(poly), {(0, 1): 1, (2, 0): -1, (1, 0): 1})
        poly = {key: left.get(key, 0) - right.get(key, 0) for key in set(left) | set(right)}
        poly = {key: c for key, c in poly.items() if c != 0}
    return tuple(sorted(poly.items()))


def stevens_normalisation(k: int, q: int) -> int:
    """F_kq: the greatest common divisor of the coefficients of P_k|q| (Ryabov's F(k, q))."""
    divisor = 0
    for _, c in tensor_polynomial(k, abs(q)):
        divisor = gcd(divisor, abs(c))
    return divisor


def check_rank(spin, k: int, q: int) -> None:
    """Raise unless 0 ≤ k ≤ 2S and −k ≤ q ≤ k (integers)."""
    s = pseudospin_value(spin)
    if int(k) != k or int(q) != q or not 0 <= k <= 2 * s or abs(q) > k:
        raise AnalysisError(
            f"Stevens operator O_{k}^{q} does not exist for pseudospin S = {s}: "
            f"need integers 0 <= k <= 2S = {2 * s} and -k <= q <= k"
        )


def stevens_operator(spin, k: int, q: int) -> np.ndarray:
    """Matrix of the extended Stevens operator O_k^q(S) in the basis m = S … −S (Hermitian)."""
    check_rank(spin, k, q)
    s = pseudospin_value(spin)
    x = s * (s + 1)
    aq = abs(q)
    alpha = Fraction(1, 2) if (k % 2 == 0 and aq % 2 == 1) else Fraction(1)
    scale = alpha * (-1) ** (k - q) / stevens_normalisation(k, q)
    n = int(2 * s + 1)
    tensor = np.zeros((n, n))
    polynomial = tensor_polynomial(k, aq)
    for column in range(n - aq):
        m = s - column - aq  # T maps |m⟩ to |m + q⟩: row m + q = S − column
        value = sum(c * m**i * x**j for (i, j), c in polynomial) * scale
        ladder = 1.0
        for t in range(aq):
            ladder *= np.sqrt(float(x - (m + t) * (m + t + 1)))
        tensor[column, column + aq] = float(value) * ladder
    if q >= 0:
        return (tensor + tensor.T).astype(complex) / 2
    return (tensor - tensor.T) / 2j


def check_cf_parameters(spin, cf_parameters: dict) -> dict:
    """Validate {(k, q): B_k^q in cm⁻¹}: even 2 ≤ k ≤ 2S, |q| ≤ k, finite values."""
    checked = {}
    for (k, q), value in cf_parameters.items():
        check_rank(spin, k, q)
        if k % 2 or k == 0:
            raise AnalysisError(
                f"crystal-field term B_{k}^{q}: the rank k must be even and >= 2 "
                "(time reversal forbids odd k; k = 0 only shifts all levels)"
            )
        checked[(int(k), int(q))] = float(finite_array(f"B_{k}^{q}", value, "cm^-1"))
    return checked


def crystal_field_hamiltonian(spin, cf_parameters: dict) -> np.ndarray:
    """H_CF = Σ B_k^q O_k^q (cm⁻¹) for ``cf_parameters`` = {(k, q): B_k^q in cm⁻¹}."""
    checked = check_cf_parameters(spin, cf_parameters)
    n = int(2 * pseudospin_value(spin) + 1)
    hamiltonian = np.zeros((n, n), dtype=complex)
    for (k, q), value in checked.items():
        hamiltonian += value * stevens_operator(spin, k, q)
    return hamiltonian


def g_tensor_matrix(g) -> np.ndarray:
    """A 3×3 g tensor from one number (isotropic), three (principal values along x, y, z) or nine."""
    values = finite_array("g", g, "(dimensionless)").ravel()
    if values.size == 1:
        return np.eye(3) * values[0]
    if values.size == 3:
        return np.diag(values)
    if values.size == 9:
        return values.reshape(3, 3)
    raise AnalysisError(
        f"g must be 1, 3 or 9 numbers (isotropic, principal gx gy gz, or a 3x3 tensor), got {values.size}"
    )


def moment_operators_mub(spin, g) -> np.ndarray:
    """(3, n, n) moment operator μ_a = −Σ_b g_ab S_b in Bohr magnetons."""
    return -np.einsum("ab,bij->aij", g_tensor_matrix(g), spin_matrices(spin))


def zeeman_hamiltonian(spin, g, field_t) -> np.ndarray:
    """H_Z = −μ·B = μB B·g·S in cm⁻¹ for a field vector ``field_t`` (T)."""
    field = finite_array("field", field_t, "T").ravel()
    if field.size != 3:
        raise AnalysisError(f"the field must be a vector Bx,By,Bz in T, got {field.size} numbers")
    return -MU_B_CM1_PER_T * np.einsum("a,aij->ij", field, moment_operators_mub(spin, g))


def spin_hamiltonian(spin, cf_parameters: dict, g=2.0, field_t=(0.0, 0.0, 0.0)) -> np.ndarray:
    """The paper's Eq. 1: crystal field plus Zeeman term, in cm⁻¹."""
    return crystal_field_hamiltonian(spin, cf_parameters) + zeeman_hamiltonian(spin, g, field_t)
