"""Which orbitals are active: picking starting orbitals by atomic-orbital character, and checking the result.

OpenMolcas's ``.h5`` files (``guessorb.h5`` from SEWARD, ``rasscf.h5`` from each RASSCF) hold the MO
coefficients (``MO_VECTORS``, one row per MO after reshaping), the AO overlap (``AO_OVERLAP_MATRIX``),
and what each basis function is (``BASIS_FUNCTION_IDS``: centre, contracted-function index within its l,
l, m). The character of an MO is its Löwdin weight (C S^½)² summed over the adatom's valence functions
of that character (:data:`adatom_wf.molcas.active_space.CHARACTERS`), so every number is between 0 and
1 and the weights of one MO over all basis functions add up to 1.

:func:`pick_start_orbitals` assigns one guess orbital to each active slot ("4f" ×7, "6s/5d0", ...) by
maximising the summed weight (Hungarian algorithm), fills the inactive space with the lowest remaining
orbitals (never one that is mostly adatom 6s/5d), and :func:`inporb_text` writes them as an INPORB file
with a TypeIndex. :func:`check_active_orbitals` judges a finished RASSCF the same way: every active
orbital must carry its character above the threshold, and no inactive orbital may be mostly adatom 6s/5d.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from adatom_wf.errors import ParseError
from adatom_wf.lanthanides import CHARACTERS, VALENCE_CONTRACTION, measured_slots
from adatom_wf.molcas.active_space import StatePlan

MIN_GUESS_WEIGHT = 0.30  # a guess orbital below this is no start for that character: stop before RASSCF
MAX_INACTIVE_VALENCE_WEIGHT = 0.50  # an inactive (doubly occupied) orbital above this holds adatom 6s/5d electrons
VALENCE = ((0, None), (2, None))  # adatom 6s and 5d: where the electrons beyond 4f^n may go


@dataclass(frozen=True)
class Orbitals:
    """MOs of one ``.h5`` file (no symmetry): coefficients as rows, AO overlap, basis function ids."""

    path: str
    coefficients: np.ndarray  # (n_mo, n_basis)
    overlap: np.ndarray  # (n_basis, n_basis)
    basis_ids: np.ndarray  # (n_basis, 4): centre (1-based), contracted index within l (1-based), l, m
    energies: np.ndarray
    occupations: np.ndarray
    type_indices: tuple[str, ...]  # 'F', 'I', '1', '2', '3', 'S', 'D' per MO
    center_atomic_numbers: np.ndarray

    def center_of(self, atomic_number: int) -> int:
        """1-based index of the one centre with this atomic number (the adatom)."""
        found = np.flatnonzero(self.center_atomic_numbers == atomic_number)
        if found.size != 1:
            raise ParseError(f"{self.path}: expected one centre with Z = {atomic_number}, found {found.size}")
        return int(found[0]) + 1


def read_orbitals(path: str | Path) -> Orbitals:
    """Read the orbitals of an OpenMolcas ``guessorb.h5``/``scf.h5``/``rasscf.h5`` (C1 only)."""
    import h5py

    path = Path(path)
    try:
        with h5py.File(path, "r") as h5:
            nsym = int(h5.attrs["NSYM"])
            if nsym != 1:
                raise ParseError(f"{path}: {nsym} irreps; the orbital check handles C1 (no symmetry) only")
            n = int(np.asarray(h5.attrs["NBAS"]).ravel()[0])
            data = {name: h5[name][()] for name in ("MO_VECTORS", "AO_OVERLAP_MATRIX", "BASIS_FUNCTION_IDS",
                                                     "MO_ENERGIES", "MO_OCCUPATIONS", "MO_TYPEINDICES",
                                                     "CENTER_ATNUMS")}
    except (OSError, KeyError) as error:
        raise ParseError(f"{path}: not a readable OpenMolcas orbital file ({error})") from None
    if data["MO_VECTORS"].size != n * n or data["AO_OVERLAP_MATRIX"].size != n * n:
        raise ParseError(f"{path}: MO_VECTORS/AO_OVERLAP_MATRIX do not hold {n}x{n} numbers (NBAS {n})")
    types = tuple(t.decode() if isinstance(t, bytes) else str(t) for t in data["MO_TYPEINDICES"])
    return Orbitals(str(path), data["MO_VECTORS"].reshape(n, n), data["AO_OVERLAP_MATRIX"].reshape(n, n),
                    np.asarray(data["BASIS_FUNCTION_IDS"]), np.asarray(data["MO_ENERGIES"]),
                    np.asarray(data["MO_OCCUPATIONS"]), types, np.asarray(data["CENTER_ATNUMS"]))


def lowdin_weights(orbitals: Orbitals) -> np.ndarray:
    """(n_mo, n_basis) Löwdin weights: squares of C S^½; each row sums to 1 for orthonormal MOs."""
    return _lowdin_coefficients(orbitals) ** 2


def component_mask(orbitals: Orbitals, center: int, components) -> np.ndarray:
    """The basis functions of the adatom's valence shell with these (l, m): per l only its valence contracted
    function (:data:`~adatom_wf.lanthanides.VALENCE_CONTRACTION`), never the correlating ones of a larger ANO
    basis (``BASIS_FUNCTION_IDS`` column 2 is the contraction's index within its l: ``TB1 4f`` is 1, ``5f`` 2)."""
    ids = orbitals.basis_ids
    mask = np.zeros(len(ids), dtype=bool)
    for l_value, m_value in components:
        part = ((ids[:, 0] == center) & (ids[:, 2] == l_value)
                & (ids[:, 1] == VALENCE_CONTRACTION.get(l_value, 1)))
        if m_value is not None:
            part &= ids[:, 3] == m_value
        mask |= part
    return mask


def character_weights(orbitals: Orbitals, center: int, weights: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Weight of every character of :data:`CHARACTERS` (plus "adatom" and "6s+5d") in every MO."""
    weights = lowdin_weights(orbitals) if weights is None else weights
    result = {name: weights[:, component_mask(orbitals, center, spec.components)].sum(axis=1)
              for name, spec in CHARACTERS.items()}
    result["adatom"] = weights[:, orbitals.basis_ids[:, 0] == center].sum(axis=1)
    result["6s+5d"] = weights[:, component_mask(orbitals, center, VALENCE)].sum(axis=1)
    return result


def slot_weights(orbitals: Orbitals, center: int, slots, weights: np.ndarray) -> dict[str, np.ndarray]:
    """Weight in every MO of each slot label (a pooled pair: the union of both members' functions)."""
    result = {}
    for label, members in slots:
        components = tuple(c for name in members for c in CHARACTERS[name].components)
        result[label] = weights[:, component_mask(orbitals, center, components)].sum(axis=1)
    return result


def _assign(slots: list[str], weights: dict[str, np.ndarray], candidates: np.ndarray) -> list[int]:
    """For each slot, the candidate MO (index into all MOs) maximising the summed weight; distinct MOs."""
    from scipy.optimize import linear_sum_assignment

    cost = -np.array([weights[name][candidates] for name in slots])
    rows, cols = linear_sum_assignment(cost)
    chosen = [0] * len(slots)
    for row, col in zip(rows, cols):
        chosen[row] = int(candidates[col])
    return chosen


# --- starting orbitals ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class StartOrbitals:
    """Guess orbitals reordered inactive | active | secondary, and what was picked for each active slot."""

    order: tuple[int, ...]  # 0-based MO indices of the source file, in the new order
    inactive: int
    active: int
    picks: tuple[dict, ...]  # per active slot: character, source MO (1-based), weight, energy
    ok: bool
    failure: str = ""


def pick_start_orbitals(orbitals: Orbitals, plan: StatePlan, adatom_number: int) -> StartOrbitals:
    center = orbitals.center_of(adatom_number)
    lowdin = lowdin_weights(orbitals)
    weights = character_weights(orbitals, center, lowdin)
    measured = measured_slots(plan.characters)
    weights.update(slot_weights(orbitals, center, measured, lowdin))
    slots = [label for label, _ in measured]
    n_mo = orbitals.coefficients.shape[0]
    if plan.inactive + len(slots) > n_mo:
        return StartOrbitals((), plan.inactive, len(slots), (), False,
                             f"{plan.inactive} inactive + {len(slots)} active orbitals exceed the {n_mo} MOs")
    chosen = _assign(slots, weights, np.arange(n_mo))
    picks: tuple[dict[str, Any], ...] = tuple(
        {"character": name, "source_mo": index + 1, "weight": round(float(weights[name][index]), 4),
         "energy_hartree": round(float(orbitals.energies[index]), 6)} for name, index in zip(slots, chosen))
    weak = [p for p in picks if p["weight"] < MIN_GUESS_WEIGHT]
    by_energy = [int(i) for i in np.argsort(orbitals.energies, kind="stable") if int(i) not in set(chosen)]
    # Doubly occupied orbitals are the lowest remaining ones, except adatom 6s/5d orbitals: those would put
    # the extra electrons on the adatom outside the active space (a different oxidation state).
    inactive = [i for i in by_energy if weights["6s+5d"][i] <= MAX_INACTIVE_VALENCE_WEIGHT][:plan.inactive]
    secondary = [i for i in by_energy if i not in set(inactive)]
    active = [chosen[k] for k in sorted(range(len(chosen)), key=lambda k: (orbitals.energies[chosen[k]], k))]
    order = tuple(inactive + active + secondary)
    if weak:
        worst = min(weak, key=lambda p: p["weight"])
        return StartOrbitals(order, plan.inactive, len(slots), picks, False,
                             f"the guess orbitals have no {worst['character']} orbital: best weight "
                             f"{worst['weight']:.2f} < {MIN_GUESS_WEIGHT} ({orbitals.path})")
    if len(inactive) < plan.inactive:
        return StartOrbitals(order, plan.inactive, len(slots), picks, False,
                             f"only {len(inactive)} orbitals can be inactive, {plan.inactive} needed")
    return StartOrbitals(order, plan.inactive, len(slots), picks, True)


def _fortran(value: float) -> str:
    value = float(value)
    if abs(value) < 1e-99:
        value = 0.0
    return f"{value:22.14E}"


def inporb_text(orbitals: Orbitals, start: StartOrbitals, active_electrons: int, title: str) -> str:
    """An INPORB 2.2 file of the reordered orbitals with occupations and the TypeIndex (i, 2, s)."""
    order = list(start.order)
    n = len(order)
    lines = ["#INPORB 2.2", "#INFO", f"* {title}", "       0       1       0", f"{n:8d}", f"{n:8d}", "#ORB"]
    for k, index in enumerate(order, start=1):
        lines.append(f"* ORBITAL    1{k:5d}")
        row = orbitals.coefficients[index]
        lines += ["".join(_fortran(x) for x in row[j:j + 5]) for j in range(0, n, 5)]
    occupations = ([2.0] * start.inactive + [active_electrons / start.active] * start.active
                   + [0.0] * (n - start.inactive - start.active))
    lines += ["#OCC", "* OCCUPATION NUMBERS"]
    lines += ["".join(_fortran(x) for x in occupations[j:j + 5]) for j in range(0, n, 5)]
    lines += ["#OCHR", "* OCCUPATION NUMBERS (HUMAN-READABLE)"]
    lines += ["".join(f"{x:8.4f}" for x in occupations[j:j + 10]) for j in range(0, n, 10)]
    energies = [float(orbitals.energies[i]) for i in order]
    lines += ["#ONE", "* ONE ELECTRON ENERGIES"]
    lines += ["".join(f"{x:12.4E}" for x in energies[j:j + 10]) for j in range(0, n, 10)]
    types = "i" * start.inactive + "2" * start.active + "s" * (n - start.inactive - start.active)
    lines += ["#INDEX", "* 1234567890"]
    lines += [f"{(j // 10) % 10} {types[j:j + 10]}" for j in range(0, n, 10)]
    return "\n".join(lines) + "\n"


# --- the check after every RASSCF ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class ActiveSpaceCheck:
    """The character of the active space of one RASSCF, and the verdict.

    ``orbitals``: per slot, the weight of the active-space orbital with the most of that character
    (principal vectors: invariant to rotations among the active orbitals); ``natural_orbitals``: what each
    active natural orbital is made of; ``inactive_valence``: the largest adatom 6s/5d weight an orbital
    of the inactive space can have.
    """

    path: str
    orbitals: tuple[dict, ...]
    natural_orbitals: tuple[dict, ...] = ()
    inactive_valence: float = 0.0
    independence: float = 1.0
    ok: bool = True
    failure: str = ""

    def summary(self) -> dict:
        return {"file": Path(self.path).name, "ok": self.ok, "failure": self.failure,
                "active_orbitals": list(self.orbitals), "natural_orbitals": list(self.natural_orbitals),
                "inactive_max_6s5d": round(self.inactive_valence, 4), "independence": round(self.independence, 4)}


def _principal(space: np.ndarray, columns: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``count`` orbitals of ``space`` (orthonormal rows, Löwdin AO basis) with the most weight on
    ``columns``: their weights (squared cosines of the principal angles) and their coefficients over the rows."""
    if not columns.any():
        return np.zeros(count), np.zeros((space.shape[0], count))
    left, singular, _ = np.linalg.svd(space[:, columns], full_matrices=False)
    weights = np.zeros(count)
    vectors = np.zeros((space.shape[0], count))
    n = min(count, singular.size)
    weights[:n], vectors[:, :n] = singular[:n] ** 2, left[:, :n]
    return weights, vectors


def _lowdin_coefficients(orbitals: Orbitals) -> np.ndarray:
    """The MOs over Löwdin-orthogonalised AOs (C S^½, one row per MO)."""
    values, vectors = np.linalg.eigh(orbitals.overlap)
    return orbitals.coefficients @ ((vectors * np.sqrt(np.clip(values, 0.0, None))) @ vectors.T)


def _principal_by_character(orbitals: Orbitals, space: np.ndarray, center: int, measured):
    """For each slot label of ``measured`` (in order): (label, weights, vectors) of its principal orbitals in
    ``space`` (:func:`_principal`, as many as the label has slots)."""
    for label in dict.fromkeys(label for label, _ in measured):
        members = next(m for lab, m in measured if lab == label)
        count = sum(1 for lab, _ in measured if lab == label)
        components = tuple(c for member in members for c in CHARACTERS[member].components)
        weights, vectors = _principal(space, component_mask(orbitals, center, components), count)
        yield label, weights, vectors


def active_orbitals(orbitals: Orbitals) -> np.ndarray:
    """Indices of the active MOs (TypeIndex 1, 2 or 3: RAS1, RAS2, RAS3), in the file's order."""
    return np.array([i for i, t in enumerate(orbitals.type_indices) if t in ("1", "2", "3")], dtype=int)


def character_basis(orbitals: Orbitals, characters, adatom_number: int) -> tuple[list[str], np.ndarray]:
    """The active space split by character: a label per direction and an orthonormal basis of the active space.

    Column k of the (n_active, n_active) matrix is a vector over the file's active MOs: the principal orbitals
    of each character (:func:`_principal`, degenerate partners pooled as in :func:`check_active_orbitals`),
    Löwdin-orthogonalised together (the closest orthonormal set), so the electrons a density puts on the columns
    of one label add up, over all labels, to its trace. Invariant to rotations among the active orbitals.
    """
    measured = measured_slots(characters)
    active = active_orbitals(orbitals)
    if active.size != len(measured):
        raise ParseError(f"{Path(orbitals.path).name}: {active.size} active orbitals, but the characters "
                         f"{list(characters)} describe {len(measured)}")
    center = orbitals.center_of(adatom_number)
    space = _lowdin_coefficients(orbitals)[active]
    labels, columns = [], []
    for label, _, vectors in _principal_by_character(orbitals, space, center, measured):
        labels += [label] * vectors.shape[1]
        columns.append(vectors)
    basis = np.hstack(columns)
    values, vectors = np.linalg.eigh(basis.T @ basis)
    if values.min() < 1e-6:
        raise ParseError(f"{Path(orbitals.path).name}: the active orbitals of characters {list(characters)} are not "
                         "independent (one orbital carries two characters)")
    return labels, basis @ (vectors / np.sqrt(values)) @ vectors.T


def check_active_orbitals(orbitals: Orbitals, plan: StatePlan, adatom_number: int,
                       thresholds: dict[str, float] | None = None) -> ActiveSpaceCheck:
    """Judge a RASSCF's active space: for every slot an active orbital with that character above threshold.

    Rotations among active orbitals leave a CASSCF unchanged, and natural orbitals of (nearly) equal
    occupation are not unique (the Tb0 decet averages over all its CSFs: every occupation is 1.1 and
    OpenMolcas returns 4f/5d mixtures), so the verdict uses the active-space orbitals of most character of
    each kind (SVD of the active space restricted to the adatom's functions of that character), which must
    also be independent of one another (no orbital counted twice). The inactive space may hold no orbital
    that is more than 50 % adatom 6s/5d.
    """
    thresholds = {name: spec.min_weight for name, spec in CHARACTERS.items()} | dict(thresholds or {})
    name = Path(orbitals.path).name
    center = orbitals.center_of(adatom_number)
    measured = measured_slots(plan.characters)
    thresholds.update({label: max(thresholds[m] for m in members) for label, members in measured})
    active = active_orbitals(orbitals)
    inactive = np.array([i for i, t in enumerate(orbitals.type_indices) if t == "I"], dtype=int)
    if active.size != len(measured):
        return ActiveSpaceCheck(orbitals.path, (), ok=False,
                                failure=f"{name}: {active.size} active orbitals, expected {len(measured)}")
    orthonormal = _lowdin_coefficients(orbitals)
    rows, chosen = [], []
    for label, weights, vecs in _principal_by_character(orbitals, orthonormal[active], center, measured):
        chosen.append(vecs)
        for weight in weights:
            rows.append({"character": label, "weight": round(float(weight), 4), "threshold": thresholds[label],
                         "accepted": bool(weight >= thresholds[label])})
    independence = float(np.linalg.svd(np.hstack(chosen), compute_uv=False).min())
    lowdin = orthonormal ** 2
    slot_w = slot_weights(orbitals, center, measured, lowdin)
    adatom = lowdin[:, orbitals.basis_ids[:, 0] == center].sum(axis=1)
    natural = tuple({"mo": int(i) + 1, "occupation": round(float(orbitals.occupations[i]), 4),
                     "adatom": round(float(adatom[i]), 4),
                     **{label: round(float(slot_w[label][i]), 4)
                        for label in dict.fromkeys(lab for lab, _ in measured)}}
                    for i in active)
    valence, _ = _principal(orthonormal[inactive], component_mask(orbitals, center, VALENCE), 1) \
        if inactive.size else (np.zeros(1), None)
    problems = []
    for label in dict.fromkeys(r["character"] for r in rows):
        group = [r for r in rows if r["character"] == label]
        if any(not r["accepted"] for r in group):
            which = f"best {label} orbital" if len(group) == 1 else f"{len(group)} best {label} orbitals"
            found = ", ".join(f"{100 * r['weight']:.1f}%" for r in group)
            problems.append(f"the active space's {which}: {found} "
                            f"(each must be >= {100 * group[0]['threshold']:.0f}%)")
    if independence < 0.5:
        problems.append(f"the same active orbitals carry two characters (independence {independence:.2f} < 0.5)")
    if valence[0] > MAX_INACTIVE_VALENCE_WEIGHT:
        problems.append(f"an inactive (doubly occupied) orbital is {100 * valence[0]:.1f}% adatom 6s/5d")
    failure = f"{name}: active space drifted: {'; '.join(problems)}" if problems else ""
    return ActiveSpaceCheck(orbitals.path, tuple(rows), natural, float(valence[0]), independence, not problems,
                            failure)

