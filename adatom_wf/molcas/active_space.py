"""The numbers a CASSCF input needs for one oxidation state of one cluster.

:func:`plan_state`: everything derived for one oxidation state of one cluster (electron count from the
charge, inactive orbitals, parity checks), or a :class:`~adatom_wf.errors.SpecError` saying what is wrong.
The characters an active orbital may have and the lanthanide defaults are per-element data
(:mod:`adatom_wf.lanthanides`); CSF counts are shared facts (:mod:`adatom_wf.facts`).
"""

from dataclasses import dataclass
from fractions import Fraction

from adatom_wf.errors import SpecError
from adatom_wf.facts import csf_count
from adatom_wf.lanthanides import f_count_trivalent, hund_term_f


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
