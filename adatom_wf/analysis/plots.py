"""Figures: energy vs ⟨Jz⟩ with transition arrows (the paper's Figs 3, 5–7), τ(T), M(B) with χT(T), and
Stern–Gerlach deflection profiles. Each function writes one PNG; matplotlib (Agg canvas, no pyplot state)
is imported only inside them.
"""

from pathlib import Path

import numpy as np

from adatom_wf.analysis.spectrum import SpectrumAnalysis


def _figure(columns: int = 1):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(5.5 * columns, 4.2), layout="constrained")
    FigureCanvasAgg(figure)
    return figure, [figure.add_subplot(1, columns, i + 1) for i in range(columns)]


def _save(figure, path) -> Path:
    path = Path(path)
    figure.savefig(path, dpi=150)
    return path


def plot_spectrum(analysis: SpectrumAnalysis, path) -> Path:
    """Levels at (⟨J_n⟩, E) as bars; dashed arrows across doublets that tunnel (Δ or g⊥ labelled); the relaxation
    path from the ground state up to the doublet that sets U_eff, across it, and down the other side (red);
    arrow widths between other states follow |⟨i|μ|j⟩| of the barrier basis."""
    figure, (axes,) = _figure()
    jz = analysis.barrier_jz
    energy = np.empty_like(jz)
    for group in analysis.groups:
        energy[list(group.state_indices)] = group.energy_cm1
    axes.hlines(energy, jz - 0.35, jz + 0.35, color="black", linewidth=2)
    for group in analysis.doublets:
        if analysis.reversal_mechanism(group) is not None:
            i, j = group.state_indices
            label = (f"g⊥={group.g_transverse:.2g}" if analysis.kramers and analysis.kramers_check.checked
                     else f"Δ={group.tunnel_splitting_cm1:.2g} cm⁻¹")
            axes.annotate("", xy=(jz[j], energy[j]), xytext=(jz[i], energy[i]),
                          arrowprops={"arrowstyle": "<->", "linestyle": "--", "color": "tab:blue"})
            axes.text(0, group.energy_cm1, label, ha="center", va="bottom", fontsize=7, color="tab:blue")
    path_group = analysis.groups[analysis.relaxation_path["group"]]
    ground_plus = analysis.groups[0].state_indices[0]
    if analysis.relaxation_path["group"] > 0:
        top_plus, top_minus = path_group.state_indices[0], path_group.state_indices[-1]
        ground_minus = analysis.groups[0].state_indices[-1]
        for start, end in ((ground_plus, top_plus), (top_plus, top_minus), (top_minus, ground_minus)):
            axes.annotate("", xy=(jz[end], energy[end]), xytext=(jz[start], energy[start]),
                          arrowprops={"arrowstyle": "->", "color": "tab:red", "linewidth": 1.5})
    strongest = analysis.transition_moments_mub.max() or 1.0
    for state in range(jz.size):
        for other in range(state + 1, jz.size):
            moment = analysis.transition_moments_mub[state, other]
            if moment > 0.1 * strongest and energy[other] - energy[state] > 1e-6:
                axes.plot([jz[state], jz[other]], [energy[state], energy[other]], color="tab:green",
                          alpha=0.5, linewidth=2.5 * moment / strongest)
    axes.set_xlabel("⟨Jz⟩ along the main axis")
    axes.set_ylabel("energy (cm⁻¹)")
    title = f"U_eff = {analysis.u_eff_cm1:.0f} cm⁻¹, E_ZFS = {analysis.e_zfs_cm1 or 0:.0f} cm⁻¹"
    axes.set_title(title, fontsize=10)
    return _save(figure, path)


def plot_relaxation(temperature_k, tau_s, path, *, data=None, observation_times_s=(), blocking_k=()) -> Path:
    """τ(T) on a log scale, optional measured (T, τ) points, observation times and blocking temperatures."""
    figure, (axes,) = _figure()
    axes.semilogy(temperature_k, tau_s, color="black", label="model")
    if data is not None:
        axes.semilogy(data[0], data[1], "o", color="tab:blue", label="data")
    for time, blocking in zip(observation_times_s, blocking_k):
        axes.axhline(time, color="grey", linestyle=":")
        if blocking is not None:
            axes.axvline(blocking, color="tab:red", linestyle="--", label=f"T_B({time:g} s) = {blocking:.3g} K")
    axes.set_xlabel("temperature (K)")
    axes.set_ylabel("τ (s)")
    axes.legend(fontsize=8)
    return _save(figure, path)


def plot_magnetisation(field_t, temperature_k, magnetisation_mub, chi_temperature_k, chi_t, path) -> Path:
    """M(B) at each temperature (left) and χT(T) (right)."""
    figure, (left, right) = _figure(columns=2)
    for index, temperature in enumerate(temperature_k):
        left.plot(field_t, magnetisation_mub[:, index], label=f"{temperature:g} K")
    left.set_xlabel("B (T)")
    left.set_ylabel("M (μB)")
    left.legend(fontsize=8)
    right.plot(chi_temperature_k, chi_t, color="black")
    right.set_xlabel("temperature (K)")
    right.set_ylabel("χT (cm³ K mol⁻¹)")
    return _save(figure, path)


def plot_deflection(positions_mm, profiles: dict, path) -> Path:
    """Detector profiles (name → intensity) against the deflection (mm)."""
    figure, (axes,) = _figure()
    for name, intensity in profiles.items():
        axes.plot(positions_mm, intensity, label=name)
    axes.set_xlabel("deflection (mm)")
    axes.set_ylabel("intensity (1/mm)")
    axes.legend(fontsize=8)
    return _save(figure, path)
