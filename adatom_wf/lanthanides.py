"""Per-element data: atomic numbers, and for the lanthanides the 4f count, the Hund's-rule ground term,
the Landé g factor, Kramers parity, the VASP potential with the 4f shell in the core, the characters an
active orbital of the adatom may have, and the paper's default active spaces for any lanthanide.

Pure Python, imported by the study validator, so it must stay light (no numpy). Two jobs beyond the tables:

- :data:`CHARACTERS`: what an active orbital may be ("4f", "6s/5d0", "5dxy", ...), as the adatom's
  atomic-orbital components that measure it (read by :mod:`adatom_wf.molcas.orbitals`);
- :func:`default_oxidation_state`: the paper's scheme for any lanthanide (4f^n of Ln3+ kept in every
  oxidation state, the extra electrons in 6s/5d0, 5dxy, 5dx2-y2), used for the fields a study leaves out.
"""

import math
from dataclasses import dataclass
from fractions import Fraction

from adatom_wf.facts import csf_count, oxidation_state_charge

SYMBOLS = (
    "H He Li Be B C N O F Ne Na Mg Al Si P S Cl Ar K Ca Sc Ti V Cr Mn Fe Co Ni Cu Zn Ga Ge As Se Br Kr "
    "Rb Sr Y Zr Nb Mo Tc Ru Rh Pd Ag Cd In Sn Sb Te I Xe Cs Ba La Ce Pr Nd Pm Sm Eu Gd Tb Dy Ho Er Tm Yb "
    "Lu Hf Ta W Re Os Ir Pt Au Hg Tl Pb Bi Po At Rn Fr Ra Ac Th Pa U Np Pu Am Cm Bk Cf Es Fm Md No Lr Rf "
    "Db Sg Bh Hs Mt Ds Rg Cn Nh Fl Mc Lv Ts Og"
).split()
ATOMIC_NUMBERS = {symbol: number for number, symbol in enumerate(SYMBOLS, start=1)}
LANTHANIDES = SYMBOLS[56:71]  # La ... Lu
# Oxidation states a lanthanide adatom can take: 0 (the neutral atom) to +4 (Ce, Pr, Tb); +3 is the common one.
OXIDATION_STATE_RANGE = (0, 4)

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


# --- the characters of the adatom's active orbitals ----------------------------------------------------------

@dataclass(frozen=True)
class Character:
    """An orbital character: how many active orbitals it names and the adatom AO components that measure it.

    ``components`` are (l, m) pairs with m None for "any m" (real spherical harmonics as OpenMolcas labels
    them: d−2 = xy, d−1 = yz, d0 = z², d+1 = xz, d+2 = x²−y²). Only the valence shell counts: ANO-type basis
    sets order the contractions of each l like the atomic shells, so the first :data:`CORE_SHELLS` ``[l]``
    functions are the core (1s–5s, 2p–5p, 3d–4d) and the next one, :data:`VALENCE_CONTRACTION` ``[l]``, is the
    valence shell (6s, 6p, 5d, 4f; OpenMolcas labels it ``TB1 6s``, ``TB1 5d2-``, ``TB1 4f3-``). Contractions
    beyond it (``TB1 7s``, ``TB1 6d0``, ``TB1 5f3-`` of ANO-RCC-VDZP and larger) are correlating functions, tens
    of Hartree up in a guess: they are not the shell, and counting them picked +18 Eh "4f" guess orbitals (issue 30).
    """

    orbitals: int
    components: tuple[tuple[int, int | None], ...]
    min_weight: float  # default lower bound of this character (Löwdin weight, 0–1) for an accepted orbital


# Core contracted functions of a lanthanide per angular momentum: 1s–5s, 2p–5p, 3d–4d, no f.
CORE_SHELLS = {0: 5, 1: 4, 2: 2, 3: 0}
# The valence shell's contracted function per l (1-based, within the adatom's functions of that l): the
# first after the core. ANO-RCC-MB holds exactly these for Tb (6s5p3d1f: 6s, 6p, 5d, 4f); VDZP, VTZP... add
# correlating contractions after them (REFERENCE.md: MB functions are the leading contractions of VDZP/VTZP).
VALENCE_CONTRACTION = {l_value: core + 1 for l_value, core in CORE_SHELLS.items()}

# Thresholds (docs/molcas.md), from the demo (Tb/benzene, ANO-RCC-MB): 4f stays atomic (≥ 0.98 in
# every accepted RASSCF); the 5d/6s orbitals mix with the ring's π/π* (accepted: 0.37–0.99, the 5dxy/x²−y²
# pair of Tb0 being a δ back-bonding mixture); orbitals of runs that drifted had 0.005–0.17.
CHARACTERS = {
    "4f": Character(7, ((3, None),), 0.90),
    "5d": Character(5, ((2, None),), 0.30),
    "6s": Character(1, ((0, None),), 0.30),
    "6s/5d0": Character(1, ((0, None), (2, 0)), 0.30),
    "5d0": Character(1, ((2, 0),), 0.30),
    "5dxy": Character(1, ((2, -2),), 0.30),
    "5dx2-y2": Character(1, ((2, 2),), 0.30),
    "5dxz": Character(1, ((2, 1),), 0.30),
    "5dyz": Character(1, ((2, -1),), 0.30),
}
EXTRA_ORBITALS = ("6s/5d0", "5dxy", "5dx2-y2")  # where the paper puts the electrons beyond 4f^n

# Partners degenerate at the C6v hollow site (e2: xy, x²−y²; e1: xz, yz). A CASSCF without symmetry may
# return any rotation of such a pair as its natural orbitals (seen on Tb1+/benzene, quintet: 41 % x²−y²
# + 28 % xy in each of the two), so a pair the study names together is measured together.
DEGENERATE_PAIRS = (("5dxy", "5dx2-y2"), ("5dxz", "5dyz"))


# The characters of an active space of n orbitals when no study names them (a run adatom-wf did not write):
# the paper's choices (4f; 4f + 6s/5d0 + the 5dxy/5dx2-y2 pair) and 4f + 5d.
CHARACTERS_BY_ORBITALS = {7: ("4f",), 8: ("4f", "6s/5d0"), 10: ("4f", *EXTRA_ORBITALS), 12: ("4f", "5d")}


def character_slots(characters: list[str]) -> list[str]:
    """One entry per active orbital: ["4f", "6s/5d0"] -> ["4f"] * 7 + ["6s/5d0"]."""
    unknown = [name for name in characters if name not in CHARACTERS]
    if unknown:
        raise ValueError(f"unknown orbital character {unknown[0]!r}; allowed: {', '.join(CHARACTERS)}")
    if len(set(characters)) != len(characters):
        raise ValueError(f"orbital characters {characters} name one character twice")
    return [name for name in characters for _ in range(CHARACTERS[name].orbitals)]


def measured_slots(characters) -> list[tuple[str, tuple[str, ...]]]:
    """One (label, characters measured) per active orbital, degenerate partners pooled:
    ["4f", "5dxy", "5dx2-y2"] -> 7 × ("4f", ("4f",)) + 2 × ("5dxy+5dx2-y2", ("5dxy", "5dx2-y2"))."""
    names = list(characters)
    pools = {name: pair for pair in DEGENERATE_PAIRS if all(p in names for p in pair) for name in pair}
    return [("+".join(pools[name]), pools[name]) if name in pools else (name, (name,))
            for name in character_slots(names)]


def check_characters(characters: list[str], orbitals: int) -> None:
    slots = character_slots(characters)
    if len(slots) != orbitals:
        counts = " + ".join(f"{CHARACTERS[name].orbitals} {name}" for name in characters)
        raise ValueError(f"active_space.character {characters} describes {len(slots)} orbitals ({counts}) "
                         f"but active_space.orbitals is {orbitals}")


def paper_configuration(n_f: int, extra: int) -> dict[str, int]:
    """The paper's ground configuration for 4f^n_f plus ``extra`` (0–3) electrons: the first in 6s/5d0, the others in
    the 5dxy/5dx2-y2 pair (its Fig. 2 and text for Tb3+ … Tb0), as an ``expected_configuration``."""
    expected = {"4f": n_f}
    if extra >= 1:
        expected["6s/5d0"] = 1
    if extra >= 2:
        expected["5dxy+5dx2-y2"] = extra - 1
    return expected


def check_expected_configuration(expected: dict[str, float], characters: list[str], electrons: int) -> None:
    """``expected_configuration`` names the groups the active-space check measures and holds the active electrons."""
    labels = [label for label, _ in measured_slots(characters)]
    groups = list(dict.fromkeys(labels))
    for name, value in expected.items():
        if name not in groups:
            raise ValueError(f"expected_configuration names {name!r}, not a group of active_space.character "
                             f"{list(characters)}; allowed: {', '.join(groups)}")
        if not 0 <= value <= 2 * labels.count(name):
            raise ValueError(f"expected_configuration[{name!r}] = {value} electrons: {name} holds 0 to "
                             f"{2 * labels.count(name)}")
    if abs(sum(expected.values()) - electrons) > 1e-6:
        raise ValueError(f"expected_configuration holds {sum(expected.values()):g} electrons but the active space has "
                         f"{electrons}")


def check_thresholds(thresholds: dict[str, float]) -> None:
    for name, value in thresholds.items():
        if name not in CHARACTERS:
            raise ValueError(f"min_character names unknown character {name!r}; allowed: {', '.join(CHARACTERS)}")
        if not 0.0 < value <= 1.0:
            raise ValueError(f"min_character[{name!r}] = {value} must be a weight in (0, 1]")


# --- defaults for any lanthanide ---------------------------------------------------------------------------------

def default_oxidation_state(adatom: str, charge: int) -> dict:
    """The paper's scheme for ``adatom`` at ``charge``: fields of an oxidation state as study-file data.

    Ln3+: CAS(n, 7) over the 4f shell (n = 4f count of Ln3+), the Hund's-rule multiplicity with all its
    roots (every CSF of that spin), and the 2J+1 states of the Hund's-rule J multiplet.
    Ln2+/Ln1+/Ln0: the same 4f^n plus k = 3 − charge electrons in 6s/5d0, 5dxy, 5dx2-y2, i.e.
    CAS(n + k, 10); multiplicities from the parallel coupling 2(S_f + k/2)+1 down in steps of 2 to
    2|S_f − k/2|+1; roots = (roots of the 4f^n high spin) × C(3, k). The multiplet size of these states
    depends on the 4f–5d exchange (paper: Tb2+ 14, Tb1+ 9, Tb0 14) and has no default.
    """
    n_f = f_count_trivalent(adatom)
    extra = 3 - charge
    label = f"{adatom}{abs(charge)}{'+' if charge > 0 else '-' if charge < 0 else ''}"
    if not 0 <= extra <= 3:
        raise ValueError(f"{label}: no default active space for charge {charge:+d} (defaults cover {adatom}3+ "
                         f"to {adatom}0); give active_space, spin_states and multiplet_size")
    term = hund_term_f(n_f)
    f_mult = term.multiplicity
    f_roots = csf_count_f(n_f, f_mult)
    if extra == 0:
        if n_f in (0, 14):
            raise ValueError(f"{label}: 4f^{n_f} is a closed shell: no default active space")
        return {
            "active_space": {"electrons": n_f, "orbitals": 7, "character": ["4f"]},
            "spin_states": [{"multiplicity": f_mult, "roots": f_roots}],
            "multiplet_size": int(2 * term.total + 1),
        }
    two_s_f = f_mult - 1
    mults = list(range(two_s_f + extra + 1, abs(two_s_f - extra), -2))
    roots = f_roots * math.comb(3, extra)
    return {
        "active_space": {"electrons": n_f + extra, "orbitals": 10, "character": ["4f", *EXTRA_ORBITALS]},
        "spin_states": [{"multiplicity": m, "roots": min(roots, csf_count(n_f + extra, 10, m))} for m in mults],
    }


def csf_count_f(n: int, multiplicity: int) -> int:
    return csf_count(n, 7, multiplicity)


def fill_defaults(data):
    """Study-file data with every oxidation state's missing fields taken from :func:`default_oxidation_state`.

    Called before validation; leaves anything malformed untouched for the validator to report.
    """
    if not isinstance(data, dict):
        return data
    adatom, molcas = data.get("adatom"), data.get("molcas")
    if not isinstance(adatom, str) or not isinstance(molcas, dict):
        return data
    states = molcas.get("oxidation_states")
    if not isinstance(states, dict) or not is_lanthanide(adatom):
        return data
    filled = {}
    for label, state in states.items():
        state = {} if state is None else state
        wanted = ("active_space", "spin_states", "multiplet_size")
        if not isinstance(state, dict) or all(key in state for key in wanted):
            filled[label] = state
            continue
        charge = state.get("charge") if isinstance(state.get("charge"), int) else _charge_or_none(str(label), adatom)
        if charge is None:
            filled[label] = state
            continue
        defaults = default_oxidation_state(adatom, charge)
        missing = [key for key in wanted if key not in state and key not in defaults]
        if missing:
            raise ValueError(f"molcas.oxidation_states.{label}: give {' and '.join(missing)} (no default for "
                             f"{label}: it depends on the 4f–5d exchange; the paper's Tb2+ 14, Tb1+ 9, Tb0 14)")
        filled[label] = {**{key: defaults[key] for key in wanted if key not in state}, **state}
    return {**data, "molcas": {**molcas, "oxidation_states": filled}}





def _charge_or_none(label: str, adatom: str) -> int | None:
    """The label's charge, or None for a label the validator will refuse with its own message."""
    try:
        return oxidation_state_charge(label, adatom)
    except ValueError:
        return None
