"""Benchmark: powder M(B, T) on a 100-field × 50-temperature grid, 110-point Lebedev average, 300 states.

The spectrum is a random Hermitian model shaped like an SO-CASSCF run of a Tb adatom (e.g. Tb2+ has 294 SO
states): a 14-state ground multiplet within 600 cm⁻¹, a second multiplet of 8 states 700–1000 cm⁻¹ and 278
states spread over 2000–40000 cm⁻¹, rotated by a random unitary, with random Hermitian moment matrices of a
few μB. Fields 0–7 T, temperatures 2–300 K. Run: ``python bench/bench_magnetisation.py``.
"""

import os
import time

import numpy as np

from adatom_wf.analysis.magnetism import powder_magnetisation_mub, zeeman_clusters
from adatom_wf.analysis.spectrum import MagneticStates


def random_states(n_states: int = 300, seed: int = 7) -> MagneticStates:
    rng = np.random.default_rng(seed)
    energies = np.sort(np.concatenate([
        rng.uniform(0, 600, 14), rng.uniform(700, 1000, 8), rng.uniform(2000, 40000, n_states - 22),
    ]))
    matrix = rng.normal(size=(n_states, n_states)) + 1j * rng.normal(size=(n_states, n_states))
    unitary, _ = np.linalg.qr(matrix)
    hamiltonian = unitary @ np.diag(energies) @ unitary.conj().T
    values, vectors = np.linalg.eigh((hamiltonian + hamiltonian.conj().T) / 2)
    moments = rng.normal(size=(3, n_states, n_states)) + 1j * rng.normal(size=(3, n_states, n_states))
    moments = (moments + moments.conj().transpose(0, 2, 1)) / 2 * (3.0 / np.sqrt(n_states))
    rotation = unitary @ vectors  # eigenvectors of the random Hamiltonian, in the moments' basis
    moments = rotation.conj().T[None] @ moments @ rotation[None]
    angular = np.zeros_like(moments)
    return MagneticStates(values, angular, moments, kramers=False)


def main() -> None:
    states = random_states()
    fields_t = np.linspace(0.0, 7.0, 100)
    temperatures_k = np.linspace(2.0, 300.0, 50)
    powder_magnetisation_mub(states, fields_t[:2], temperatures_k[:2])  # warm-up (imports, Lebedev grid)
    timings = []
    for _ in range(5):
        start = time.perf_counter()
        powder_magnetisation_mub(states, fields_t, temperatures_k)
        timings.append(time.perf_counter() - start)
    sizes = sorted((members.size for members in zeeman_clusters(states, fields_t.max())), reverse=True)
    print(f"M(B,T): 100 fields x 50 temperatures, 110-point Lebedev powder, {states.energies_cm1.size} states "
          f"({len(sizes)} Zeeman clusters, largest {sizes[0]}), {os.cpu_count()} CPU(s): "
          f"best {min(timings):.3f} s, median {sorted(timings)[2]:.3f} s")


if __name__ == "__main__":
    main()
