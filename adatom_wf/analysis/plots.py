"""Figures: energy vs ⟨Jz⟩ with transition arrows (the paper's Figs 3, 5–7), the report's levels vs ⟨Jz⟩ of every
oxidation state side by side and spin-state gaps (Fig. 4), τ(T), M(B) with χT(T), and Stern–Gerlach deflection
profiles. Each function writes one PNG; matplotlib (Agg canvas, no pyplot state) is imported only inside them.
PNGs carry no "Software" text chunk (matplotlib's version) and no time stamp, and are written atomically
(temporary file + rename), so the same input gives the same bytes and a killed run leaves no half file.
"""

import io
from pathlib import Path

import numpy as np

from adatom_wf.analysis.spectrum import SpectrumAnalysis
from adatom_wf.errors import AnalysisError


def _figure(columns: int = 1, width: float = 5.5):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width * columns, 4.2), layout="constrained")
    FigureCanvasAgg(figure)
    return figure, [figure.add_subplot(1, columns, i + 1) for i in range(columns)]


def _save(figure, path) -> Path:
    from adatom_wf.manifest import atomic_write

    path = Path(path)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=150, metadata={"Software": None})
    atomic_write(path, buffer.getvalue())
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
    convention = {"single_aniso": "(|μx|+|μy|+|μz|)/3, SINGLE_ANISO", "norm": "√Σ|μa|²"}[analysis.moment_convention]
    axes.text(0.01, 0.99, f"green: |⟨i|μ|j⟩| = {convention}", transform=axes.transAxes, ha="left", va="top",
              fontsize=7, color="tab:green")
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


def plot_levels_by_jz(states, path) -> Path:
    """Energy (cm⁻¹) vs ⟨Jz⟩, one panel per oxidation state side by side, in the order given: a short horizontal
    bar at each level's signed ⟨Jz⟩ (the paper's Figs 3, 5–7 without arrows). ``states``: dicts with ``state``
    (panel title), ``levels_cm1`` and ``jz`` (same length)."""
    states = list(states)
    if not states:
        raise AnalysisError("plot_levels_by_jz needs at least one state")
    figure, panels = _figure(columns=len(states), width=3.2)
    for axes, state in zip(panels, states):
        energy = np.asarray(state["levels_cm1"], dtype=float)
        jz = np.asarray(state["jz"], dtype=float)
        if energy.shape != jz.shape:
            raise AnalysisError(f"{state['state']}: {energy.size} levels but {jz.size} ⟨Jz⟩ values")
        axes.hlines(energy, jz - 0.3, jz + 0.3, color="black", linewidth=2)
        reach = max(1.0, float(np.round(np.abs(jz).max() * 2) / 2)) if jz.size else 1.0
        axes.set_xlim(-reach - 0.6, reach + 0.6)
        # Ticks at the integers, or at the half-integers when every ⟨Jz⟩ is near one (a Kramers multiplet).
        half = jz.size > 0 and bool(np.all(np.abs(np.abs(jz) % 1 - 0.5) < 0.15))
        edge = np.floor(reach - 0.5) + 0.5 if half else np.floor(reach)
        step = 2 if half or edge > 8 else 1
        positive = np.arange(edge, 0, -step)
        positive = positive[positive >= 1]  # ±1/2 would crowd 0: mark 0 instead
        middle = [0.0] if half or edge % step == 0 else []
        ticks = np.concatenate([-positive, middle, positive[::-1]])
        axes.set_xticks(ticks, [f"{tick:g}".replace("-", "−") for tick in ticks])
        axes.tick_params(axis="x", labelsize=7)
        axes.set_title(str(state["state"]), fontsize=10)
        axes.set_xlabel("⟨Jz⟩")
    panels[0].set_ylabel("energy (cm⁻¹)")
    return _save(figure, path)


def plot_spin_gaps(rows, path) -> Path:
    """Spin-state gaps (the paper's Fig. 4): per oxidation state (columns, in the order of first appearance) a bar
    at the gap (eV) of each multiplicity's lowest root above the state's lowest, labelled S. ``rows``: dicts with
    ``state``, ``multiplicity``, ``spin`` (S as text) and ``gap_ev``; rows without a gap are left out."""
    rows = [row for row in rows if row.get("gap_ev") is not None]
    if not rows:
        raise AnalysisError("plot_spin_gaps needs at least one row with a gap")
    states = list(dict.fromkeys(row["state"] for row in rows))
    figure, (axes,) = _figure(width=max(4.0, 1.6 * len(states) + 1.5))
    for column, state in enumerate(states):
        for row in (row for row in rows if row["state"] == state):
            axes.hlines(row["gap_ev"], column - 0.3, column + 0.1, color="black", linewidth=2)
            axes.text(column + 0.14, row["gap_ev"], f"S={row['spin']}", va="center", fontsize=7)
    axes.set_xticks(range(len(states)))
    axes.set_xticklabels(states)
    axes.set_xlim(-0.6, len(states) - 0.2)
    top = max(row["gap_ev"] for row in rows)
    axes.set_ylim(-0.05 * max(top, 0.1), 1.1 * max(top, 0.1))
    axes.set_ylabel("energy above the lowest spin state (eV)")
    return _save(figure, path)


def plot_zeeman(diagram, path, *, title: str = "") -> Path:
    """Levels against the field (or its angle); avoided crossings circled in red with their gap, crossings marked
    with grey crosses (the diagram's ``crossings``)."""
    figure, (axes,) = _figure(width=6.5)
    x = diagram.values
    for level in range(diagram.levels_tracked):
        axes.plot(x, diagram.energies_cm1[:, level], color="black", linewidth=0.9)
    avoided = [c for c in diagram.crossings if c["kind"] == "avoided"]
    crossed = [c for c in diagram.crossings if c["kind"] == "crossing"]
    if crossed:
        axes.plot([c[diagram.sweep] for c in crossed], [c["energy_cm1"] for c in crossed], "x", color="grey",
                  markersize=4, label=f"crossings ({len(crossed)})")
    if avoided:
        axes.plot([c[diagram.sweep] for c in avoided], [c["energy_cm1"] for c in avoided], "o", markersize=7,
                  markerfacecolor="none", color="tab:red", label=f"avoided crossings ({len(avoided)})")
        for c in avoided[:16]:
            axes.annotate(f"Δ={c['gap_cm1']:.2g} cm⁻¹", (c[diagram.sweep], c["energy_cm1"]), textcoords="offset points",
                          xytext=(0, 6), ha="center", fontsize=6, color="tab:red")
    direction = ", ".join(f"{a:.2g}" for a in diagram.direction + 0.0)
    if diagram.sweep == "field_t":
        axes.set_xlabel(f"B (T) along ({direction})")
    else:
        axes.set_xlabel(f"angle of B = {diagram.field_t:g} T from ({direction}) (degrees)")
    axes.set_ylabel("energy (cm⁻¹, from the zero-field ground level)")
    if avoided or crossed:
        axes.legend(fontsize=7, loc="best")
    if title:
        axes.set_title(title, fontsize=9)
    return _save(figure, path)


def plot_ac(frequencies_hz, temperatures_k, chi_real, chi_imag, path, *, peak_frequencies_hz=(), peak_chi_imag=None,
            peaks=()) -> Path:
    """χ″ vs frequency per temperature (left); χ″ vs temperature at each peak frequency (``peak_chi_imag``:
    [temperature][peak frequency]) with its peak temperature dotted (middle); the Cole–Cole plot χ″ vs χ′ per
    temperature (right). χ in cm³ mol⁻¹."""
    from matplotlib import colormaps

    real, imaginary = np.asarray(chi_real), np.asarray(chi_imag)
    figure, (left, middle, right) = _figure(columns=3, width=3.6)
    colours = colormaps["viridis"](np.linspace(0, 1, max(len(temperatures_k), 2)))
    shown = [i for i in range(len(temperatures_k)) if imaginary[i].max() > 1e-3 * imaginary.max()] or [0]
    shown = shown[::max(1, -(-len(shown) // 12))]  # at most 12 temperatures, so each curve stays readable
    for i in shown:
        left.semilogx(frequencies_hz, imaginary[i], color=colours[i], linewidth=1)
        right.plot(real[i], imaginary[i], color=colours[i], linewidth=1, marker=".", markersize=2)
    if peak_chi_imag is not None:
        peak_chi_imag = np.asarray(peak_chi_imag)
        for j, frequency in enumerate(peak_frequencies_hz):
            line, = middle.plot(temperatures_k, peak_chi_imag[:, j], linewidth=1, label=f"{frequency:.3g} Hz")
            for peak in peaks:
                if peak["frequency_hz"] == frequency:
                    middle.axvline(peak["temperature_k"], color=line.get_color(), linestyle=":", linewidth=0.8)
        middle.legend(fontsize=6)
    left.set_xlabel("frequency (Hz)")
    left.set_ylabel("χ″ (cm³ mol⁻¹)")
    left.set_title(f"χ″(f), {temperatures_k[shown[0]]:.3g}–{temperatures_k[shown[-1]]:.3g} K (dark to light)",
                   fontsize=9)
    middle.set_xlabel("temperature (K)")
    middle.set_ylabel("χ″ (cm³ mol⁻¹)")
    middle.set_title("χ″(T); dotted: peak temperatures", fontsize=9)
    right.set_xlabel("χ′ (cm³ mol⁻¹)")
    right.set_ylabel("χ″ (cm³ mol⁻¹)")
    right.set_title("Cole–Cole", fontsize=9)
    return _save(figure, path)
