"""Figures: the barrier figure of one oxidation state (levels by ⟨Jz⟩, transition moments, relaxation path), the
report's levels vs ⟨Jz⟩ of every oxidation state side by side and spin-state gaps (Fig. 4), τ(T), M(B) with
χT(T), and Stern–Gerlach deflection profiles. Each function writes one PNG, PDF or SVG (by the file's suffix);
matplotlib (Agg canvas, no pyplot state) is imported only inside them. No file carries a time stamp or
matplotlib's version (PNG "Software" chunk, PDF Creator/Producer/CreationDate, SVG Date/Creator; SVG ids salted
with a fixed string), and each is written atomically (temporary file + rename), so the same input gives the same
bytes and a killed run leaves no half file.
"""

import io
from pathlib import Path
from typing import Any

import numpy as np

from adatom_wf.analysis.spectrum import SpectrumAnalysis
from adatom_wf.errors import AnalysisError


def _figure(columns: int = 1, width: float = 5.5):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width * columns, 4.2), layout="constrained")
    FigureCanvasAgg(figure)
    return figure, [figure.add_subplot(1, columns, i + 1) for i in range(columns)]


# Figure formats by file suffix, with the metadata that would make the bytes depend on the time or the
# matplotlib version left out (SVG element ids are salted with a fixed string instead of a random one).
FORMATS = {"png": {"Software": None}, "pdf": {"Creator": None, "Producer": None, "CreationDate": None},
           "svg": {"Creator": None, "Date": None}}


def _save(figure, path) -> Path:
    """Write ``figure`` as PNG, PDF or SVG, by the suffix of ``path`` (same input, same bytes)."""
    from matplotlib import rc_context

    from adatom_wf.manifest import atomic_write

    path = Path(path)
    kind = path.suffix.lower().lstrip(".")
    if kind not in FORMATS:
        raise AnalysisError(f"figure {path}: unknown format {path.suffix!r}; use .png, .pdf or .svg")
    buffer = io.BytesIO()
    with rc_context({"svg.hashsalt": "adatom-wf", "svg.fonttype": "path"}):
        figure.savefig(buffer, format=kind, dpi=150, metadata=FORMATS[kind])
    atomic_write(path, buffer.getvalue())
    return path


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


def plot_relaxation_comparison(temperature_k, tau_s, sigma_ln_tau, grid_k, curves: dict, path) -> Path:
    """Measured τ(T) (points, with ±σ(ln τ) bars where given) and curves (label -> τ on ``grid_k``): the fit of the
    measurement and the ab initio prediction, ln τ against 1/T (the Arrhenius plot experimentalists read U_eff from)
    beside τ against T."""
    figure, (left, right) = _figure(columns=2, width=4.4)
    t, tau = np.asarray(temperature_k, float), np.asarray(tau_s, float)
    bars = None if sigma_ln_tau is None else [tau - tau * np.exp(-np.asarray(sigma_ln_tau)),
                                             tau * np.exp(np.asarray(sigma_ln_tau)) - tau]
    for axes, x, grid in ((left, 1 / t, 1 / np.asarray(grid_k)), (right, t, np.asarray(grid_k))):
        axes.errorbar(x, tau, yerr=bars, fmt="o", color="black", markersize=3, elinewidth=0.6, label="measured")
        for (label, values), style in zip(curves.items(), ("-", "--", ":")):
            axes.plot(grid, np.asarray(values, float), style, linewidth=1.2, label=label)
        axes.set_yscale("log")
        axes.set_ylabel("τ (s)")
    left.set_xlabel("1/T (K⁻¹)")
    right.set_xlabel("temperature (K)")
    left.legend(fontsize=7)
    return _save(figure, path)


def plot_magnetisation(field_t, temperature_k, magnetisation_mub, chi_temperature_k, chi_t, path, *,
                       data=()) -> Path:
    """M(B) at each temperature (left) and χT(T) (right); ``data``: measured series (temperature_k, field_t,
    magnetisation_mub) drawn as points where they were measured (a hysteresis loop stays a loop), the computed
    equilibrium curves then mirrored to B < 0 (M(−B) = −M(B))."""
    figure, (left, right) = _figure(columns=2)
    fields = np.asarray(field_t, float)
    for index, temperature in enumerate(temperature_k):
        curve = np.asarray(magnetisation_mub)[:, index]
        line, = left.plot(fields, curve, label=f"{temperature:.3g} K")
        if len(data):
            left.plot(-fields, -curve, color=line.get_color())
        for series in data:
            if abs(series.temperature_k - temperature) < 1e-9:
                left.plot(series.field_t, series.magnetisation_mub, "o", color=line.get_color(), markersize=2,
                          alpha=0.6)
    if len(data):
        left.set_title("lines: computed (equilibrium); points: measured", fontsize=9)
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
        axes.set_xlabel("⟨Jz⟩ (ħ)")
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
    axes.set_xlabel("oxidation state")
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


def plot_ac_fits(series, fits, cole_cole_path, chi_imag_path) -> tuple[Path, Path]:
    """Measured ac series (points) with their fitted model (lines): the Cole–Cole plot χ″ vs χ′, and χ″ vs
    frequency; one colour per series, cold to warm (at most 12 shown, evenly picked). χ in cm³ mol⁻¹."""
    from matplotlib import colormaps

    from adatom_wf.analysis.ac_fit import model_chi

    shown = list(range(len(series)))[::max(1, -(-len(series) // 12))]
    colours = colormaps["viridis"](np.linspace(0, 1, max(len(shown), 2)))
    by_series: dict[tuple[float, float], Any] = {}
    for fit in fits:
        by_series.setdefault((fit.temperature_k, fit.field_oe), fit)
    paths = []
    for path, kind in ((cole_cole_path, "cole"), (chi_imag_path, "chi")):
        figure, (axes,) = _figure(width=5.6)
        for colour, i in zip(colours, shown):
            one = series[i]
            fit = by_series.get((one.temperature_k, one.field_oe))
            grid = np.geomspace(one.frequency_hz.min(), one.frequency_hz.max(), 200)
            label = f"{one.temperature_k:.2f} K"
            if kind == "cole":
                axes.plot(one.chi_real, one.chi_imag, "o", color=colour, markersize=3, label=label)
            else:
                axes.semilogx(one.frequency_hz, one.chi_imag, "o", color=colour, markersize=3, label=label)
            if fit is not None:
                real, imag = model_chi(fit.model, fit.parameters, grid)
                axes.plot(real if kind == "cole" else grid, imag, "-", color=colour, linewidth=1)
        if kind == "cole":
            axes.set_xlabel("χ′ (cm³ mol⁻¹)")
            axes.set_title("Cole–Cole: measured (points), fits (lines)", fontsize=9)
        else:
            axes.set_xlabel("frequency (Hz)")
            axes.set_title("χ″(f): measured (points), fits (lines)", fontsize=9)
        axes.set_ylabel("χ″ (cm³ mol⁻¹)")
        axes.legend(fontsize=6, ncol=2)
        paths.append(_save(figure, path))
    return paths[0], paths[1]


def _side(group, sign: int) -> int:
    """The state of ``group`` on the +⟨Jz⟩ (sign 1) or −⟨Jz⟩ (sign −1) side (a singlet is on both)."""
    return group.state_indices[0] if sign > 0 or len(group.state_indices) == 1 else group.state_indices[-1]


def barrier_transitions(analysis: SpectrumAnalysis) -> dict:
    """What the barrier figure draws, as (state i, state j) pairs of the barrier basis:

    ``path``: the relaxation path, up the +⟨Jz⟩ side one group at a time (in energy) to the group that sets U_eff,
    across it, and down the −⟨Jz⟩ side; across the ground doublet when it lets the moment reverse itself (none
    for a singlet ground level);
    ``within``: across each doublet up to the group above that one (QTM, thermally assisted QTM);
    ``between``: from each group to the next up to there, on the same side (Orbach) and across (Raman-like).
    """
    groups = analysis.groups
    top = analysis.relaxation_path["group"]
    last = min(top + 1, len(groups) - 1)
    path = [tuple(groups[0].state_indices)] if top == 0 and groups[0].is_doublet else []  # QTM in the ground
    if top > 0:
        up = [_side(groups[n], 1) for n in range(top + 1)]
        down = [_side(groups[n], -1) for n in range(top, -1, -1)]
        path = list(zip(up, up[1:])) + ([(up[-1], down[0])] if up[-1] != down[0] else []) + list(zip(down, down[1:]))
    within = [tuple(groups[n].state_indices) for n in range(last + 1) if groups[n].is_doublet]
    between = []
    for n in range(last):
        for sign in (1, -1):
            for other in (1, -1):
                pair = (_side(groups[n], sign), _side(groups[n + 1], other))
                if pair not in between:
                    between.append(pair)
    return {"path": path, "within": within, "between": between}


def plot_barrier(analysis: SpectrumAnalysis, path, *, title: str | None = None) -> Path:
    """The barrier figure of one oxidation state (SINGLE_ANISO style): levels at (⟨Jz⟩, E); arrows for the
    transitions of :func:`barrier_transitions` labelled with their moment |⟨i|μ|j⟩| (μB, the analysis's
    convention); the relaxation path in red, U_eff as a dotted line."""
    from matplotlib.lines import Line2D

    figure, (axes,) = _figure(width=6.4)
    figure.set_figheight(4.8)
    jz, moments = analysis.barrier_jz, analysis.transition_moments_mub
    energy = np.empty_like(jz)
    for group in analysis.groups:
        energy[list(group.state_indices)] = group.energy_cm1
    drawn = barrier_transitions(analysis)
    # The energy range shown: every level, unless the transitions drawn sit in its lowest half (an in-plane
    # multiplet with a small barrier): then up to the highest level drawn, the levels above named in a note.
    top = max((float(energy[k]) for pairs in drawn.values() for pair in pairs for k in pair), default=0.0)
    span = max(float(energy.max()), 1e-9)
    hidden = energy > 1.25 * top if 0 < top < 0.5 * span else np.zeros(energy.shape, bool)
    span = 1.25 * top if hidden.any() else span
    levels = analysis.levels_cm1
    tunnels_by_g = analysis.kramers and analysis.kramers_check.checked
    axes.hlines(energy[~hidden], jz[~hidden] - 0.3, jz[~hidden] + 0.3, color="black", linewidth=2, zorder=3)
    if hidden.any():
        axes.text(0.99, 0.84, f"{int(hidden.sum())} more levels up to {energy.max():.0f} cm⁻¹ (not shown)",
                  transform=axes.transAxes, ha="right", va="top", fontsize=7, color="0.3")
    on_path = set(drawn["path"])
    style = {"within": ("tab:blue", "--", 1.2), "between": ("0.55", "-", 0.9), "path": ("tab:red", "-", 2.2)}

    def arrow(i, j, kind, label_at):
        colour, line, width = style[kind]
        axes.annotate("", xy=(jz[j], energy[j]), xytext=(jz[i], energy[i]), zorder=4 if kind == "path" else 2,
                      arrowprops={"arrowstyle": "->" if kind != "within" else "<->", "color": colour,
                                  "linestyle": line, "linewidth": width, "shrinkA": 2, "shrinkB": 2})
        x = jz[i] + label_at * (jz[j] - jz[i])
        y = energy[i] + label_at * (energy[j] - energy[i]) + (0.012 * span if kind == "within" else 0)
        across = abs(energy[j] - energy[i]) < 1e-6 * span and i != j and abs(jz[i] + jz[j]) < 0.25
        text = f"{moments[i, j]:.2g}"
        if across and not tunnels_by_g:  # a non-Kramers doublet tunnels by its splitting, not by a moment
            text = f"Δ={abs(levels[j] - levels[i]):.2g} cm⁻¹"
        axes.text(x, y, text, fontsize=6.5, color=colour, ha="center",
                  va="bottom" if kind == "within" else "center", zorder=5,
                  bbox={"boxstyle": "round,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.8})

    for i, j in drawn["between"]:
        if (i, j) not in on_path and (j, i) not in on_path:
            same_side = np.sign(jz[i]) == np.sign(jz[j]) or abs(jz[j]) < 0.25
            arrow(i, j, "between", 0.5 if same_side else 0.2 if jz[i] > 0 else 0.4)  # crossing labels apart
    for i, j in drawn["within"]:
        if (i, j) not in on_path:
            arrow(i, j, "within", 0.5)
    for i, j in drawn["path"]:
        arrow(i, j, "path", 0.5)
    if analysis.relaxation_path["group"] > 0:
        axes.axhline(analysis.u_eff_cm1, color="tab:red", linestyle=":", linewidth=0.8)
        axes.text(axes.get_xlim()[0], analysis.u_eff_cm1, f" U_eff = {analysis.u_eff_cm1:.0f} cm⁻¹", color="tab:red",
                  fontsize=8, va="bottom", ha="left")
    reach = max(1.0, float(np.abs(jz).max()))
    axes.set_xlim(-reach - 1.0, reach + 1.0)
    axes.set_ylim(-0.06 * span, 1.22 * span)
    convention = {"single_aniso": "(|μx|+|μy|+|μz|)/3", "norm": "√Σ|μa|²"}[analysis.moment_convention]
    handles = ([Line2D([], [], color=style["path"][0], linewidth=2.2, label="relaxation path")] if on_path else []) + [
        Line2D([], [], color=style["within"][0], linestyle="--", label="within a doublet (QTM)"),
        Line2D([], [], color=style["between"][0], label="between levels")]
    axes.legend(handles=handles, fontsize=7, loc="upper center", ncol=3, framealpha=0.9,
                title=f"labels: |⟨i|μ|j⟩| (μB) = {convention}" + ("" if tunnels_by_g else "; Δ: tunnel splitting"),
                title_fontsize=7)
    axes.set_xlabel("⟨Jz⟩ along the main axis (ħ)")
    axes.set_ylabel("energy (cm⁻¹)")
    mechanism = analysis.relaxation_path["mechanism"].replace("cm^-1", "cm⁻¹")
    axes.set_title((f"{title}: " if title else "") + f"U_eff = {analysis.u_eff_cm1:.0f} cm⁻¹\n{mechanism}",
                   fontsize=9)
    return _save(figure, path)
