"""A commented study file for any open-4f lanthanide (``adatom-wf init``): pure text, checked by the validator.

What each oxidation state gets, and where it comes from:

- **derived** (:func:`adatom_wf.lanthanides.default_oxidation_state`): the 4f^n count of Ln3+, kept in every
  oxidation state; the active space (CAS(n, 7) for Ln3+, CAS(n + k, 10) with k = 3 − charge electrons in
  6s/5d0, 5dxy, 5dx2-y2 for the lower charges); the spin multiplicities and roots; for Ln3+ the 2J+1 states
  of the Hund's-rule J multiplet given to SINGLE_ANISO.
- **by analogy** with the Tb paper (marked so in the file): the multiplet of Ln2+ and Ln0 is J = J_f + 1/2
  (the paper's Tb2+ "S = 13/2" and Tb0 "J = 13/2", 14 states each), that of Ln1+ the high spin
  S = S_f + 1 (the paper's Tb1+ "S = 4", 9 states); the adsorption heights are the paper's Tb heights; the
  VASP potential keeps the 4f shell in the core (``Ln_3``, as ``Tb_3`` in the paper); the basis sets.
- **to decide** (said so in the file): the multiplet size of 2+/1+/0 (read the spin-orbit spectrum for the
  gap above the lowest group of states), the roots of the lower spins, the heights (relaxed by VASP at the
  paper scale, used as they are at the demo scale).

Two scales: ``demo`` (the bundled demo_tb_benzene: Ln on C6H6 from the ideal cell, minimal basis, minutes on
a laptop) and ``paper`` (the bundled tb_graphene: three relaxed sites, Ln + C54H18, ANO-RCC-VTZP/VDZP/VDZ).
"""

import textwrap
from dataclasses import dataclass, field
from fractions import Fraction

from adatom_wf.errors import SpecError
from adatom_wf.facts import TB_GRAPHENE_TABLE1
from adatom_wf.lanthanides import (
    LANTHANIDES,
    default_oxidation_state,
    f_count_trivalent,
    hund_term_f,
    is_lanthanide,
    paper_configuration,
    potcar_f_in_core,
)

SCALES = ("demo", "paper")
SUBSTRATES = ("graphene",)
CHARGES = (3, 2, 1, 0)  # what the paper's scheme covers: Ln3+ down to the neutral atom
TB_PAPER_HEIGHTS_ANGSTROM = {site: height for site, (_, height) in TB_GRAPHENE_TABLE1.items()}
OPEN_4F = tuple(symbol for symbol in LANTHANIDES if 0 < f_count_trivalent(symbol) < 14)  # Ce ... Yb


@dataclass(frozen=True)
class StateChoice:
    """One oxidation state's fields (study-file data) and the comment lines saying where each came from."""

    label: str
    fields: dict
    notes: list[str] = field(default_factory=list)


def state_label(adatom: str, charge: int) -> str:
    return f"{adatom}{charge}+" if charge else f"{adatom}0"


def parse_states(adatom: str, text: str) -> list[int]:
    """``"3+,2+"`` (or ``"Dy3+,Dy0"``) -> [3, 2]; a SpecError naming the bad entry and the allowed ones."""
    allowed = [state_label("", c) for c in CHARGES]
    charges = []
    for entry in (part.strip() for part in text.split(",")):
        bare = entry[len(adatom):] if entry.startswith(adatom) else entry
        if bare not in allowed:
            raise SpecError(f"--states: {entry!r} is not an oxidation state init can write; allowed: "
                            f"{', '.join(allowed)} (comma-separated, e.g. 3+,2+)")
        charge = CHARGES[allowed.index(bare)]
        if charge in charges:
            raise SpecError(f"--states: {entry!r} is given twice")
        charges.append(charge)
    return charges


def _j_text(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


def choose_state(adatom: str, charge: int) -> StateChoice:
    """The fields of ``adatom`` at ``charge`` with their provenance (module docstring)."""
    label = state_label(adatom, charge)
    n_f = f_count_trivalent(adatom)
    term = hund_term_f(n_f)
    data = default_oxidation_state(adatom, charge)
    space = data["active_space"]
    spins = ", ".join(f"2S+1 = {s['multiplicity']} x {s['roots']}" for s in data["spin_states"])
    cas = f"CAS({space['electrons']},{space['orbitals']})"
    data = {**data, "expected_configuration": paper_configuration(n_f, 3 - charge)}
    if charge == 3:
        notes = [f"derived: 4f^{n_f}, Hund's rules {term.label} (g_J = {term.lande_g:.4f}) -> {cas} over the 4f; "
                 f"{spins} roots (every CSF of that spin); SINGLE_ANISO on the {data['multiplet_size']} states "
                 f"of J = {_j_text(term.total)}"]
        return StateChoice(label, data, notes)
    extra = 3 - charge
    s_f = term.spin
    if extra == 2:
        pseudo, why = s_f + 1, f"the high spin S = S_f + 1 = {_j_text(s_f + 1)}, as the paper's Tb1+ S = 4 (9 states)"
    else:
        tb = "Tb2+ S = 13/2" if extra == 1 else "Tb0 J = 13/2"
        pseudo, why = term.total + Fraction(1, 2), (f"J = J_f + 1/2 = {_j_text(term.total + Fraction(1, 2))}, "
                                                   f"as the paper's {tb} (14 states)")
    size = int(2 * pseudo + 1)
    data = {**data, "multiplet_size": size}
    where = {1: "one electron", 2: "two electrons", 3: "three electrons"}[extra]
    notes = [f"derived (the paper's scheme for Tb): 4f^{n_f} kept, {where} in 6s/5d0, 5dxy, 5dx2-y2 -> {cas}; "
             f"multiplicities from parallel to antiparallel coupling to the 4f spin; {spins} roots",
             f"BY ANALOGY with the Tb paper: multiplet_size {size}, {why}",
             f"DECIDE: check the multiplet against the spin-orbit spectrum (adatom-wf spectrum STORE --state {label}) "
             f"and set it to the number of states below the first large gap"]
    if extra == 2:
        notes.append("DECIDE: the paper took 14 roots for Tb1+ (2 per 4f root: 6s singly occupied); this default "
                     "takes 3 per 4f root (every pair of the three orbitals)")
    return StateChoice(label, data, notes)


def _flow(value) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {_flow(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(item) for item in value) + "]"
    return str(value)


def _vasp_lines(adatom: str, potcar: str, n_f: int, paper: bool) -> list[str]:
    return [
        "dft:",
        f"  potcars: {{{adatom}: {potcar}, C: C}}         # BY ANALOGY (Tb_3): 4f^{n_f} frozen in the core",
        "  incar:",
        "    ENCUT: 500",
        "    ENAUG: 645",
        "    ISPIN: 1                         # non-spin-polarised: the 4f moment is in the core",
        *(["    IBRION: 2", "    ISIF: 2                          # atoms relax, cell fixed"] if paper else []),
        "    EDIFFG: -0.01                    # forces < 0.01 eV/Å",
        "  kpoints: {style: gamma, grid: [4, 4, 1]}",
        "",
    ]


def _gpaw_lines(paper: bool) -> list[str]:
    """dft: for GPAW (docs/gpaw.md): plane waves at the paper's scale, LCAO (the demo_gpaw settings) at the demo's."""
    if paper:
        return [
            "dft:",
            "  program: gpaw",
            "  kpoints: {style: gamma, grid: [2, 2, 1]}   # the 4x4 cell's converged 4x4 k density (docs/gpaw.md)",
            "  gpaw:",
            "    mode: pw                         # plane waves: the paper's basis kind; ~6x LCAO's cost in 8x8",
            "    ecut_ev: 400                     # converged (docs/gpaw.md, settings table)",
            "    f_in_core: true                  # BY ANALOGY (Tb_3): 4f^n of Ln3+ in a generated core setup",
            "    fmax_ev_per_angstrom: 0.01       # forces < 0.01 eV/Å, the paper's",
            "  # adatom-wf validate FILE estimates each site's relaxation (hours on one core, memory)",
            "",
        ]
    return [
        "dft:",
        "  program: gpaw",
        "  kpoints: {style: gamma, grid: [2, 2, 1]}",
        "  gpaw: {mode: lcao, basis: dzp, f_in_core: true, fmax_ev_per_angstrom: 0.02}   # LCAO, as demo_gpaw",
        "",
    ]


def study_text(adatom: str, charges, *, substrate: str = "graphene", scale: str = "demo",
               command: str = "", dft_program: str = "vasp") -> str:
    """The commented YAML of a new study: ``adatom`` on ``substrate`` in the oxidation states ``charges``."""
    if not is_lanthanide(adatom):
        raise SpecError(f"--adatom {adatom!r} is not a lanthanide; init writes studies for {', '.join(OPEN_4F)}")
    if adatom not in OPEN_4F:
        raise SpecError(f"--adatom {adatom}: {adatom}3+ has a closed 4f shell (4f^{f_count_trivalent(adatom)}), no "
                        f"magnetic multiplet to study; init writes studies for {', '.join(OPEN_4F)}")
    if scale not in SCALES:
        raise SpecError(f"--scale {scale!r}: allowed {', '.join(SCALES)}")
    if substrate not in SUBSTRATES:
        raise SpecError(f"--substrate {substrate!r}: allowed {', '.join(SUBSTRATES)}")
    if not charges:
        raise SpecError("--states: name at least one oxidation state, e.g. 3+")
    choices = [choose_state(adatom, charge) for charge in charges]
    labels = ", ".join(choice.label for choice in choices)
    n_f, term = f_count_trivalent(adatom), hund_term_f(f_count_trivalent(adatom))
    paper = scale == "paper"
    name = f"{adatom.lower()}_{substrate}" if paper else f"demo_{adatom.lower()}_benzene"
    sites = TB_PAPER_HEIGHTS_ANGSTROM if paper else {"hollow": TB_PAPER_HEIGHTS_ANGSTROM["hollow"]}
    potcar = potcar_f_in_core(adatom)
    lines = [
        f"# {adatom} on {substrate}, {labels}.",
        f"# Written by `{command or 'adatom-wf init'}`.",
        "# Check it with `adatom-wf validate FILE`, preview the OpenMolcas inputs with `adatom-wf molcas FILE`,",
        "# run it with `adatom-wf run FILE`. Every key: docs/study-file.md.",
        "#",
        "# Comments say where each number came from:",
        "#   derived          from Hund's rules and the paper's active-space scheme (adatom_wf/lanthanides.py);",
        "#   BY ANALOGY       the choice the Tb paper made for Tb, carried over to " + adatom
        + (" (here: the paper's own);" if adatom == "Tb" else ";"),
        "#   DECIDE           what you must check for " + adatom + " before trusting the results.",
        (f"# Scale paper: the Tb-on-graphene protocol (three relaxed sites, {adatom} + C54H18, "
         "ANO-RCC-VTZP/VDZP/VDZ)." if paper else
         f"# Scale demo: {adatom} on C6H6 from the ideal cell, minimal basis (minutes on a laptop);\n"
         "# --scale paper writes the paper's protocol."),
        f"name: {name}",
        "description: >-",
        *textwrap.wrap(
            f"{adatom} adatom on an 8x8 graphene supercell relaxed at the hollow, top and bridge sites; {adatom} + "
            f"C54H18 cluster from the relaxed hollow cell; SA-CASSCF/RASSI-SO/SINGLE_ANISO for {labels}." if paper else
            f"{adatom} above a C6H6 ring carved from the ideal hollow-site cell, ANO-RCC-MB basis, Cholesky "
            f"integrals; SA-CASSCF/RASSI-SO/SINGLE_ANISO for {labels}.", 104, initial_indent="  ",
            subsequent_indent="  "),
        f"adatom: {adatom}                          # 4f^{n_f} in {adatom}3+, ground term {term.label}",
        "",
        "substrate:",
        f"  kind: {substrate}",
        "  supercell: [8, 8]                  # 128 C",
        "  lattice_constant_angstrom: 2.467   # PBE graphene",
        "  vacuum_angstrom: 15.0",
        "",
        ("sites:                               # BY ANALOGY: the Tb heights of the paper's Table 1; VASP relaxes them"
         if paper else
         "sites:                               # BY ANALOGY: the paper's Tb height; DECIDE: the demo uses it as is"),
        *[f"  {site}: {{height_angstrom: {height}}}" for site, height in sites.items()],
        "",
        *(_gpaw_lines(paper) if dft_program == "gpaw" else _vasp_lines(adatom, potcar, n_f, paper)),

        "cluster:",
        "  site: hollow",
        ("  rings: 3                           # + C54H18 (circumcoronene)" if paper else
         "  rings: 1                           # + C6H6"),
        ("  geometry: relaxed                  # carved from the relaxed hollow cell" if paper else
         "  geometry: ideal                    # no VASP needed: carve the ideal cell"),
        "  ch_bond_angstrom: 1.09",
        "  symmetrize: true                   # C6v, as the paper's cluster",
        "",
        "molcas:",
        "  relativity: DKH2",
        (f"  basis: {{{adatom}: ANO-RCC-VTZP, C: ANO-RCC-VDZP, H: ANO-RCC-VDZ}}   # the paper's" if paper else
         f"  basis: {{{adatom}: ANO-RCC-MB, C: ANO-RCC-MB, H: ANO-RCC-MB}}"),
        ("  cholesky: auto                     # RICD from 100 basis functions on" if paper else
         "  cholesky: true"),
        "  # rasscf: {iterations: 200, rescue: 3}   # the defaults: a RASSCF stopped at the limit is restarted up to",
        "  #                                         # 3 times up the rescue ladder (docs/molcas.md, \"Convergence\")",
        "  # orbitals: {guess: auto, project_from: ANO-RCC-MB}   # the defaults: beyond the minimal basis each state's",
        "  #                                         # first RASSCF starts from its MB orbitals, expanded (EXPBAS)",
        "  oxidation_states:",
    ]
    for choice in choices:
        lines.append(f"    {choice.label}:")
        for note in choice.notes:
            lines.extend(textwrap.wrap(note, 112, initial_indent="      # ", subsequent_indent="      #   "))
        lines.append(f"      active_space: {_flow(choice.fields['active_space'])}")
        lines.append("      spin_states:")
        lines.extend(f"        - {_flow(spin)}" for spin in choice.fields["spin_states"])
        lines.append(f"      multiplet_size: {choice.fields['multiplet_size']}")
        lines.append(f"      expected_configuration: {_flow(choice.fields['expected_configuration'])}"
                     "   # BY ANALOGY with the Tb paper; the report flags a ground multiplet that differs")
    return "\n".join(lines) + "\n"
