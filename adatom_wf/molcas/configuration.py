"""What each computed state is made of: electrons per active-orbital character, and weights per spin multiplicity.

* Per spin-free root: ``DENSITY_MATRIX`` of the root's ``rasscf.h5`` (OpenMolcas ≥ 22.10: the active one-body
  density of every root, [NROOTS, NAC, NAC], over the file's active orbitals; its diagonal is what the log prints as
  "Natural orbitals and occupation numbers for root n") on the character basis of
  :func:`adatom_wf.molcas.orbitals.character_basis`: n_G(r) = Σ_{k ∈ G} (Uᵀ D_r U)_kk. The groups G are the
  characters the active-space check measures (4f, 6s/5d0, 5dxy+5dx2-y2, ...), and the n_G(r) add up to the
  active electrons.
* Per SO state s: the spin-free composition w_si = Σ_MS |c_s,(i,MS)|² from ``SOS_COEFFICIENTS_REAL/IMAG`` of
  ``rassi.h5``; n_G(s) = Σ_i w_si n_G(i) and the weight of multiplicity m, Σ_{i of 2S+1 = m} w_si. This leaves out
  the transition densities between spin-free states of one multiplicity (RASSI does not write them by default), so
  it is the configuration of the spin-free states the SO state is made of, which is what the paper discusses.
* Per multiplet: the mean over its SO states.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from adatom_wf.errors import ParseError

# Tolerance of the spin-free energies of rassi.h5 against the RASSCF roots they are matched with (Hartree).
ENERGY_TOLERANCE_HARTREE = 1e-6


@dataclass(frozen=True)
class RootOccupations:
    """Electrons per character group in every root of one RASSCF run."""

    groups: tuple[str, ...]
    electrons: np.ndarray  # (n_roots, n_groups)


@dataclass(frozen=True)
class Composition:
    """What the SO states are made of: electrons per group and weight per spin multiplicity, for each SO state."""

    groups: tuple[str, ...]
    multiplicities: tuple[int, ...]  # descending
    electrons: np.ndarray  # (n_so, n_groups)
    spin_weights: np.ndarray  # (n_so, n_multiplicities)

    def multiplet(self, first: int, size: int) -> dict:
        """The mean over SO states first..first+size-1, as ``show --json`` gives it."""
        electrons = self.electrons[first:first + size].mean(axis=0)
        weights = self.spin_weights[first:first + size].mean(axis=0)
        return {"occupations": occupation_list(self.groups, electrons),
                "spin_weights": [{"multiplicity": m, "weight": round(float(w), 6)}
                                 for m, w in zip(self.multiplicities, weights)]}


def occupation_list(groups, electrons) -> list[dict]:
    return [{"character": group, "electrons": round(float(n), 6)} for group, n in zip(groups, electrons)]


def adatom_number(center_atomic_numbers) -> int | None:
    """The atomic number of the one lanthanide centre (La–Lu, Z 57–71) of an orbital file, else None."""
    found = [int(z) for z in np.asarray(center_atomic_numbers).ravel() if 57 <= int(z) <= 71]
    return found[0] if len(found) == 1 else None


def read_root_occupations(path, characters, adatom: int | None = None) -> RootOccupations | None:
    """Electrons per character group of every root of a ``rasscf.h5``; None if it has no ``DENSITY_MATRIX``.

    ParseError if the file's orbitals cannot be split by those characters."""
    import h5py

    from adatom_wf.molcas.orbitals import character_basis, read_orbitals

    path = Path(path)
    with h5py.File(path, "r") as h5:
        if "DENSITY_MATRIX" not in h5:
            return None
        density = np.asarray(h5["DENSITY_MATRIX"][()], dtype=float)
    orbitals = read_orbitals(path)
    adatom = adatom or adatom_number(orbitals.center_atomic_numbers)
    if adatom is None:
        raise ParseError(f"{path.name}: no single lanthanide centre (CENTER_ATNUMS) to measure orbital characters on")
    labels, basis = character_basis(orbitals, characters, adatom)
    if density.ndim == 2:
        density = density[None]
    if density.ndim != 3 or density.shape[1:] != (basis.shape[0],) * 2:
        raise ParseError(f"{path.name}: DENSITY_MATRIX has shape {density.shape}, expected (roots, {basis.shape[0]}, "
                         f"{basis.shape[0]}) for its {basis.shape[0]} active orbitals")
    per_direction = np.einsum("ik,rij,jk->rk", basis, density, basis)
    groups = tuple(dict.fromkeys(labels))
    columns = np.array([[label == group for label in labels] for group in groups], dtype=float)
    return RootOccupations(groups, per_direction @ columns.T)


def read_composition(path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(w (n_so, n_sf), multiplicity of each spin-free state, its energy in Hartree) from a ``rassi.h5``:
    w_si = Σ_MS |c_s,(i,MS)|², the rows of ``SOS_COEFFICIENTS`` running over |i, S, M_S⟩ state by state."""
    import h5py

    path = Path(path)
    with h5py.File(path, "r") as h5:
        if "SOS_COEFFICIENTS_REAL" not in h5:
            raise ParseError(f"{path.name}: no SOS_COEFFICIENTS_REAL (expected the SO eigenvectors of a RASSI-SO run)")
        real = np.asarray(h5["SOS_COEFFICIENTS_REAL"][()], dtype=float)
        imag = np.asarray(h5["SOS_COEFFICIENTS_IMAG"][()], dtype=float) if "SOS_COEFFICIENTS_IMAG" in h5 else 0.0
        multiplicities = np.atleast_1d(h5.attrs["STATE_SPINMULT"]).astype(int)
        energies = np.atleast_1d(h5["SFS_ENERGIES"][()]).astype(float)
    nss = int(multiplicities.sum())
    if real.shape != (nss, nss) or energies.shape != multiplicities.shape:
        raise ParseError(f"{path.name}: SOS_COEFFICIENTS {real.shape} and SFS_ENERGIES {energies.shape} do not fit "
                         f"{multiplicities.size} spin-free states of {nss} spin components")
    owner = np.repeat(np.arange(multiplicities.size), multiplicities)
    components = (owner[:, None] == np.arange(multiplicities.size)[None, :]).astype(float)  # (nss, n_sf)
    return (real ** 2 + np.asarray(imag) ** 2) @ components, multiplicities, energies


def compose(weights, multiplicities, energies, runs) -> Composition:
    """The SO states' :class:`Composition` from the spin-free weights of :func:`read_composition` and, per RASSCF
    run in the log's order, (multiplicity, root energies in Hartree, :class:`RootOccupations`).

    The spin-free states of one multiplicity are taken in order from the runs of that multiplicity (RASSI reads
    the JobIph files in the input's order, every root), each checked by its energy."""
    groups = runs[0][2].groups
    queues: dict[int, list] = {}
    for multiplicity, root_energies, occupations in runs:
        if occupations.groups != groups:
            raise ParseError(f"the RASSCF runs measure different orbital characters ({groups} vs {occupations.groups})")
        queues.setdefault(multiplicity, []).extend(zip(root_energies, occupations.electrons))
    sf_electrons = []
    for index, (multiplicity, energy) in enumerate(zip(multiplicities, energies)):
        queue = queues.get(int(multiplicity))
        if not queue:
            raise ParseError(f"spin-free state {index + 1} of RASSI (2S+1 = {multiplicity}) is not a root of any "
                             "RASSCF run of the log")
        root_energy, electrons = queue.pop(0)
        if abs(root_energy - energy) > ENERGY_TOLERANCE_HARTREE:
            raise ParseError(f"spin-free state {index + 1} of RASSI (2S+1 = {multiplicity}, {energy:.8f} Eh) is not "
                             f"the next RASSCF root of that multiplicity ({root_energy:.8f} Eh)")
        sf_electrons.append(electrons)
    ordered = tuple(sorted(set(int(m) for m in multiplicities), reverse=True))
    spin = np.stack([weights[:, multiplicities == m].sum(axis=1) for m in ordered], axis=1)
    return Composition(groups, ordered, weights @ np.asarray(sf_electrons), spin)
