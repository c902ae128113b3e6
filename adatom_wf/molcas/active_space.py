"""Active-space logic: orbital characters, lanthanide defaults, and the numbers a CASSCF input needs.

Pure Python (imported by the study validator; no numpy). Three jobs:

- :data:`CHARACTERS`: what an active orbital may be ("4f", "6s/5d0", "5dxy", ...), as the adatom's
  atomic-orbital components that measure it (read by :mod:`adatom_wf.molcas.orbitals`);
- :func:`default_oxidation_state`: the paper's scheme for any lanthanide (4f^n of Ln3+ kept in every
  oxidation state, the extra electrons in 6s/5d0, 5dxy, 5dx2-y2), used for the fields a study leaves out;
- :func:`plan_state`: everything derived for one oxidation state of one cluster (electron count from the
  charge, inactive orbitals, parity checks), or a :class:`~adatom_wf.errors.SpecError` saying what is wrong.
"""

import math
import re
from dataclasses import dataclass
from fractions import Fraction

from adatom_wf.errors import SpecError
from adatom_wf.lanthanides import f_count_trivalent, hund_term_f, is_lanthanide


@dataclass(frozen=True)
class Character:
    """An orbital character: how many active orbitals it names and the adatom AO components that measure it.

    ``components`` are (l, m) pairs with m None for "any m" (real spherical harmonics as OpenMolcas labels
    them: d−2 = xy, d−1 = yz, d0 = z², d+1 = xz, d+2 = x²−y²). Only valence contracted functions count:
    ANO-type basis sets order the contractions of each l like the atomic shells, so the first
    :data:`CORE_SHELLS` ``[l]`` functions are the core (1s–5s, 2p–5p, 3d–4d) and are left out.
    """

    orbitals: int
    components: tuple[tuple[int, int | None], ...]
    min_weight: float  # default lower bound of this character (Löwdin weight, 0–1) for an accepted orbital


# Core contracted functions of a lanthanide per angular momentum: 1s–5s, 2p–5p, 3d–4d, no f.
CORE_SHELLS = {0: 5, 1: 4, 2: 2, 3: 0}

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


def check_thresholds(thresholds: dict[str, float]) -> None:
    for name, value in thresholds.items():
        if name not in CHARACTERS:
            raise ValueError(f"min_character names unknown character {name!r}; allowed: {', '.join(CHARACTERS)}")
        if not 0.0 < value <= 1.0:
            raise ValueError(f"min_character[{name!r}] = {value} must be a weight in (0, 1]")


# --- defaults for any lanthanide ---------------------------------------------------------------------------------

def _charge_of(label: str, adatom: str) -> int | None:
    match = re.fullmatch(r"([A-Z][a-z]?)(\d+)([+-]?)", label)
    if not match or match.group(1) != adatom:
        return None
    charge = int(match.group(2))
    return -charge if match.group(3) == "-" else charge


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


def csf_count(electrons: int, orbitals: int, multiplicity: int) -> int:
    """Weyl–Paldus count of CSFs (same formula as :func:`adatom_wf.spec.csf_count`, kept here to avoid a cycle)."""
    two_s = multiplicity - 1
    if (electrons - two_s) % 2 or two_s > electrons or electrons > 2 * orbitals or two_s < 0:
        return 0
    a = (electrons - two_s) // 2
    b = (electrons + two_s) // 2 + 1
    return multiplicity * math.comb(orbitals + 1, a) * math.comb(orbitals + 1, b) // (orbitals + 1)


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
        charge = state.get("charge") if isinstance(state.get("charge"), int) else _charge_of(str(label), adatom)
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



# --- one oxidation state of one cluster -------------------------------------------------------------------------

@dataclass(frozen=True)
class SpinPlan:
    multiplicity: int
    roots: int
    csfs: int

    @property
    def spin(self) -> Fraction:
        return Fraction(self.multiplicity - 1, 2)


@dataclass(frozen=True)
class StatePlan:
    """The numbers of one oxidation state's CASSCF on one cluster, all checked."""

    label: str
    project: str  # OpenMolcas Project (file prefix): the label with '+' -> 'p', '-' -> 'm'
    charge: int
    electrons: int  # of the whole cluster
    inactive: int
    active_electrons: int
    active_orbitals: int
    characters: tuple[str, ...]
    spins: tuple[SpinPlan, ...]
    multiplet_size: int
    crystal_field_element: str | None  # CRYS <element> for SINGLE_ANISO, when the multiplet is the ion's J

    @property
    def so_states(self) -> int:
        return sum(s.multiplicity * s.roots for s in self.spins)

    @property
    def kramers(self) -> bool:
        return self.electrons % 2 == 1


def safe_label(label: str) -> str:
    """``Tb3+`` -> ``Tb3p``, ``Tb1-`` -> ``Tb1m``: a name OpenMolcas can use as its Project and file prefix."""
    return label.replace("+", "p").replace("-", "m")


def cluster_electrons(atomic_numbers, charge: int) -> int:
    return int(sum(int(z) for z in atomic_numbers)) - charge


def plan_state(study, label: str, atomic_numbers) -> StatePlan:
    """Derive and check the CASSCF numbers of oxidation state ``label`` for a cluster of these atoms."""
    states = study.molcas.oxidation_states
    if label not in states:
        raise SpecError(f"oxidation state {label!r} is not defined in study {study.name}; "
                        f"its oxidation states: {', '.join(states)}")
    state = states[label]
    charge = study.charge(label)
    electrons = cluster_electrons(atomic_numbers, charge)
    n_active, m_active = state.active_space.electrons, state.active_space.orbitals
    formula_z = sum(int(z) for z in atomic_numbers)
    if n_active > electrons:
        raise SpecError(f"{label}: {n_active} active electrons but the cluster has only {electrons} "
                        f"(nuclear charge {formula_z}, charge {charge:+d})")
    if (electrons - n_active) % 2:
        raise SpecError(
            f"{label}: the cluster has {electrons} electrons (nuclear charge {formula_z}, charge {charge:+d}) "
            f"and the active space {n_active}: the {electrons - n_active} left for doubly occupied inactive "
            f"orbitals is odd; change the charge or active_space.electrons"
        )
    spins = []
    for spin in state.spin_states:
        if (electrons - (spin.multiplicity - 1)) % 2:
            raise SpecError(f"{label}: multiplicity {spin.multiplicity} is impossible for {electrons} electrons "
                            f"({'odd' if electrons % 2 else 'even'} count needs "
                            f"{'even' if electrons % 2 else 'odd'} multiplicities)")
        csfs = csf_count(n_active, m_active, spin.multiplicity)
        if spin.roots > csfs:
            raise SpecError(f"{label}: {spin.roots} roots for multiplicity {spin.multiplicity} but "
                            f"CAS({n_active},{m_active}) has only {csfs} CSFs of that spin")
        spins.append(SpinPlan(spin.multiplicity, spin.roots, csfs))
    available = sum(s.multiplicity * s.roots for s in spins)
    if state.multiplet_size > available:
        raise SpecError(f"{label}: multiplet_size {state.multiplet_size} exceeds the {available} spin-orbit "
                        "states available")
    return StatePlan(
        label=label, project=safe_label(label), charge=charge, electrons=electrons,
        inactive=(electrons - n_active) // 2, active_electrons=n_active, active_orbitals=m_active,
        characters=tuple(state.active_space.character), spins=tuple(spins),
        multiplet_size=state.multiplet_size, crystal_field_element=_atomic_multiplet(study.adatom, state),
    )


def _atomic_multiplet(adatom: str, state) -> str | None:
    """The element for SINGLE_ANISO's CRYS when the multiplet is the Ln3+ ion's Hund's-rule J multiplet.

    CRYS fits the ground atomic J multiplet of the trivalent ion; it is meaningless for 2+/1+/0 (their CF
    parameters are those of the pseudospin multiplet, which MLTP already gives).
    """
    space = state.active_space
    n_f = f_count_trivalent(adatom)
    if space.character != ["4f"] or space.electrons != n_f or n_f in (0, 14):
        return None
    return adatom if state.multiplet_size == int(2 * hund_term_f(n_f).total + 1) else None
