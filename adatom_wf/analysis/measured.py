"""Measured ac susceptibility in: Quantum Design magnetometer files (MPMS3, MPMS-XL, PPMS-ACMS) and plain CSV.

A Quantum Design file has a ``[Header]`` (``INFO,<value>,SAMPLE_MASS`` in mg and ``INFO,<value>,
SAMPLE_MOLECULAR_WEIGHT`` in g/mol on an MPMS3), then a ``[Data]`` line, a comma-separated header and the rows.
Columns are found by name, as ccfit2 finds them (:data:`COLUMNS`); a plain CSV is the same without ``[Header]``
and ``[Data]``, and may hold molar susceptibilities already (``chi_real_cm3_mol``, ``chi_imag_cm3_mol``). Rows
are grouped into series of one temperature and one field: sorted, a new series starts where the temperature
steps by more than ``temperature_tolerance_k`` (0.05 K: series measured 0.1 K apart stay apart) or the field by
more than ``field_tolerance_oe``. Susceptibilities are returned in cm³ mol⁻¹: χ(emu Oe⁻¹) × M / m, a moment
(emu) divided by the drive amplitude (Oe) first. No diamagnetic or sample-holder correction is applied.
"""

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from adatom_wf.errors import AnalysisError

# Column names by quantity, the first found wins (AC Frequency before the VSM's Frequency of an MPMS3 file).
COLUMNS = {
    "temperature": ("Temperature (K)", "temperature_k", "T (K)"),
    "field": ("Magnetic Field (Oe)", "Field (Oe)", "field_oe", "H (Oe)"),
    "frequency": ("AC Frequency (Hz)", "Wave Frequency (Hz)", "Frequency (Hz)", "frequency_hz", "f (Hz)"),
    "drive": ("AC Drive (Oe)", "Drive Amplitude (Oe)", "Amplitude (Oe)"),
    "real": ("AC X' (emu/Oe)", "AC X'  (emu/Oe)", "m' (emu)", "M' (emu)", "chi_real_cm3_mol"),
    "imag": ("AC X'' (emu/Oe)", 'AC X" (emu/Oe)', 'm" (emu)', "m'' (emu)", "M'' (emu)", "chi_imag_cm3_mol"),
    "real_err": ("AC X' Std Err. (emu/Oe)", "chi_real_err_cm3_mol"),
    "imag_err": ("AC X'' Std Err. (emu/Oe)", "chi_imag_err_cm3_mol"),
}
REQUIRED = ("temperature", "frequency", "real", "imag")


@dataclass(frozen=True)
class AcSeries:
    """One temperature and field: χ′, χ″ (cm³ mol⁻¹) at each frequency (Hz), ascending."""
    temperature_k: float
    field_oe: float
    frequency_hz: np.ndarray
    chi_real: np.ndarray
    chi_imag: np.ndarray


@dataclass(frozen=True)
class AcData:
    series: list  # of AcSeries, by field then temperature
    mass_mg: float | None
    molar_mass_g_mol: float | None
    unit: str  # the susceptibility columns' unit in the file: "emu/Oe", "emu" or "cm3/mol"
    skipped_rows: int  # rows without a number in a needed column (a DC point between ac ones) or cut short


def read_ac_data(path, *, mass_mg: float | None = None, molar_mass_g_mol: float | None = None,
                 temperature_tolerance_k: float = 0.05, field_tolerance_oe: float = 1.0) -> AcData:
    """The series of the file at ``path``; mass and molar mass from the arguments, else from its header.

    Raises AnalysisError with one line naming what is wrong: no such file, no header with the needed columns, a
    value that is not a number, no mass or molar mass where the file's unit needs them."""
    path = Path(path)
    header_text, names, rows = _read_table(path)
    index = _column_index(path, names, COLUMNS, REQUIRED)
    unit = ("cm3/mol" if names[index["real"]].endswith("cm3_mol") else
            "emu/Oe" if names[index["real"]].endswith("(emu/Oe)") else "emu")
    if unit == "emu" and index["drive"] is None:
        raise AnalysisError(f"--data: {path} gives moments in emu but no drive amplitude column "
                            f"({', '.join(COLUMNS['drive'])}) to turn them into susceptibilities")
    table, skipped = [], 0
    needed = [index[q] for q in REQUIRED] + ([index["drive"]] if unit == "emu" else [])
    for number, row in enumerate(rows, start=1):
        cells = [row[i].strip() if i < len(row) else "" for i in range(len(names))]
        if len(row) < len(names) or any(not cells[i] for i in needed):  # short: a file cut mid-row
            skipped += 1
            continue
        try:
            table.append([float(cells[i]) if i is not None and cells[i] else np.nan for i in
                          (index["temperature"], index["field"], index["frequency"], index["real"],
                           index["imag"], index["drive"])])
        except ValueError:
            bad = next(names[i] for i in needed if not _is_number(cells[i]))
            raise AnalysisError(f"--data: {path}, data row {number}: {bad} is {cells[names.index(bad)]!r}, "
                                "not a number") from None
    if not table:
        raise AnalysisError(f"--data: {path} has no row with temperature, frequency, χ′ and χ″ all given")
    data = np.array(table)
    scale, mass, molar = 1.0, None, None
    if unit != "cm3/mol":
        mass, molar = _sample(path, header_text, unit, "χ", mass_mg, molar_mass_g_mol)
        scale = molar / (mass / 1000.0)
    drive = data[:, 5] if unit == "emu" else np.ones(len(data))
    field = np.nan_to_num(data[:, 1])
    series = []
    for members in _groups(data[:, 0], field, temperature_tolerance_k, field_tolerance_oe):
        order = members[np.argsort(data[members, 2])]
        series.append(AcSeries(temperature_k=float(data[order, 0].mean()), field_oe=float(field[order].mean()),
                               frequency_hz=data[order, 2], chi_real=data[order, 3] / drive[order] * scale,
                               chi_imag=data[order, 4] / drive[order] * scale))
    return AcData(series=series, mass_mg=mass, molar_mass_g_mol=molar, unit=unit, skipped_rows=skipped)


def _read_table(path: Path) -> tuple[str, list[str], list[list[str]]]:
    """(the header block before ``[Data]``, the column names, the rows as text) of a magnetometer file or CSV."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as error:
        raise AnalysisError(f"--data: cannot read {path}: {error.strerror}") from None
    header_text, marker, data_text = text.partition("[Data]")
    if not marker:
        header_text, data_text = "", text
    lines = [line for line in data_text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    if not lines:
        raise AnalysisError(f"--data: {path} holds no header line and no rows")
    rows = list(csv.reader(io.StringIO("\n".join(lines))))
    return header_text, [name.strip() for name in rows[0]], rows[1:]


def _column_index(path: Path, names: list[str], columns: dict, required) -> dict:
    """quantity -> column index (None where absent); a required one missing is one line naming its aliases."""
    index = {quantity: next((names.index(alias) for alias in aliases if alias in names), None)
             for quantity, aliases in columns.items()}
    missing = [quantity for quantity in required if index[quantity] is None]
    if missing:
        raise AnalysisError(f"--data: {path} has no {missing[0]} column (one of: "
                            f"{', '.join(repr(a) for a in columns[missing[0]])}); its header starts "
                            f"{', '.join(names[:6])!r}")
    return index


def _sample(path: Path, header_text: str, unit: str, what: str, mass_mg, molar_mass_g_mol) -> tuple[float, float]:
    """The sample's mass (mg) and molar mass (g/mol): given, else an MPMS3 header's SAMPLE_MASS and
    SAMPLE_MOLECULAR_WEIGHT."""
    mass = mass_mg if mass_mg is not None else _header_number(header_text, "SAMPLE_MASS")
    molar = molar_mass_g_mol if molar_mass_g_mol is not None else _header_number(header_text,
                                                                                "SAMPLE_MOLECULAR_WEIGHT")
    if mass is None or molar is None:
        option, key = (("--mass-mg", "SAMPLE_MASS") if mass is None
                       else ("--molar-mass-g-mol", "SAMPLE_MOLECULAR_WEIGHT"))
        raise AnalysisError(f"--data: {path} gives {what} in {unit}; per mole it needs the sample's mass and molar "
                            f"mass: give {option} (its header names no {key})")
    if mass <= 0 or molar <= 0:
        raise AnalysisError(f"--data: mass {mass} mg and molar mass {molar} g/mol must be positive")
    return mass, molar


def _groups(temperature, field, temperature_tolerance_k: float, field_tolerance_oe: float) -> list[np.ndarray]:
    """Row indices per (field, temperature) series: sorted by field then temperature, split at steps larger than
    the tolerances."""
    order = np.lexsort((temperature, field))
    groups, current = [], [order[0]]
    for previous, row in zip(order, order[1:]):
        if (abs(field[row] - field[previous]) > field_tolerance_oe
                or abs(temperature[row] - temperature[previous]) > temperature_tolerance_k):
            groups.append(np.array(current))
            current = []
        current.append(row)
    groups.append(np.array(current))
    return groups


# N_A μB in emu mol⁻¹: a moment in emu per mole of formula units -> μB per formula unit
N_A_MU_B_EMU_PER_MOL = 6.02214076e23 * 9.2740100783e-21
M_COLUMNS = {
    "temperature": COLUMNS["temperature"],
    "field": ("Magnetic Field (Oe)", "Field (Oe)", "field_oe", "field_t", "B (T)"),
    "moment": ("DC Moment Free Ctr (emu)", "DC Moment Fixed Ctr (emu)", "Moment (emu)", "M (emu)",
               "magnetisation_mub", "M (muB)"),
}


@dataclass(frozen=True)
class MagnetisationSeries:
    """One temperature: M (μB per formula unit) at each field (T), in the file's order (a loop stays a loop)."""
    temperature_k: float
    field_t: np.ndarray
    magnetisation_mub: np.ndarray


@dataclass(frozen=True)
class MagnetisationData:
    series: list
    mass_mg: float | None
    molar_mass_g_mol: float | None
    skipped_rows: int


def read_magnetisation_data(path, *, mass_mg: float | None = None, molar_mass_g_mol: float | None = None,
                            temperature_tolerance_k: float = 0.05) -> MagnetisationData:
    """M(B, T) from a Quantum Design dc/VSM file (moment in emu, field in Oe) or a CSV (``field_t`` or ``B (T)``,
    ``magnetisation_mub`` or ``M (muB)``), grouped by temperature as :func:`read_ac_data` groups; μB per formula
    unit = m(emu) × M / (m_sample × N_A μB)."""
    path = Path(path)
    header_text, names, rows = _read_table(path)
    index = _column_index(path, names, M_COLUMNS, M_COLUMNS)
    field_name, moment_name = names[index["field"]], names[index["moment"]]
    table, skipped = [], 0
    columns = (index["temperature"], index["field"], index["moment"])
    for number, row in enumerate(rows, start=1):
        cells = [row[i].strip() if i < len(row) else "" for i in columns]
        if len(row) < len(names) or not all(cells):  # short: a file cut mid-row
            skipped += 1
            continue
        bad = next((name for name, cell in zip((names[i] for i in columns), cells) if not _is_number(cell)), None)
        if bad is not None:
            raise AnalysisError(f"--data: {path}, data row {number}: {bad} is not a number")
        table.append([float(cell) for cell in cells])
    if not table:
        raise AnalysisError(f"--data: {path} has no row with temperature, field and moment all given")
    data = np.array(table)
    field = data[:, 1] / (1e4 if field_name.endswith("(Oe)") or field_name == "field_oe" else 1.0)
    mass = molar = None
    moment = data[:, 2]
    if moment_name.endswith("(emu)"):
        mass, molar = _sample(path, header_text, "emu", "moments", mass_mg, molar_mass_g_mol)
        moment = moment * molar / (mass / 1000.0) / N_A_MU_B_EMU_PER_MOL
    series = []
    for members in _groups(data[:, 0], np.zeros(len(data)), temperature_tolerance_k, 1.0):
        members = np.sort(members)  # the file's order
        series.append(MagnetisationSeries(float(data[members, 0].mean()), field[members], moment[members]))
    return MagnetisationData(series=series, mass_mg=mass, molar_mass_g_mol=molar, skipped_rows=skipped)


def _header_number(header: str, key: str) -> float | None:
    match = re.search(rf"^INFO,([^,\n]*),{key}\s*$", header, re.M)
    return float(match.group(1)) if match and _is_number(match.group(1)) else None


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class TauData:
    """τ(T) to fit: ln τ per temperature, with σ(ln τ) and ccfit2's fit bounds of ln τ where the file has them."""
    temperature_k: np.ndarray
    ln_tau: np.ndarray
    sigma_ln_tau: np.ndarray | None
    fit_upper_ln_tau: np.ndarray | None
    fit_lower_ln_tau: np.ndarray | None

    def log10_rate_sigma(self) -> np.ndarray | None:
        """ccfit2's weight of each log10 rate: the larger distance in log10 rate to the ln τ bounds, those of σ(ln τ)
        widened by the fit bounds where given (None: unweighted)."""
        if self.sigma_ln_tau is None and self.fit_upper_ln_tau is None:
            return None
        upper = self.ln_tau + (self.sigma_ln_tau if self.sigma_ln_tau is not None else 0.0)
        lower = self.ln_tau - (self.sigma_ln_tau if self.sigma_ln_tau is not None else 0.0)
        if self.fit_upper_ln_tau is not None:
            upper = np.fmax(self.fit_upper_ln_tau, upper)
        if self.fit_lower_ln_tau is not None:
            lower = np.fmax(self.fit_lower_ln_tau, lower)
        return np.maximum(upper - self.ln_tau, self.ln_tau - lower) / np.log(10)


TAU_COLUMNS = {"temperature": ("T (K)", "T"), "ln_tau": ("<ln(tau)> (ln(s))", "<ln(tau)>"),
               "tau": ("tau (s)", "tau"), "sigma": ("sigma_ln(tau) (ln(s))", "sigma_ln(tau)", "sigma_<ln(tau)>"),
               "upper": ("fit_upper_ln(tau) (ln(s))", "fit_upper_ln(tau)"),
               "lower": ("fit_lower_ln(tau) (ln(s))", "fit_lower_ln(tau)")}


def read_tau_data(path) -> TauData:
    """ccfit2's τ file (``T (K), H (Oe), tau (s), …``; header by name) or plain rows ``T_K tau_s [sigma_ln_tau]``
    (comma or whitespace separated, ``#`` comments)."""
    path = Path(path)
    try:
        lines = [line.split("#", 1)[0].strip() for line in path.read_text().splitlines()]
    except OSError as error:
        raise AnalysisError(f"--data: cannot read {path}: {error.strerror}") from None
    lines = [line for line in lines if line]
    if not lines:
        raise AnalysisError(f"--data: {path} holds no rows")
    first = [cell.strip() for cell in lines[0].split(",")]
    if not all(_is_number(token) for token in re.split(r"[,\s]+", lines[0]) if token):
        index = {key: next((first.index(a) for a in aliases if a in first), None)
                 for key, aliases in TAU_COLUMNS.items()}
        if index["temperature"] is None or (index["ln_tau"] is None and index["tau"] is None):
            raise AnalysisError(f"--data: {path}: the header names no 'T (K)' and '<ln(tau)> (ln(s))' or 'tau (s)' "
                                f"column (ccfit2's tau file), nor is it plain 'T_K tau_s [sigma_ln_tau]' rows")
        rows = _numbers(path, lines[1:], len(first), split=",")
        column = {key: (rows[:, i] if i is not None else None) for key, i in index.items()}
        temperature, ln_tau, tau = column["temperature"], column["ln_tau"], column["tau"]
        assert temperature is not None  # the header names it (checked above)
        if ln_tau is None:
            assert tau is not None  # the header names ln(tau) or tau (checked above)
            ln_tau = np.log(tau)
        return TauData(temperature, ln_tau, column["sigma"], column["upper"], column["lower"])
    rows = _numbers(path, lines, None, split=None)
    if rows.shape[1] not in (2, 3):
        raise AnalysisError(f"--data: {path}: rows of {rows.shape[1]} numbers; expected 'T_K tau_s [sigma_ln_tau]'")
    if np.any(rows[:, 1] <= 0):
        raise AnalysisError(f"--data: {path}: row {int(np.argmax(rows[:, 1] <= 0)) + 1} has tau <= 0 s")
    return TauData(rows[:, 0], np.log(rows[:, 1]), rows[:, 2] if rows.shape[1] == 3 else None, None, None)


def _numbers(path, lines, width, split) -> np.ndarray:
    rows: list[list[float]] = []
    for number, line in enumerate(lines, start=1):
        cells = [c.strip() for c in (line.split(",") if split else line.replace(",", " ").split())]
        if width is not None and len(cells) != width:
            raise AnalysisError(f"--data: {path}, data row {number}: {len(cells)} values; the header has {width}")
        bad = next((c for c in cells if not _is_number(c)), None)
        if bad is not None:
            raise AnalysisError(f"--data: {path}, data row {number}: {bad!r} is not a number")
        if rows and len(cells) != len(rows[0]):
            raise AnalysisError(f"--data: {path}, data row {number}: {len(cells)} values; row 1 has {len(rows[0])}")
        rows.append([float(c) for c in cells])
    if not rows:
        raise AnalysisError(f"--data: {path} has a header but no rows")
    return np.array(rows)
