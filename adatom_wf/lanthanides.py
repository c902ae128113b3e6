"""Per-element data: atomic numbers, and for the lanthanides the 4f count, the Hund's-rule ground term,
the Landé g factor, Kramers parity and the VASP potential with the 4f shell in the core.

Pure Python, imported by the study validator, so it must stay light (no numpy).
"""

from dataclasses import dataclass
from fractions import Fraction

SYMBOLS = (
    "H He Li Be B C N O F Ne Na Mg Al Si P S Cl Ar K Ca Sc Ti V Cr Mn Fe Co Ni Cu Zn Ga Ge As Se Br Kr "
    "Rb Sr Y Zr Nb Mo Tc Ru Rh Pd Ag Cd In Sn Sb Te I Xe Cs Ba La Ce Pr Nd Pm Sm Eu Gd Tb Dy Ho Er Tm Yb "
    "Lu Hf Ta W Re Os Ir Pt Au Hg Tl Pb Bi Po At Rn Fr Ra Ac Th Pa U Np Pu Am Cm Bk Cf Es Fm Md No Lr Rf "
    "Db Sg Bh Hs Mt Ds Rg Cn Nh Fl Mc Lv Ts Og"
).split()
ATOMIC_NUMBERS = {symbol: number for number, symbol in enumerate(SYMBOLS, start=1)}
LANTHANIDES = SYMBOLS[56:71]  # La ... Lu

_L_LETTERS = "SPDFGHIKLMNOQRTUV"


@dataclass(frozen=True)
class Term:
    """A Russell–Saunders term ^(2S+1)L_J with its Landé factor (g_e = 2)."""

    spin: Fraction
    orbital: int
    total: Fraction

    @property
    def multiplicity(self) -> int:
        return int(2 * self.spin + 1)

    @property
    def lande_g(self) -> float:
        j, s, l = self.total, self.spin, self.orbital
        if j == 0:
            return 0.0
        return float(1 + (j * (j + 1) + s * (s + 1) - l * (l + 1)) / (2 * j * (j + 1)))

    @property
    def label(self) -> str:
        j = self.total
        j_text = str(j.numerator) if j.denominator == 1 else f"{j.numerator}/{j.denominator}"
        return f"{self.multiplicity}{_L_LETTERS[self.orbital]}{j_text}"


def hund_term_f(n: int) -> Term:
    """Hund's-rule ground term of an f^n shell (n = 0 … 14)."""
    if not 0 <= n <= 14:
        raise ValueError(f"an f shell holds 0 to 14 electrons, not {n}")
    m_values = [3, 2, 1, 0, -1, -2, -3]
    up, down = min(n, 7), max(n - 7, 0)
    spin = Fraction(up - down, 2)
    orbital = abs(sum(m_values[:up]) + sum(m_values[:down]))
    total = abs(orbital - spin) if n < 7 else orbital + spin
    return Term(spin=spin, orbital=orbital, total=total)


def is_lanthanide(symbol: str) -> bool:
    return symbol in LANTHANIDES


def f_count_trivalent(symbol: str) -> int:
    """Number of 4f electrons of the Ln3+ ion (La3+ 4f^0 … Lu3+ 4f^14)."""
    return ATOMIC_NUMBERS[symbol] - ATOMIC_NUMBERS["La"]


def potcar_f_in_core(symbol: str) -> str:
    """VASP PAW potential with the 4f shell frozen in the core (trivalent), e.g. ``Tb_3``."""
    return "La" if symbol == "La" else f"{symbol}_3"
