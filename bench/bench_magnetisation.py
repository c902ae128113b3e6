"""Benchmark: the default powder M(B, T) of ``adatom-wf magnetisation`` (71 fields 0–7 T × 2, 5, 10 K, the adaptive
powder average at its default tolerance) for the Table 2 pseudospins of Tb3+ (J = 6, 13 states), Tb2+ (13/2, 14)
and Tb1+ (4, 9), and the exact field diagonalisation alone on a 110-point Lebedev grid for a 60-state random
spectrum (what a larger stored multiplet would cost). Run: ``python bench/bench_magnetisation.py``.
"""

import os
import time

import numpy as np

from adatom_wf.analysis.magnetism import adaptive_powder_magnetisation_mub, powder_magnetisation_mub
from adatom_wf.analysis.spectrum import MagneticStates, states_from_crystal_field

TABLE_2 = {  # pseudospin, g, B_k^q (cm⁻¹) of the paper's Table 2
    "Tb3+": (6, (1.508, 1.508, 1.480), {(2, 0): -5.375455, (4, 0): 0.000216, (6, 0): 0.000021, (6, 6): 0.000041}),
    "Tb2+": ("13/2", (1.503, 1.503, 1.435), {(2, 0): -3.940770, (4, 0): -0.005776, (6, 0): 0.000001, (6, 6): 0.000027}),
    "Tb1+": (4, (2.511, 2.511, 2.022), {(2, 0): 6.071690, (4, 0): 0.022960, (6, 0): -0.000007, (6, 6): 0.000139}),
}


def random_states(n_states: int = 60, seed: int = 7) -> MagneticStates:
    rng = np.random.default_rng(seed)
    energies = np.sort(np.concatenate([rng.uniform(0, 600, 14), rng.uniform(700, 5000, n_states - 14)]))
    moments = rng.normal(size=(3, n_states, n_states)) + 1j * rng.normal(size=(3, n_states, n_states))
    moments = (moments + moments.conj().transpose(0, 2, 1)) / 2 * (3.0 / np.sqrt(n_states))
    return MagneticStates(energies, np.zeros_like(moments), moments, kramers=False)


def best_of(call, repeats: int = 5) -> tuple[float, float]:
    call()  # warm-up (imports, grids)
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        timings.append(time.perf_counter() - start)
    return min(timings), sorted(timings)[repeats // 2]


def main() -> None:
    fields, temperatures = np.linspace(0.0, 7.0, 71), [2.0, 5.0, 10.0]
    for label, (spin, g, cf) in TABLE_2.items():
        states = states_from_crystal_field(spin, cf, g=g)
        _, convergence = adaptive_powder_magnetisation_mub(states, fields, temperatures)
        best, median = best_of(lambda states=states: adaptive_powder_magnetisation_mub(states, fields, temperatures))
        print(f"{label} ({states.energies_cm1.size} states), default powder, 71 fields x 3 temperatures: "
              f"{convergence.n_points} {convergence.kind} points (estimated error {convergence.estimated_error_mub:.1e}"
              f" muB): best {best:.3f} s, median {median:.3f} s")
    states = random_states()
    best, median = best_of(lambda: powder_magnetisation_mub(states, fields, temperatures, n_points=110), repeats=3)
    print(f"random {states.energies_cm1.size} states, 110 Lebedev points, 71 fields x 3 temperatures: "
          f"best {best:.3f} s, median {median:.3f} s; {os.cpu_count()} CPU(s)")


if __name__ == "__main__":
    main()
