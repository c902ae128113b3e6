"""Relaxation from rates, not a rule: a Pauli master equation over the levels of a multiplet with one-phonon
(direct) transition rates between every pair of states,

    W(i → j) = c |V_ij|² |Δ|³ [n̄(|Δ|) + θ(−Δ)],   Δ = E_j − E_i,   n̄(x) = 1 / (exp(x / k_B T) − 1)

(absorption of a phonon for Δ > 0, emission for Δ < 0; |Δ|³ is the Debye phonon density of states times the
energy carried by a strain wave), with the matrix elements V of one of two documented couplings:

* ``quadrupole`` (the default): |V_ij|² = Σ_ab |⟨i|T_ab|j⟩|², T_ab = (J_a J_b + J_b J_a)/2 − δ_ab J·J/3 — an
  isotropic rank-2 strain modulating the crystal field, dimensionless. A phonon is a lattice strain, time-even, and
  reaches the 4f shell through the crystal field (the Orbach–Van Vleck mechanism): it never connects the two states
  of a Kramers doublet (Van Vleck's cancellation).
* ``moment``: |V_ij|² = Σ_a |⟨i|μ_a|j⟩|² (μB²) — the magnetic-dipole transition moments that barrier figures draw
  (SINGLE_ANISO's "relaxation path" heuristic made into rates). This is a selection rule, not a spin–phonon
  mechanism: μ is time-odd and no phonon carries a magnetic field; kept to compare with that picture. On Table 2's
  Tb3+ both climb through the |Jz| = 3 doublet of the U_eff rule above ~20 K.

``c`` (``prefactor``, s⁻¹ cm³ per unit |V|²) is the one adjustable number: it scales every rate, so τ ∝ 1/c while
the effective barrier, the pathway and the shape of τ(T) do not depend on it.

**States.** The rates act between the states of the barrier basis: doublets that the U_eff rule counts as blocked
(tunnel splitting below the threshold, or Kramers-degenerate) are rotated to their ±|J_n| states at the doublet's
mean energy (their coherent tunnelling is quenched by the bias fields the threshold stands for); doublets that
tunnel stay as their split eigenstates, so a transition into them erases the moment. The magnetisation is
m_i = ⟨i|J_n|i⟩.

**τ.** The rate matrix K (dp/dt = K p) is symmetrised with the Boltzmann populations (detailed balance) and
diagonalised; τ = 1/|λ| of the slowest mode carrying at least :data:`MODE_WEIGHT` of the linear-response
magnetisation. When that rate lies below double precision's reach (|λ| < :data:`RESOLUTION` × the fastest rate:
Orbach over hundreds of cm⁻¹ at a few K), the excited states are eliminated instead: the slow mode's excited
populations follow the ground ones, which leaves S v = λ B v among the ground level's states with
S = K_gg + K_ge (−K_ee)⁻¹ K_eg (a stochastic complement, formed by state reduction so that every rate keeps its
relative accuracy: :func:`_eliminate`) and B = 1 + K_ge K_ee⁻² K_eg (the weight of the excited states that follow;
see :func:`relaxation_rate_per_s`); exact up to |λ|/(fastest rate). Both methods agree with the full rate matrix in
50 digits to 1e-6 across the switch, and the reduction with it in 150 digits to 1e-9 far below (tests).
"""

from dataclasses import dataclass
from typing import Any

import numpy as np

from adatom_wf.analysis.spectrum import MagneticStates, SpectrumAnalysis, barrier_rotation
from adatom_wf.analysis.units import K_B_CM1_PER_K, positive_array
from adatom_wf.errors import AnalysisError

COUPLINGS = ("quadrupole", "moment")
DEFAULT_COUPLING = "quadrupole"  # the spin-phonon mechanism; "moment" is a selection rule (module text)
# s⁻¹ cm³ μB⁻² (moment) or s⁻¹ cm³ (quadrupole). With 1, Tb3+ (Table 2) relaxes with τ0 ≈ 2e-8 s over its Orbach
# barrier; measured lanthanide magnets have τ0 ~ 1e-12…1e-8 s: calibrate against one measured τ (τ ∝ 1/c).
DEFAULT_PREFACTOR = 1.0
MODE_WEIGHT = 0.01
# Eigenmodes resolve a rate r next to the fastest R to ~eps R / r; the ground reduction errs by ~r / R: they meet at
# r / R = √eps ≈ 1e-8, where either is good to ~1e-8 relative.
RESOLUTION = 1e-8
BARRIER_STEP = 1e-3  # relative temperature step of the local barrier's central difference


@dataclass(frozen=True)
class MasterEquation:
    """The states the rates act between: energies (cm⁻¹, from the lowest), ⟨J_n⟩, |V_ij|², and the two states of the
    ground level group between which the moment reverses (+ and −, or one state for a singlet ground level)."""

    energies_cm1: np.ndarray
    jz: np.ndarray
    coupling_squared: np.ndarray
    coupling: str
    prefactor: float
    ground: tuple  # state indices of the ground level group
    start: int
    end: int
    degeneracy_cm1: float


def master_equation(states: MagneticStates, analysis: SpectrumAnalysis, *, coupling: str = DEFAULT_COUPLING,
                    prefactor: float = DEFAULT_PREFACTOR) -> MasterEquation:
    """The rate model of ``states`` (zero field) in the barrier basis of ``analysis`` (see the module text)."""
    if coupling not in COUPLINGS:
        raise AnalysisError(f"coupling must be one of {', '.join(COUPLINGS)}, got {coupling!r}")
    prefactor = float(positive_array("phonon prefactor", prefactor, "s^-1 cm^3"))
    if not states.time_reversal:
        raise AnalysisError("the master equation takes zero-field states (no --field-t)")
    levels = states.energies_cm1 - states.energies_cm1[0]
    tolerance = analysis.thresholds["degeneracy_cm1"]
    localised = [g.state_indices for g in analysis.groups if g.is_doublet and (
        g.tunnel_splitting_cm1 <= tolerance or analysis.reversal_mechanism(g) is None)]
    jn = np.einsum("a,aij->ij", analysis.main_axis, states.angular_momentum)
    inside = {i for group in localised for i in group}
    rotation = barrier_rotation(jn, localised + [(i,) for i in range(levels.size) if i not in inside])
    energies = levels.copy()
    for group in localised:
        energies[list(group)] = levels[list(group)].mean()

    def rotate(operators):
        return rotation.conj().T[None] @ operators @ rotation[None]

    angular_momentum = rotate(states.angular_momentum)
    if coupling == "moment":
        squared = (np.abs(rotate(states.magnetic_moment_mub)) ** 2).sum(axis=0)
    else:
        j_squared = np.einsum("aij,ajk->ik", angular_momentum, angular_momentum)
        squared = np.zeros(levels.shape * 2)
        for a in range(3):
            for b in range(3):
                tensor = (angular_momentum[a] @ angular_momentum[b] + angular_momentum[b] @ angular_momentum[a]) / 2
                if a == b:
                    tensor = tensor - j_squared / 3
                squared += np.abs(tensor) ** 2
    jz = np.einsum("ii->i", rotation.conj().T @ jn @ rotation).real
    ground = analysis.groups[0].state_indices
    start, end = max(ground, key=lambda i: jz[i]), min(ground, key=lambda i: jz[i])
    return MasterEquation(energies, jz, squared, coupling, prefactor, tuple(ground), int(start), int(end), tolerance)


def transition_rates_per_s(model: MasterEquation, temperature_k: float) -> np.ndarray:
    """W[i, j]: the rate (s⁻¹) of i → j at ``temperature_k``."""
    kt = K_B_CM1_PER_K * float(positive_array("temperature", temperature_k, "K"))
    gap = model.energies_cm1[None, :] - model.energies_cm1[:, None]
    size = np.abs(gap)
    open_ = size > model.degeneracy_cm1
    safe = np.where(open_, size, 1.0) / kt
    with np.errstate(over="ignore"):
        occupation = 1.0 / np.expm1(safe)
    factor = np.where(gap > 0, occupation, occupation + 1.0)
    rates = model.prefactor * model.coupling_squared * size**3 * factor
    return np.where(open_, rates, 0.0)


def _populations(model, kt):
    weights = np.exp(-(model.energies_cm1 - model.energies_cm1.min()) / kt)
    return weights / weights.sum()


def _generator(rates: np.ndarray) -> np.ndarray:
    """K of dp/dt = K p from rates[i, j] of i → j: K_ji = W(i → j), K_ii = −Σ_j W(i → j)."""
    matrix = rates.T.copy()
    np.fill_diagonal(matrix, 0.0)
    np.fill_diagonal(matrix, -matrix.sum(axis=0))
    return matrix


def _slow_mode(generator: np.ndarray, populations: np.ndarray, m: np.ndarray, metric=None) -> tuple[float, float]:
    """(|λ|, weight) of the slowest mode of K v = λ B v (B = ``metric``, the identity by default) carrying ≥
    MODE_WEIGHT of the magnetisation. K and B obey detailed balance with ``populations`` (K_ij p_j = K_ji p_i), so
    P^(−1/2) K P^(1/2) and P^(−1/2) B P^(1/2) are symmetric and the eigenvectors B-orthogonal."""
    root = np.sqrt(populations)
    scale = np.where(root > 0, root, 1.0)

    def symmetric(matrix):
        balanced = np.where(root[:, None] * root[None, :] > 0, matrix * scale[None, :] / scale[:, None], 0.0)
        return (balanced + balanced.T) / 2

    if metric is None:
        values, vectors = np.linalg.eigh(symmetric(generator))
        weighted = vectors
    else:
        from scipy.linalg import eigh

        balanced_metric = symmetric(metric) + np.diag(root <= 0)  # unpopulated states: a unit metric
        values, vectors = eigh(symmetric(generator), balanced_metric)
        weighted = balanced_metric @ vectors
    stationary = int(np.argmax(np.abs(weighted.T @ root)))
    amplitudes = (weighted.T @ (root * (m - populations @ m))) ** 2
    amplitudes[stationary] = 0.0
    total = amplitudes.sum()
    if total <= 0:
        return float("inf"), 0.0
    carrying = [k for k in np.argsort(-values) if amplitudes[k] >= MODE_WEIGHT * total]
    k = carrying[0]
    return float(max(-values[k], 0.0)), float(amplitudes[k] / total)


def relaxation_rate_per_s(model: MasterEquation, temperature_k: float,
                          method: str = "auto") -> tuple[float, float, str]:
    """(1/τ in s⁻¹, the mode's share of the magnetisation, the method used: ``"eigenmodes"`` or ``"ground
    reduction"``); ``method="auto"`` takes the eigenmodes unless their slow rate is below :data:`RESOLUTION`.

    The ground reduction solves the slow mode's own equations restricted to the ground states g: with the excited
    states e following, v_e = (λ − K_ee)⁻¹ K_eg v_g, the eigenproblem K v = λ v becomes S(λ) v_g = λ v_g,
    S(λ) = K_gg + K_ge (λ − K_ee)⁻¹ K_eg. To first order in λ / (the excited states' decay rates):

        S(0) v_g = λ B v_g,   B = 1 + K_ge K_ee⁻² K_eg,

    where B − 1 ≈ (population of the excited states that follow each ground state) / (its own): without it the rate
    of a well is taken as that of its ground state alone, too fast by 1 / (the ground level's thermal population).
    """
    if method not in ("auto", "eigenmodes", "ground reduction"):
        raise AnalysisError(f"method must be 'auto', 'eigenmodes' or 'ground reduction', got {method!r}")
    kt = K_B_CM1_PER_K * float(temperature_k)
    rates = transition_rates_per_s(model, temperature_k)
    populations = _populations(model, kt)
    generator = _generator(rates)
    rate, weight = _slow_mode(generator, populations, model.jz)
    fastest = rates.sum(axis=1).max()
    if method == "eigenmodes" or len(model.ground) < 2 or (method == "auto" and rate >= RESOLUTION * fastest):
        return rate, weight, "eigenmodes"
    ground = np.array(model.ground)
    excited = np.setdiff1d(np.arange(model.jz.size), ground)
    k_ee = generator[np.ix_(excited, excited)]
    k_eg, k_ge = generator[np.ix_(excited, ground)], generator[np.ix_(ground, excited)]
    following = np.linalg.solve(-k_ee, k_eg)  # every entry ≥ 0: −K_ee is a diagonally dominant M-matrix
    metric = np.eye(ground.size) + k_ge @ np.linalg.solve(-k_ee, following)  # 1 + small: normwise accuracy suffices
    effective = _generator(_eliminate(rates, ground))  # S, to the relative accuracy of each rate
    scale = np.abs(effective).max()
    if scale <= 0:
        return 0.0, 1.0, "ground reduction"
    sub_populations = populations[ground] / populations[ground].sum()
    rate, weight = _slow_mode(effective / scale, sub_populations, model.jz[ground], metric)
    return rate * scale, weight, "ground reduction"


def _eliminate(rates: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """The rates (i → j) among the states ``keep`` once every other state is eliminated, i.e. the stochastic
    complement S = K_kk + K_ke (−K_ee)⁻¹ K_ek as rates, by state reduction (Grassmann–Taksar–Heyman): eliminating
    k adds W(i → k) W(k → j) / Σ_l W(k → l) to every W(i → j). Every term is positive and no diagonal is formed by
    subtraction, so each rate keeps its relative accuracy, however far apart the rates are (a solve with −K_ee is
    only normwise accurate: at 10 K the stored Tb3+'s slow rate, 1e-24 of the fastest, came out 5–13 % off)."""
    work = rates.copy()
    np.fill_diagonal(work, 0.0)
    alive, kept = list(range(rates.shape[0])), set(keep.tolist())
    for state in [s for s in alive if s not in kept]:
        alive.remove(state)
        out = work[state, alive].sum()
        if out > 0:
            work[np.ix_(alive, alive)] += np.outer(work[alive, state], work[state, alive]) / out
        np.fill_diagonal(work, 0.0)  # a return to the same state changes nothing
    return work[np.ix_(keep, keep)]


def dominant_pathway(model: MasterEquation, temperature_k: float) -> dict | None:
    """The path from the ground + state to the − state whose weakest equilibrium flux (W(i → j) p_i, symmetric by
    detailed balance) is largest: the widest path of the flux graph. None for a singlet ground level."""
    if model.start == model.end:
        return None
    kt = K_B_CM1_PER_K * float(temperature_k)
    energies = model.energies_cm1
    gap = np.abs(energies[None, :] - energies[:, None])
    upper = np.maximum(energies[None, :], energies[:, None])
    with np.errstate(divide="ignore"):
        log_flux = (np.log(model.prefactor * model.coupling_squared * np.where(gap > 0, gap, 1.0) ** 3)
                    - upper / kt - np.log(-np.expm1(-np.where(gap > 0, gap, 1.0) / kt)))
    log_flux[gap <= model.degeneracy_cm1] = -np.inf
    log_z = np.log(np.exp(-(energies - energies.min()) / kt).sum()) - energies.min() / kt
    width = np.full(energies.size, -np.inf)
    width[model.start] = np.inf
    previous = np.full(energies.size, -1)
    done = np.zeros(energies.size, dtype=bool)
    while True:
        candidates = np.where(~done, width, -np.inf)
        node = int(np.argmax(candidates))
        if candidates[node] == -np.inf or node == model.end:
            break
        done[node] = True
        through = np.minimum(width[node], log_flux[node])
        better = (~done) & (through > width)
        width[better] = through[better]
        previous[better] = node
    if width[model.end] == -np.inf:
        return None
    path = [model.end]
    while path[-1] != model.start:
        path.append(int(previous[path[-1]]))
    path.reverse()
    return {"states": path, "energies_cm1": [float(energies[i]) for i in path],
            "jz": [round(float(model.jz[i]), 4) + 0.0 for i in path],
            "top_energy_cm1": float(max(energies[i] for i in path)),
            "bottleneck_flux_per_s": float(np.exp(width[model.end] - log_z))}


def master_equation_relaxation(model: MasterEquation, temperature_k) -> dict:
    """τ(T), the local effective barrier k_B d ln τ / d(1/T) at each T, an Arrhenius fit ln τ = ln τ0 + U/k_B T over
    all T with finite τ, and the dominant pathway at each T."""
    temperatures = positive_array("temperature", temperature_k, "K").ravel()
    rows: list[dict[str, Any]] = []
    for temperature in temperatures:
        rate, weight, method = relaxation_rate_per_s(model, temperature)
        low, _, _ = relaxation_rate_per_s(model, temperature * (1 - BARRIER_STEP))
        high, _, _ = relaxation_rate_per_s(model, temperature * (1 + BARRIER_STEP))
        beta_low, beta_high = (1 / (K_B_CM1_PER_K * temperature * (1 + s * BARRIER_STEP)) for s in (-1, 1))
        barrier = (float(np.log(high / low) / (beta_low - beta_high))
                   if low > 0 and high > 0 and np.isfinite(low) and np.isfinite(high) else None)
        rows.append({"temperature_k": float(temperature), "tau_s": (1 / rate) if rate > 0 else None,
                     "mode_weight": weight, "method": method, "local_barrier_cm1": barrier,
                     "pathway": dominant_pathway(model, temperature)})
    finite = [(r["temperature_k"], r["tau_s"]) for r in rows if r["tau_s"] is not None]
    arrhenius = None
    if len(finite) >= 2:
        beta = np.array([1 / (K_B_CM1_PER_K * t) for t, _ in finite])
        slope, intercept = np.polyfit(beta, np.log([tau for _, tau in finite]), 1)
        arrhenius = {"u_eff_cm1": float(slope), "tau0_s": float(np.exp(intercept))}
    return {"coupling": model.coupling, "prefactor": model.prefactor, "rows": rows, "arrhenius": arrhenius}
