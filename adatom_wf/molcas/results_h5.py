"""What OpenMolcas writes to HDF5: ``<project>.m<2S+1>.rasscf.h5`` per multiplicity and ``<project>.rassi.h5``.

Facts this relies on (OpenMolcas 22.10, checked on the demo's outputs; shared/REFERENCE.md):

* ``rasscf.h5`` attributes ``SPINMULT``, ``NACTEL``, ``NROOTS``, ``RASSCF_ITERATIONS``, ``MOLCAS_VERSION``;
  dataset ``ROOT_ENERGIES`` (Hartree). ``RASSCF_ITERATIONS`` counts one iteration more than the log's
  "Convergence after N iterations" (or "No convergence after N"): RASSCF prints one last iteration line after
  that verdict (the final CI with the converged orbitals), and the attribute counts it. The count read here is
  the log's N (``RASSCF_ITERATIONS`` − 1).
* ``rassi.h5`` attribute ``STATE_SPINMULT`` (one per spin-free state); ``SFS_ENERGIES`` (Hartree, absolute),
  ``SOS_ENERGIES`` (Hartree, relative to the lowest *spin-free* state), ``SFS_ANGMOM`` ⟨i|iL|j⟩ (real,
  antisymmetric), ``SOS_COEFFICIENTS_REAL/IMAG`` whose row I (as h5py reads it) is SO state I over the
  spin-free basis |i, S, M_S⟩ ordered state by state, M_S = −S … S.
* In 22.10 ``SOS_ANGMOM_*`` and ``SOS_SPIN_*`` are written full of zeros, so the SO-basis L and S are rebuilt
  here from ``SFS_ANGMOM``, the multiplicities and the coefficients (always, whatever the version): on the demo
  this reproduces SINGLE_ANISO's g of the Tb3+ and Tb2+ multiplets to 1e-8.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from adatom_wf.analysis.moments import magnetic_moment_mub, pseudospin_g_tensor
from adatom_wf.analysis.stevens import spin_operators
from adatom_wf.analysis.units import HARTREE_CM1
from adatom_wf.errors import ParseError


@dataclass(frozen=True)
class RasscfH5:
    multiplicity: int
    root_energies_hartree: list
    active_electrons: int
    iterations: int | None
    molcas_version: str | None


@dataclass(frozen=True)
class SpinOrbitStates:
    """The lowest SO states of a RASSI run: energies (cm⁻¹, relative to the lowest SO state) of all states,
    and L, S (3, n, n) complex in the basis of the lowest ``n`` SO states (ascending energy)."""

    energies_cm1: np.ndarray
    angular_momentum: np.ndarray
    spin: np.ndarray
    sf_energies_hartree: np.ndarray
    sf_multiplicities: np.ndarray
    molcas_version: str | None
    # L, S of the same states as RASSI wrote them (SOS_ANGMOM_*, SOS_SPIN_*) where it filled them (later
    # versions with MEES; all zeros in 22.10), else None: cross-checked, not used (docs/molcas.md)
    written_angular_momentum: np.ndarray | None = None
    written_spin: np.ndarray | None = None


def _version(value) -> str | None:
    """``MOLCAS_VERSION`` as its first word: ``b"v22.10 ?"`` -> ``"v22.10"`` (the ``?`` is an unknown git hash)."""
    if value is None:
        return None
    words = (value.decode() if isinstance(value, bytes) else str(value)).split()
    return words[0] if words else None


def _open(path: Path, what: str):
    import h5py

    try:
        return h5py.File(path, "r")
    except Exception as error:  # OSError for a damaged file; h5py raises other kinds too
        raise ParseError(f"{path.name}: not a readable HDF5 file ({what}): {error}") from None


def _dataset(h5, name: str, path: Path):
    if name not in h5:
        raise ParseError(f"{path.name}: dataset {name} is missing (expected in an OpenMolcas "
                         f"{_version(h5.attrs.get('MOLCAS_MODULE')) or ''} file)")
    return h5[name][()]


@dataclass(frozen=True)
class H5Kind:
    """What an OpenMolcas HDF5 file holds, read from its own attributes (whatever its name): ``module``
    (``MOLCAS_MODULE``: RASSCF, RASSI, GUESSORB, SCF, ...), and for a RASSCF file its multiplicity and roots."""

    path: Path
    module: str
    multiplicity: int | None = None
    roots: int | None = None


def h5_kind(path) -> H5Kind:
    """The module that wrote ``path`` (``MOLCAS_MODULE``, else guessed from RASSCF's ``SPINMULT`` +
    ``ROOT_ENERGIES`` or RASSI's ``STATE_SPINMULT`` + ``SOS_ENERGIES``); ParseError if it is not readable HDF5."""
    path = Path(path)
    with _open(path, "any OpenMolcas module") as h5:
        try:
            module = _version(h5.attrs.get("MOLCAS_MODULE")) or ""
            if not module and "SPINMULT" in h5.attrs and "ROOT_ENERGIES" in h5:
                module = "RASSCF"
            elif not module and "STATE_SPINMULT" in h5.attrs and "SOS_ENERGIES" in h5:
                module = "RASSI"
            module = module.upper()
            if module == "RASSCF" and "SPINMULT" in h5.attrs:
                roots = h5.attrs.get("NROOTS")
                return H5Kind(path, module, int(h5.attrs["SPINMULT"]), None if roots is None else int(roots))
            return H5Kind(path, module)
        except Exception as error:  # h5py raises many kinds on a damaged file
            raise ParseError(f"{path.name}: HDF5 attributes cannot be read ({type(error).__name__}: {error})") from None


def read_rasscf_h5(path) -> RasscfH5:
    """The multiplicity, root energies, active electrons and iterations of one RASSCF run."""
    path = Path(path)
    try:
        return _read_rasscf_h5(path)
    except ParseError:
        raise
    except Exception as error:  # h5py raises OSError, KeyError, ValueError, ... on a damaged file
        raise ParseError(f"{path.name}: RASSCF data cannot be read ({type(error).__name__}: {error}; expected "
                         "SPINMULT, NACTEL and ROOT_ENERGIES)") from None


def _read_rasscf_h5(path: Path) -> RasscfH5:
    with _open(path, "RASSCF") as h5:
        if "SPINMULT" not in h5.attrs:
            raise ParseError(f"{path.name}: attribute SPINMULT is missing (not an OpenMolcas rasscf.h5?)")
        energies = np.atleast_1d(_dataset(h5, "ROOT_ENERGIES", path)).astype(float)
        if not np.all(np.isfinite(energies)):
            raise ParseError(f"{path.name}: ROOT_ENERGIES holds NaN or infinite values")
        iterations = h5.attrs.get("RASSCF_ITERATIONS")  # the log's N + 1 (module docstring)
        return RasscfH5(int(h5.attrs["SPINMULT"]), [float(e) for e in energies], int(h5.attrs.get("NACTEL", 0)),
                        None if iterations is None else max(int(iterations) - 1, 0),
                        _version(h5.attrs.get("MOLCAS_VERSION")))


def read_rassi_h5(path, n_states: int) -> SpinOrbitStates:
    """SO energies of ``path`` and L, S of its lowest ``n_states`` SO states (rebuilt from the spin-free data)."""
    path = Path(path)
    try:
        return _read_rassi_h5(path, n_states)
    except ParseError:
        raise
    except Exception as error:  # h5py raises OSError, KeyError, ValueError, ... on a damaged file
        raise ParseError(f"{path.name}: RASSI data cannot be read ({type(error).__name__}: {error}; expected "
                         "STATE_SPINMULT, SOS_ENERGIES, SFS_ANGMOM and SOS_COEFFICIENTS_*)") from None


def _read_rassi_h5(path: Path, n_states: int) -> SpinOrbitStates:
    with _open(path, "RASSI") as h5:
        if "STATE_SPINMULT" not in h5.attrs:
            raise ParseError(f"{path.name}: attribute STATE_SPINMULT is missing (not an OpenMolcas rassi.h5?)")
        multiplicities = np.atleast_1d(h5.attrs["STATE_SPINMULT"]).astype(int)
        so_energies = np.atleast_1d(_dataset(h5, "SOS_ENERGIES", path)).astype(float)
        sf_energies = np.atleast_1d(_dataset(h5, "SFS_ENERGIES", path)).astype(float)
        angmom = _dataset(h5, "SFS_ANGMOM", path)
        coefficients = _dataset(h5, "SOS_COEFFICIENTS_REAL", path) + 1j * _dataset(h5, "SOS_COEFFICIENTS_IMAG", path)
        version = _version(h5.attrs.get("MOLCAS_VERSION"))
        written = {name: h5[name][()] for name in ("SOS_ANGMOM_REAL", "SOS_ANGMOM_IMAG", "SOS_SPIN_REAL",
                                                    "SOS_SPIN_IMAG") if name in h5}
    nss, nsf = int(multiplicities.sum()), multiplicities.size
    expected = {"SOS_ENERGIES": (so_energies.shape, (nss,)), "SFS_ENERGIES": (sf_energies.shape, (nsf,)),
                "SFS_ANGMOM": (angmom.shape, (3, nsf, nsf)), "SOS_COEFFICIENTS": (coefficients.shape, (nss, nss))}
    for name, (shape, wanted) in expected.items():
        if shape != wanted:
            raise ParseError(f"{path.name}: {name} has shape {shape}, expected {wanted} for {nsf} spin-free "
                             f"states of multiplicities {sorted(set(multiplicities.tolist()))} ({nss} SO states)")
    for name, values in (("SOS_ENERGIES", so_energies), ("SFS_ANGMOM", angmom), ("SOS_COEFFICIENTS", coefficients)):
        if not np.all(np.isfinite(values)):
            raise ParseError(f"{path.name}: {name} holds NaN or infinite values")
    if not 1 <= n_states <= nss:
        raise ParseError(f"{path.name}: asked for the lowest {n_states} SO states but the run has {nss}")

    order = np.argsort(so_energies, kind="stable")
    vectors = coefficients[order[:n_states]].T  # columns: the lowest SO states over the |i, S, M_S⟩ basis
    offsets = np.concatenate([[0], np.cumsum(multiplicities)])
    orbital = np.zeros((3, nss, n_states), dtype=complex)
    spin = np.zeros((3, nss, n_states), dtype=complex)
    for i, mi in enumerate(multiplicities):
        rows = slice(offsets[i], offsets[i + 1])
        spin[:, rows] = spin_operators(mi - 1, ascending=True) @ vectors[rows]  # M_S = −S … S
        for j, mj in enumerate(multiplicities):
            if mi == mj:  # L acts on the spatial part only: ⟨i S M|L|j S M⟩ = ⟨i|L|j⟩
                orbital[:, rows] += (-1j * angmom[:, i, j])[:, None, None] * vectors[offsets[j]:offsets[j + 1]]
    bra = vectors.conj().T
    energies = (so_energies - so_energies[order[0]]) * HARTREE_CM1
    return SpinOrbitStates(np.sort(energies), bra[None] @ orbital, bra[None] @ spin, sf_energies, multiplicities,
                           version, _written(written, "SOS_ANGMOM", order[:n_states], nss, -1j),
                           _written(written, "SOS_SPIN", order[:n_states], nss, 1))


def _written(datasets: dict, name: str, lowest, nss: int, factor) -> np.ndarray | None:
    """``name``_REAL/IMAG ([NSS,NSS,3] in Fortran: h5py reads (3, NSS, NSS) transposed) over the lowest SO states,
    times ``factor`` (SOS_ANGMOM holds <I|iL|J>: L = -i x stored); None where absent, misshapen or all zeros."""
    real, imag = datasets.get(f"{name}_REAL"), datasets.get(f"{name}_IMAG")
    if real is None or imag is None or real.shape != (3, nss, nss) or imag.shape != (3, nss, nss):
        return None
    matrices = (real + 1j * imag).transpose(0, 2, 1)
    if not np.all(np.isfinite(matrices)) or not np.any(matrices):
        return None
    return factor * matrices[:, lowest][:, :, lowest]


def multiplet_g(states, first: int, size: int, angular_momentum=None, spin=None) -> list[float]:
    """Main g values (ascending) of the pseudospin S = (size−1)/2 spanned by SO states first … first+size−1, as
    SINGLE_ANISO defines them (:func:`adatom_wf.analysis.moments.pseudospin_g_tensor`)."""
    block = slice(first, first + size)
    orbital = states.angular_momentum if angular_momentum is None else angular_momentum
    spin = states.spin if spin is None else spin
    values, _ = pseudospin_g_tensor(magnetic_moment_mub(orbital[:, block, block], spin[:, block, block]))
    return [float(g) for g in values]
