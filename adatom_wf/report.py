"""The study's report: the paper's Table 1, Table 2, spin-state gaps (Fig. 4) and levels vs ⟨Jz⟩ (Figs 3, 5–7).

Input is a list of run records, the dicts ``adatom-wf show --json`` prints under ``runs`` (docs/results.md).
Everything but :func:`write_report` is pure: records -> rows (plain dicts) -> Markdown / CSV text. Rows are
sorted by content (site, charge, multiplicity, path), never by the order of the records, and numbers are
printed with the fixed number of decimals in :data:`DECIMALS`, so the same records give byte-identical files.
docs/report.md describes each table and figure.
"""

import csv
import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from scipy import constants

from adatom_wf.errors import StoreError
from adatom_wf.facts import DFT_KINDS, SITES, TB_GRAPHENE_TABLE1, TB_GRAPHENE_TABLE2, label_charge

HARTREE_EV = constants.physical_constants["Hartree energy in eV"][0]
CF_COLUMNS = {"B20": (2, 0), "B40": (4, 0), "B60": (6, 0), "B66": (6, 6)}
MISSING_MARKDOWN = "—"

TABLE1_COLUMNS = ("site", "program", "status", "e_ads_rel_mev", "height_angstrom", "paper_e_ads_rel_mev",
                  "paper_height_angstrom")
TABLE2_VALUES = ("g1", "g2", "g3", "B20", "B40", "B60", "B66")
# The paper's values follow the computed ones (appended: the first columns keep their places in table2.csv).
TABLE2_COLUMNS = ("state", "status", "pseudospin", *TABLE2_VALUES, "configuration",
                  *(f"paper_{column}" for column in TABLE2_VALUES))
# Beside the paper's Table 2, a computed value is marked when a g value differs by more than G_TOLERANCE (the
# paper's own g values of Tb3+ and Tb2+ differ by up to 0.045), or when B_2^0 or B_4^0 has the other sign (easy
# axis vs easy plane for B_2^0) or differs by more than a factor CF_FACTOR. B_6^q are not marked: the paper prints
# them with one or two significant digits (1e-6 … 1e-4 cm⁻¹).
G_TOLERANCE = 0.05
CF_FACTOR = 1.5
MARKED_CF = ("B20", "B40")
# Beside the paper's Table 1: a height off by more than HEIGHT_TOLERANCE_ANGSTROM (the paper prints 0.01 Å; PBE
# relaxations with the paper's settings agree to a few 0.01 Å), a site energy off by more than
# ENERGY_TOLERANCE_MEV (below it the paper's top and bridge, 6 meV apart, would swap without a mark).
HEIGHT_TOLERANCE_ANGSTROM = 0.05
ENERGY_TOLERANCE_MEV = 20.0
# A ground multiplet whose electrons in some orbital group differ from the study's expected_configuration by more
# than this is flagged: the majority of an electron sits elsewhere than the study assumes.
CONFIGURATION_TOLERANCE_ELECTRONS = 0.5
SPIN_GAP_COLUMNS = ("state", "status", "multiplicity", "spin", "lowest_root_hartree", "gap_ev")
LEVEL_COLUMNS = ("state", "status", "level", "energy_cm1", "jz")

# Decimals printed per column, in Markdown and CSV alike (the store keeps the full numbers).
DECIMALS = {
    "e_ads_rel_mev": 1, "height_angstrom": 3, "paper_e_ads_rel_mev": 0, "paper_height_angstrom": 2,
    "g1": 4, "g2": 4, "g3": 4, "B20": 6, "B40": 6, "B60": 6, "B66": 6,  # Table 2 prints 3 and 6 decimals
    "paper_g1": 3, "paper_g2": 3, "paper_g3": 3,
    "paper_B20": 6, "paper_B40": 6, "paper_B60": 6, "paper_B66": 6,
    "lowest_root_hartree": 8, "gap_ev": 4,
    "energy_cm1": 3, "jz": 3,  # SINGLE_ANISO prints level energies with 3 decimals
}
HEADERS = {
    "site": "site", "program": "program", "status": "status", "e_ads_rel_mev": "E − E(hollow) (meV)",
    "height_angstrom": "height (Å)", "paper_e_ads_rel_mev": "paper (meV)", "paper_height_angstrom": "paper (Å)",
    "state": "state", "pseudospin": "pseudospin S", "g1": "g1", "g2": "g2", "g3": "g3",
    "B20": "B_2^0 (cm⁻¹)", "B40": "B_4^0 (cm⁻¹)", "B60": "B_6^0 (cm⁻¹)", "B66": "B_6^6 (cm⁻¹)",
    "multiplicity": "2S+1", "spin": "S", "lowest_root_hartree": "lowest root (Eh)", "gap_ev": "gap (eV)",
    "level": "level", "energy_cm1": "E (cm⁻¹)", "jz": "⟨Jz⟩", "configuration": "configuration (electrons)",
    "paper_g1": "paper g1", "paper_g2": "paper g2", "paper_g3": "paper g3", "paper_B20": "paper B_2^0",
    "paper_B40": "paper B_4^0", "paper_B60": "paper B_6^0", "paper_B66": "paper B_6^6",
}

# --- records ----------------------------------------------------------------------------------------------

def _records(records, kind: str) -> list[Mapping[str, Any]]:
    return [r for r in records if isinstance(r, Mapping) and r.get("kind") == kind]


def _dft_records(records) -> list[Mapping[str, Any]]:
    """The site relaxations, VASP and GPAW alike (the same record fields)."""
    return [r for r in records if isinstance(r, Mapping) and r.get("kind") in DFT_KINDS]


def _dft_count(records) -> str:
    """``3 VASP`` when there are only VASP records, else ``2 VASP, 1 GPAW``: the site relaxations by program."""
    gpaw = sum(1 for r in records if r.get("kind") == "gpaw")
    return f"{len(records) - gpaw} VASP, {gpaw} GPAW" if gpaw else f"{len(records)} VASP"


def _ok(record: Mapping[str, Any]) -> bool:
    return record.get("status") == "ok"


def state_label(record: Mapping[str, Any]) -> str:
    """The oxidation-state label of an OpenMolcas record: ``label``, else the last folder of ``path``."""
    return record.get("label") or Path(str(record.get("path") or "")).name or "?"


def _state_key(record: Mapping[str, Any]):
    """Tb3+, Tb2+, Tb1+, Tb0, Tb1- …, then labels without a charge, alphabetically; ties by path."""
    label = state_label(record)
    charge = label_charge(label)
    return (charge is None, -(charge or 0), label, str(record.get("path") or ""))


def _site_key(record: Mapping[str, Any]):
    site = record["site"]
    rank = SITES.index(site) if site in SITES else len(SITES)
    return (rank, site, not _ok(record), str(record.get("path") or ""))


def _failure(record: Mapping[str, Any]) -> str | None:
    return None if _ok(record) else (record.get("failure") or f"status {record.get('status')!r}")


def spin_label(multiplicity: int) -> str:
    """2S+1 -> S as text: 7 -> "3", 8 -> "7/2"."""
    two_s = int(multiplicity) - 1
    return str(two_s // 2) if two_s % 2 == 0 else f"{two_s}/2"


# --- tables -----------------------------------------------------------------------------------------------

def table1(records) -> list[dict]:
    """Paper's Table 1: one row per VASP or GPAW record with a site, ordered hollow, top, bridge, then alphabetically,
    with the paper's values beside a Tb run's (``paper_*``; None for another adatom).

    ``e_ads_rel_mev`` = E_σ→0(site) − E_σ→0(hollow) in meV. The reference is the first ok hollow record (by path);
    the difference is None when this run or the hollow reference is failed or missing, lacks ``energy_sigma0_ev``,
    or has a different atom count (different cells are not comparable; the row's note says so).
    """
    vasp = sorted((r for r in _dft_records(records) if r.get("site")), key=_site_key)
    hollow = next((r for r in vasp if r["site"] == "hollow" and _ok(r) and r.get("energy_sigma0_ev") is not None),
                  None)
    rows = []
    for record in vasp:
        note, difference = _failure(record), None
        if _ok(record) and hollow is not None and record.get("energy_sigma0_ev") is not None:
            if record.get("natoms") != hollow.get("natoms"):
                note = f"{record.get('natoms')} atoms but hollow has {hollow.get('natoms')}: energies not compared"
            elif record.get("adatom") != hollow.get("adatom"):
                note = f"adatom {record.get('adatom')} but hollow has {hollow.get('adatom')}: energies not compared"
            else:
                difference = (float(record["energy_sigma0_ev"]) - float(hollow["energy_sigma0_ev"])) * 1000.0
        elif _ok(record) and hollow is None:
            note = "no successful hollow run to compare with"
        if _ok(record) and record.get("converged") is False:
            unconverged = f"ionic relaxation not converged ({record.get('ionic_steps')} steps)"
            note = f"{note}; {unconverged}" if note else unconverged
        if record.get("relaxation_flags"):
            flagged = "flagged: " + "; ".join(record["relaxation_flags"])
            note = f"{note}; {flagged}" if note else flagged
        height = record.get("adatom_height_angstrom") if _ok(record) else None
        paper = TB_GRAPHENE_TABLE1.get(record["site"]) if record.get("adatom") == "Tb" else None
        row = {"site": record["site"], "program": record.get("kind"), "status": record.get("status"),
               "e_ads_rel_mev": difference, "height_angstrom": None if height is None else float(height),
               "paper_e_ads_rel_mev": paper[0] if paper else None,
               "paper_height_angstrom": paper[1] if paper else None, "note": note}
        row["differences"] = {column: text for column in ("e_ads_rel_mev", "height_angstrom")
                              if (text := paper_difference(column, row[column], row[f"paper_{column}"]))}
        rows.append(row)
    return rows


def _cf_value(parameters, k: int, q: int):
    for parameter in parameters or ():
        if int(parameter["k"]) == k and int(parameter["q"]) == q:
            return float(parameter["b_cm1"])
    return None


def configuration_text(occupations) -> str | None:
    """``4f^8.00 (6s/5d0)^0.29 (5dxy+5dx2-y2)^0.71`` from ``[{character, electrons}]``; None without them."""
    if not occupations:
        return None
    names = (o["character"] if "/" not in o["character"] and "+" not in o["character"] else f"({o['character']})"
             for o in occupations)
    return " ".join(f"{name}^{o['electrons']:.2f}" for name, o in zip(names, occupations))


def configuration_mismatches(occupations, expected) -> list[str]:
    """The groups whose electrons in ``occupations`` differ from ``expected`` ({group: electrons}; a group it does
    not name: 0) by more than :data:`CONFIGURATION_TOLERANCE_ELECTRONS`, as "6s/5d0 0.15 (expected 1)"; none
    without ``expected``."""
    if not expected:
        return []
    found = {o["character"]: o["electrons"] for o in occupations or ()}
    return [f"{group} {found.get(group, 0.0):.2f} (expected {expected.get(group, 0):g})"
            for group in dict.fromkeys([*found, *expected])
            if abs(found.get(group, 0.0) - expected.get(group, 0)) > CONFIGURATION_TOLERANCE_ELECTRONS]


def _convergence_lines(records) -> list[str]:
    """A note under Table 2 for every state that needed the rescue ladder or did not converge (docs/molcas.md,
    "Convergence")."""
    from adatom_wf.molcas.rescue import convergence_text

    notes = [f"- {record.get('label')}: {convergence_text(record)[2:]}" for record in records
             if record.get("kind") == "molcas" and len(record.get("rasscf_attempts") or []) > 1]
    return (["RASSCF convergence (the rescue ladder restarts a RASSCF that stopped at its iteration limit):", ""]
            + notes + [""]) if notes else []


def table2(records) -> list[dict]:
    """Paper's Table 2: one row per OpenMolcas record ordered by charge (3+, 2+, 1+, 0, …, unknown labels last).

    g1, g2, g3 are the ground (first) SINGLE_ANISO multiplet's main g values in the order SINGLE_ANISO prints
    them (gX, gY, gZ; not re-sorted); B20 … B66 its ESO parameters B_k^q for (k, q) = (2,0), (4,0), (6,0), (6,6)
    in cm⁻¹, None where absent; configuration its electrons per active-orbital group. The note says where that
    configuration differs from the study's ``expected_configuration`` (``mismatch`` lists the groups).
    """
    rows = []
    for record in sorted(_records(records, "molcas"), key=_state_key):
        multiplets = (record.get("multiplets") or []) if _ok(record) else []
        ground = multiplets[0] if multiplets else {}
        g = [float(v) for v in ground.get("g_main") or []] + [None] * 3
        mismatch = configuration_mismatches(ground.get("occupations"), record.get("expected_configuration")) \
            if ground.get("occupations") else []
        note = _failure(record) or (None if ground else "no SINGLE_ANISO multiplet in this run")
        if mismatch:
            note = "ground multiplet is not the study's expected configuration: " + ", ".join(mismatch)
        row: dict[str, Any] = {
            "state": state_label(record), "status": record.get("status"), "pseudospin": ground.get("pseudospin"),
            "g1": g[0], "g2": g[1], "g3": g[2], "configuration": configuration_text(ground.get("occupations")),
            "mismatch": mismatch, "note": note}
        for column, (k, q) in CF_COLUMNS.items():
            row[column] = _cf_value(ground.get("cf_parameters"), k, q)
        paper = TB_GRAPHENE_TABLE2.get(row["state"], {})
        row.update({f"paper_{column}": paper.get(column) for column in TABLE2_VALUES})
        row["differences"] = {column: text for column in TABLE2_VALUES
                              if (text := paper_difference(column, row[column], paper.get(column)))}
        rows.append(row)
    return rows


def paper_difference(column: str, value, paper) -> str | None:
    """How a computed Table 1 or 2 value differs from the paper's, or None when it agrees within the marks above
    (:data:`G_TOLERANCE`, :data:`CF_FACTOR`, :data:`HEIGHT_TOLERANCE_ANGSTROM`, :data:`ENERGY_TOLERANCE_MEV`) or
    either is missing: "+0.412", "opposite sign", "×2.3", "-0.224 Å", "+28 meV"."""
    if value is None or paper is None:
        return None
    if column == "height_angstrom":
        return f"{value - paper:+.3f} Å" if abs(value - paper) > HEIGHT_TOLERANCE_ANGSTROM else None
    if column == "e_ads_rel_mev":
        return f"{value - paper:+.0f} meV" if abs(value - paper) > ENERGY_TOLERANCE_MEV else None
    if column.startswith("g"):
        return f"{value - paper:+.3f}" if abs(value - paper) > G_TOLERANCE else None
    if column not in MARKED_CF:
        return None
    if value * paper < 0:
        return "opposite sign"
    ratio = abs(value) / abs(paper) if paper else float("inf")
    return f"×{ratio:.1f}" if not 1 / CF_FACTOR <= ratio <= CF_FACTOR else None


def difference_texts(row: dict, names=None) -> list[str]:
    """A Table 2 row's marks as "B_2^0 3.220000 vs paper -3.940770 (opposite sign)" (``names``: column -> the
    name to print, default the Markdown header's)."""
    return [f"{(names or {}).get(column) or HEADERS[column].split(' (')[0]} {format_value(column, row[column])} "
            f"vs paper {format_value('paper_' + column, row['paper_' + column])} ({text})"
            for column, text in row["differences"].items()]


TABLE1_MARKS = (f"Beside the paper's Table 1 (marked: a height off by more than {HEIGHT_TOLERANCE_ANGSTROM:g} Å, an "
                f"energy by more than {ENERGY_TOLERANCE_MEV:g} meV):")
TABLE2_MARKS = (f"Beside the paper's Table 2 (marked: |Δg| > {G_TOLERANCE:g}; B_2^0 or B_4^0 of the other sign or "
                f"off by more than ×{CF_FACTOR:g}):")


def _paper_lines(rows, head: str) -> list[str]:
    """One line per row with a value marked against the paper's (the Markdown form of the marks); none when no row
    has the paper's values."""
    if not any(value is not None for row in rows for key, value in row.items() if key.startswith("paper_")):
        return []
    lines = [f"- {row.get('state') or row.get('site')}: " + "; ".join(difference_texts(row))
             for row in rows if row["differences"]]
    return [head, ""] + (lines or ["- every value within those marks."]) + [""]


def spin_gaps(records) -> list[dict]:
    """Paper's Fig. 4: per state and multiplicity (high spin first), the lowest RASSCF root (Eh) and its gap (eV)
    above the lowest root of all multiplicities of that state. A failed state gives one row without numbers."""
    rows = []
    for record in sorted(_records(records, "molcas"), key=_state_key):
        label = state_label(record)
        runs = [run for run in (record.get("rasscf") or []) if run.get("root_energies_hartree")] if _ok(record) else []
        if not runs:
            rows.append({"state": label, "status": record.get("status"), "multiplicity": None, "spin": None,
                         "lowest_root_hartree": None, "gap_ev": None,
                         "note": _failure(record) or "no RASSCF root energies in this run"})
            continue
        lowest = {int(run["multiplicity"]): min(float(e) for e in run["root_energies_hartree"]) for run in runs}
        ground = min(lowest.values())
        for multiplicity in sorted(lowest, reverse=True):
            rows.append({"state": label, "status": record.get("status"), "multiplicity": multiplicity,
                         "spin": spin_label(multiplicity), "lowest_root_hartree": lowest[multiplicity],
                         "gap_ev": (lowest[multiplicity] - ground) * HARTREE_EV, "note": None})
    return rows


def level_rows(records) -> list[dict]:
    """The ground multiplet's SO levels (cm⁻¹ above the lowest) with their signed ⟨Jz⟩ along the main axis, per
    state in charge order, levels in ascending energy. A failed state, or one without a spectrum, gives one row
    without numbers."""
    rows = []
    for record in sorted(_records(records, "molcas"), key=_state_key):
        label, spectrum = state_label(record), (record.get("spectrum") or {}) if _ok(record) else {}
        levels, jz = spectrum.get("levels_cm1") or [], spectrum.get("jz") or []
        if not levels:
            rows.append({"state": label, "status": record.get("status"), "level": None, "energy_cm1": None,
                         "jz": None, "note": _failure(record) or "no spectrum in this run"})
            continue
        if len(jz) != len(levels):
            raise StoreError(f"run {label}: spectrum has {len(levels)} levels but {len(jz)} ⟨Jz⟩ values")
        for index, (energy, value) in enumerate(zip(levels, jz)):
            rows.append({"state": label, "status": record.get("status"), "level": index, "energy_cm1": float(energy),
                         "jz": float(value), "note": None})
    return rows


def level_panels(rows) -> list[dict]:
    """:func:`level_rows` grouped per state with numbers, for :func:`adatom_wf.analysis.plots.plot_levels_by_jz`."""
    panels: dict[str, dict] = {}
    for row in rows:
        if row["energy_cm1"] is not None:
            panel = panels.setdefault(row["state"], {"state": row["state"], "levels_cm1": [], "jz": []})
            panel["levels_cm1"].append(row["energy_cm1"])
            panel["jz"].append(row["jz"])
    return list(panels.values())


# --- rendering --------------------------------------------------------------------------------------------

def format_value(column: str, value) -> str | None:
    """Text of one cell; None for a missing value. Floats get DECIMALS[column] decimals (−0.000 prints 0.000)."""
    if value is None:
        return None
    if isinstance(value, float) or (column in DECIMALS and isinstance(value, int) and not isinstance(value, bool)):
        text = f"{float(value):.{DECIMALS.get(column, 6)}f}"
        return text[1:] if text.startswith("-") and float(text) == 0 else text
    return str(value)


def _cell(text: str) -> str:
    """One line of Markdown text: whitespace runs collapsed, ``|`` escaped, ``<`` ``>`` as entities (a failure
    reason such as "ends inside <scstep>" must not read as an HTML tag)."""
    return " ".join(text.split()).replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def to_markdown(rows, columns) -> str:
    """A Markdown table of ``columns`` (keys of the rows; headers with units from HEADERS); missing values "—".

    Rows with a ``note`` (a failed run's reason, or why a number is missing) get a marker "(n)" in a last "note"
    column, and the notes are listed under the table as "- (n) state: text".
    """
    columns = list(columns)
    notes = [row.get("note") for row in rows]
    with_notes = any(notes)
    header = [HEADERS.get(column, column) for column in columns] + (["note"] if with_notes else [])
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    footnotes: list[str] = []
    for row, note in zip(rows, notes):
        values = [format_value(column, row.get(column)) for column in columns]
        cells = [MISSING_MARKDOWN if cell is None else _cell(cell) for cell in values]
        if with_notes:
            marker = ""
            if note:
                footnotes.append(f"({len(footnotes) + 1}) {_cell(str(row.get(columns[0])))}: {_cell(note)}")
                marker = f"({len(footnotes)})"
            cells.append(marker)
        lines.append("| " + " | ".join(cells) + " |")
    if footnotes:
        lines += [""] + [f"- {footnote}" for footnote in footnotes]
    return "\n".join(lines) + "\n"


def to_csv(rows, columns) -> str:
    """CSV with a header of the column keys; missing values empty; "\\n" line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if (text := format_value(column, row.get(column))) is None else text for column in columns])
    return buffer.getvalue()


# --- files ------------------------------------------------------------------------------------------------

def _configuration_lines(rows) -> list[str]:
    """One sentence per state with a configuration: as the study expects it, or where it differs."""
    lines = []
    for row in rows:
        if row["configuration"] is None:
            continue
        if row["mismatch"]:
            lines.append(f"- **{row['state']}: the ground multiplet is {row['configuration']}, not the configuration "
                         f"the study expects** ({', '.join(row['mismatch'])}).")
        else:
            lines.append(f"- {row['state']}: ground multiplet {row['configuration']}.")
    return lines + [""] if lines else []


def barrier_analyses(store, records) -> dict:
    """label -> SpectrumAnalysis of the stored SO states of every ok OpenMolcas run with a spectrum (for the
    barrier figures; reads L and S from the store)."""
    from adatom_wf.analysis.stored import stored_analysis

    return {record["label"]: stored_analysis(store, record["label"])
            for record in _records(records, "molcas") if _ok(record) and record.get("spectrum") and record.get("label")}


def barrier_section(levels, barriers: dict, figure, plot_barrier) -> list[str]:
    """The report's barrier figures, one per state with a stored spectrum, in the order of ``levels``."""
    lines = ["## Relaxation barriers (SINGLE_ANISO style)", "",
             "Levels at their ⟨Jz⟩ with the transition moments |⟨i|μ|j⟩| (μB) between them and the relaxation path "
             "(red) up to the level that sets U_eff.", ""]
    states = list(dict.fromkeys(row["state"] for row in levels if row["energy_cm1"] is not None))
    shown = [label for label in states if label in barriers]
    for label in shown:
        lines += [f"### {label}", ""]
        lines += figure(barrier_stem(label), f"Barrier of {label}",
                        lambda path, label=label: plot_barrier(barriers[label], path, title=label))
    if not shown:
        lines += ["Skipped: the SO states of no run were given (`adatom-wf report` reads them from the store).", ""]
    return lines


REPORT_FILES = ("report.md", "report.html", "table1.md", "table1.csv", "table2.md", "table2.csv", "spin_gaps.md",
                "spin_gaps.csv", "levels.csv", "levels_by_jz.png", "spin_gaps.png")
FIGURE_FORMATS = ("png", "pdf", "svg")  # each figure is written in every format asked for
REPORT_FORMATS = (*FIGURE_FORMATS, "html")  # html: report.html, its figures inline (no figure files of its own)
DEFAULT_FORMATS = ("png", "html")
# The packages whose versions the HTML report's provenance names (those that computed or drew what it shows).
PROVENANCE_PACKAGES = ("numpy", "scipy", "h5py", "matplotlib", "ase", "pymatgen", "jinja2")


def barrier_stem(label: str) -> str:
    """File stem of a state's barrier figure: ``Tb3+`` -> ``barrier_Tb3p``."""
    return "barrier_" + label.replace("+", "p").replace("-", "m").replace("/", "_")


def report_meta(store, stored: dict) -> dict:
    """What the HTML report says about the study beside the runs: the store's name, producer and study hash
    (``stored``: what :func:`adatom_wf.store.read_store` returns), and the study as run (workflow/study.yaml next to
    the store, when the store is a study's; else None)."""
    from adatom_wf.layout import study_snapshot_path
    from adatom_wf.spec import load_study

    snapshot = study_snapshot_path(Path(store).parent)
    return {"store": Path(store).name, "producer": stored.get("producer") or "adatom-wf",
            "study_name": stored.get("study"), "study_sha256": stored.get("study_sha256"),
            "study": load_study(snapshot) if snapshot.is_file() else None}


def write_report(records, out_dir, *, formats=DEFAULT_FORMATS, barriers=None, meta=None) -> list[Path]:
    """Write the report files into ``out_dir`` (created if needed) and return their paths, ``report.md`` last.

    Each figure is written in each of ``formats`` that is a figure format (FIGURE_FORMATS); ``html`` adds
    ``report.html`` with every figure inline. ``barriers`` maps oxidation-state labels to their SpectrumAnalysis
    (from the stored SO states) for the barrier figures, one per state; ``meta`` (:func:`report_meta`) feeds the
    HTML report's summary. Each file is written atomically (temporary file + rename). Files of a part that is
    skipped now (e.g. no VASP runs) are removed if an earlier report left them, so the folder always matches
    ``report.md``. Raises StoreError if there are no records.
    """
    from adatom_wf.analysis.plots import plot_barrier, plot_levels_by_jz, plot_spin_gaps
    from adatom_wf.manifest import atomic_write

    records = list(records or [])
    if not records:
        raise StoreError("nothing to report: the store holds no runs (parse the study's runs first)")
    formats = list(dict.fromkeys(formats))
    unknown = [kind for kind in formats if kind not in REPORT_FORMATS]
    if unknown or not formats:
        raise StoreError(f"report format {unknown[0] if unknown else '(none)'!r}: use any of "
                         f"{', '.join(REPORT_FORMATS)}")
    html = "html" in formats
    formats = [kind for kind in formats if kind != "html"]
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    vasp, molcas = _dft_records(records), _records(records, "molcas")
    written: list[Path] = []
    inline: dict = {}  # figure stem -> its inline SVG for report.html

    def figure(stem: str, caption: str, plot) -> list[str]:
        """``<stem>.<format>`` for every format; the report's lines: the figure (PNG or SVG) and links to all."""
        written.extend(plot(out_dir / f"{stem}.{kind}") for kind in formats)
        if html:
            inline[stem] = _inline_figure(stem, caption, plot, out_dir if "svg" in formats else None)
        shown = next((kind for kind in ("png", "svg") if kind in formats), None)
        links = ", ".join(f"[{stem}.{kind}]({stem}.{kind})" for kind in formats)
        return ([f"![{caption}]({stem}.{shown})", ""] if shown else []) + ([f"Files: {links}", ""] if links else [])

    def write(name: str, text: str) -> None:
        atomic_write(out_dir / name, text.encode())
        written.append(out_dir / name)

    def table(stem: str, rows, columns) -> list[str]:
        """``<stem>.md`` and ``<stem>.csv``; the report's lines: the table and links to both files."""
        markdown = to_markdown(rows, columns)
        write(f"{stem}.md", markdown)
        write(f"{stem}.csv", to_csv(rows, columns))
        return [markdown, f"Files: [{stem}.md]({stem}.md), [{stem}.csv]({stem}.csv)", ""]

    other = len(records) - len(vasp) - len(molcas)
    lines = ["# Report", "",
             f"{len(records)} stored runs: {_dft_count(vasp)}, {len(molcas)} OpenMolcas"
             + (f", {other} of another kind (not reported)" if other else "") + ".",
             "Decimals are fixed per column (docs/report.md); \"—\" marks a missing number, "
             "(n) a note below the table.",
             ""]

    lines += ["## Adsorption sites (paper's Table 1)", ""]
    rows1, rows2, gaps = table1(records), [], []
    if rows1:
        lines += ["E_σ→0 of each site minus that of the hollow site; adatom height above the mean graphene plane.", ""]
        lines += table("table1", rows1, TABLE1_COLUMNS)
        lines += _paper_lines(rows1, TABLE1_MARKS)
    else:
        lines += ["Skipped: " + ("no VASP or GPAW runs in the store." if not vasp else
                                 "no VASP or GPAW run names its site."), ""]

    if molcas:
        rows2 = table2(records)
        gaps = spin_gaps(records)
        levels = level_rows(records)
        panels = level_panels(levels)
        lines += ["## g values and crystal-field parameters of the ground multiplet (paper's Table 2)", "",
                  "Main g values as SINGLE_ANISO prints them (gX, gY, gZ), ESO parameters B_k^q in cm⁻¹, and the "
                  "multiplet's electrons per active-orbital group (mean over its SO states; docs/results.md).", ""]
        lines += table("table2", rows2, TABLE2_COLUMNS)
        lines += _paper_lines(rows2, TABLE2_MARKS)
        lines += _configuration_lines(rows2)
        lines += _convergence_lines(records)

        lines += ["## Spin-state gaps (paper's Fig. 4)", "",
                  "Lowest SA-CASSCF root of each multiplicity above the lowest root of that oxidation state.", ""]
        lines += table("spin_gaps", gaps, SPIN_GAP_COLUMNS)
        if any(row["gap_ev"] is not None for row in gaps):
            lines += figure("spin_gaps", "Spin-state gaps", lambda path: plot_spin_gaps(gaps, path))
        else:
            lines += ["Figure skipped: no OpenMolcas run has RASSCF root energies.", ""]

        lines += ["## Low-energy levels vs ⟨Jz⟩ (paper's Figs 3, 5–7)", "",
                  "SO levels of the ground multiplet (cm⁻¹ above the lowest) at their ⟨Jz⟩ along the main axis.", ""]
        write("levels.csv", to_csv(levels, LEVEL_COLUMNS))
        lines += ["File: [levels.csv](levels.csv)", ""]
        if panels:
            lines += figure("levels_by_jz", "Levels vs ⟨Jz⟩", lambda path: plot_levels_by_jz(panels, path))
        else:
            lines += ["Figure skipped: no OpenMolcas run has a spectrum.", ""]
        missing = sorted({row["state"] for row in levels} - {panel["state"] for panel in panels},
                         key=lambda label: (label_charge(label) is None, -(label_charge(label) or 0), label))
        if panels and missing:
            lines += ["Not plotted (failed or without a spectrum): " + ", ".join(missing) + ".", ""]
        lines += barrier_section(levels, barriers or {}, figure, plot_barrier)
    else:
        lines += ["## OpenMolcas results (paper's Table 2, Figs 3–7)", "",
                  "Skipped: no OpenMolcas runs in the store.", ""]

    if html:
        for panel in panels if molcas else []:  # each state's own E vs <Jz> figure, for its section of the page
            inline[f"levels_{barrier_stem(panel['state'])[8:]}"] = _inline_figure(
                f"levels_{barrier_stem(panel['state'])[8:]}", f"Levels of {panel['state']} vs ⟨Jz⟩",
                lambda path, panel=panel: plot_levels_by_jz([panel], path), None)
        page = render_html(records, meta or {}, inline, [path.name for path in written], rows1, rows2, gaps)
    stale = [out_dir / name for name in REPORT_FILES] + [
        out_dir / f"{stem}.{kind}" for stem in ("levels_by_jz", "spin_gaps") for kind in FIGURE_FORMATS]
    stale += [path for kind in FIGURE_FORMATS for path in out_dir.glob(f"barrier_*.{kind}")]
    for path in stale:  # a part skipped now must not leave an earlier report's file behind
        if path.name not in ("report.md", "report.html" if html else "") and path not in written:
            path.unlink(missing_ok=True)
    if html:
        write("report.html", page)
    write("report.md", "\n".join(lines).rstrip("\n") + "\n")
    return written


# --- the HTML page ------------------------------------------------------------------------------------------

HTML_NAMES = {"B20": "B₂⁰", "B40": "B₄⁰", "B60": "B₆⁰", "B66": "B₆⁶"}  # the page can print sub- and superscripts

def _inline_figure(stem: str, caption: str, plot, svg_dir: Path | None):
    """The figure as inline SVG: the ``<stem>.svg`` just written into ``svg_dir``, else drawn into a scratch file."""
    import tempfile

    from adatom_wf.report_html import inline_svg

    if svg_dir is not None:
        return inline_svg((svg_dir / f"{stem}.svg").read_text(), stem, caption)
    with tempfile.TemporaryDirectory() as scratch:
        return inline_svg(Path(plot(Path(scratch) / f"{stem}.svg")).read_text(), stem, caption)


def _html_table(rows, columns, classes=None):
    """A report table as HTML (:func:`adatom_wf.report_html.table`): headers with units, "—" for a missing value,
    the notes numbered under it as in Markdown."""
    from adatom_wf.report_html import cell, head, table

    classes = classes or {}
    with_notes = any(row.get("note") for row in rows)
    header = [[head(HEADERS.get(column, column), cls="text" if classes.get(column) == "text" else "")
               for column in columns] + ([head("note")] if with_notes else [])]
    body, notes = [], []
    for row in rows:
        marks = row.get("differences") or {}
        cells = [cell(format_value(column, row.get(column)), "marked" if column in marks else classes.get(column, ""),
                      marks.get(column, "")) for column in columns]
        if with_notes:
            if row.get("note"):
                notes.append(f"{row.get(columns[0])}: {' '.join(str(row['note']).split())}")
            cells.append(cell(f"({len(notes)})" if row.get("note") else ""))
        body.append(cells)
    return table(header, body, notes)


def _table2_html(rows):
    """Table 2 laid out as the paper prints it: a row per quantity, a column per state, the paper's value in a
    column beside a paper state's; a marked value carries its difference."""
    from adatom_wf.report_html import cell, head, table

    paired = [row["paper_g1"] is not None for row in rows]
    header = [[head("", rowspan=2 if any(paired) else 1)]
              + [head(row["state"], colspan=2 if pair else 1, rowspan=1 if pair or not any(paired) else 2)
                 for row, pair in zip(rows, paired)]]
    if any(paired):
        header.append([head(text) for pair in paired if pair for text in ("this run", "paper")])

    def spanning(name: str, texts, cls: str = "") -> list[dict]:
        return [cell(name, "text quantity")] + [cell(text, cls, colspan=2 if pair else 1)
                                                for text, pair in zip(texts, paired)]

    notes = [f"{row['state']}: {' '.join(str(row['note']).split())}" for row in rows if row.get("note")]
    markers = iter(range(1, len(notes) + 1))
    body = [spanning("status", [row["status"] for row in rows]),
            spanning("pseudospin S", [format_value("pseudospin", row["pseudospin"]) for row in rows])]
    for column in TABLE2_VALUES:
        cells = [cell(HTML_NAMES.get(column, column) + (" (cm⁻¹)" if column in CF_COLUMNS else ""), "text quantity")]
        for row, pair in zip(rows, paired):
            delta = row["differences"].get(column, "")
            cells.append(cell(format_value(column, row[column]), "marked" if delta else "", delta))
            if pair:
                cells.append(cell(format_value(f"paper_{column}", row[f"paper_{column}"]), "paper"))
        body.append(cells)
    body.append(spanning("configuration (electrons)", [row["configuration"] for row in rows], "text config"))
    if notes:
        body.append(spanning("note", [f"({next(markers)})" if row.get("note") else "" for row in rows]))
    return table(header, body, notes)


def _package_versions() -> str:
    import platform
    from importlib import metadata

    versions = [f"Python {platform.python_version()}"]
    for name in PROVENANCE_PACKAGES:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            continue
    return ", ".join(versions)


def _study_summary(meta: dict, records) -> list[tuple[str, str]]:
    """The page's "Study" table: what was computed, on what, and by which versions."""
    study = meta.get("study")
    rows = [("study", meta.get("study_name") or (study.name if study else "(a store without a study name)"))]
    if study is not None:
        rows += [("adatom", study.adatom),
                 ("sites", ", ".join(f"{name} at {site.height_angstrom:g} Å" for name, site in study.sites.items())),
                 ("cluster", f"{study.cluster.rings} ring(s) around the {study.cluster.site} site, "
                             f"{study.cluster.geometry} geometry" + (", C6v-symmetrised" if study.cluster.symmetrize
                                                                    else ""))]
        if study.molcas is not None:
            molcas = study.molcas
            rows += [("basis", ", ".join(f"{element} {basis}" for element, basis in molcas.basis.items())
                      + f"; {molcas.relativity}; Cholesky {str(molcas.cholesky).lower()}"),
                     ("starting orbitals", molcas.orbitals.guess + (f" (projected from {molcas.orbitals.project_from})"
                                                                    if molcas.orbitals.guess != "core" else "")),
                     ("oxidation states", "; ".join(
                         f"{label}: CAS({state.active_space.electrons},{state.active_space.orbitals}) over "
                         f"{', '.join(state.active_space.character)}, 2S+1 = "
                         + "/".join(str(s.multiplicity) for s in state.spin_states) + " with "
                         + "/".join(str(s.roots) for s in state.spin_states) + " roots"
                         for label, state in molcas.oxidation_states.items()))]
    molcas_versions = sorted({r["molcas_version"] for r in _records(records, "molcas") if r.get("molcas_version")})
    rows += [("runs in the store", f"{len(records)}: {_dft_count(_dft_records(records))}, "
                                   f"{len(_records(records, 'molcas'))} OpenMolcas"),
             ("study SHA-256", meta.get("study_sha256") or "—"),
             ("written by", f"{meta.get('producer') or 'adatom-wf'}; OpenMolcas {', '.join(molcas_versions) or '—'}; "
                            + _package_versions())]
    return rows


def _state_sections(records, rows2, gaps, inline: dict) -> list[dict]:
    """One section per OpenMolcas state: its ground multiplet, flags, RASSCF runs, spin gaps and figures."""
    from adatom_wf.molcas.rescue import convergence_text
    from adatom_wf.report_html import cell, head, table

    by_state = {row["state"]: row for row in rows2}
    sections = []
    for record in sorted(_records(records, "molcas"), key=_state_key):
        label = state_label(record)
        row = by_state[label]
        facts = [("ground multiplet", f"pseudospin S = {row['pseudospin']}" if row["pseudospin"] else "—"),
                 ("configuration", row["configuration"] or "—"),
                 ("starting orbitals", _start_text(record.get("orbital_start"))),
                 ("convergence", convergence_text(record)[2:] or (record.get("convergence") or "—"))]
        if not _ok(record):
            facts.append(("failure", _failure(record)))
        flags = []
        if row["mismatch"]:
            flags.append("the ground multiplet is not the configuration the study expects: "
                         + ", ".join(row["mismatch"]))
        flags += [f"beside the paper: {text}" for text in difference_texts(row, HTML_NAMES)]
        flags += [" ".join(str(warning).split()) for warning in record.get("warnings") or []]
        runs = record.get("rasscf") or []
        rasscf = table([[head("2S+1"), head("S"), head("roots"), head("iterations"), head("converged", cls="text")]],
                       [[cell(str(run["multiplicity"])), cell(spin_label(run["multiplicity"])),
                         cell(str(len(run.get("root_energies_hartree") or [])) or None),
                         cell(str(run["iterations"]) if run.get("iterations") is not None else None),
                         cell("yes" if run.get("converged") else "no", "text")] for run in runs]) if runs else None
        state_gaps = [gap for gap in gaps if gap["state"] == label and gap["gap_ev"] is not None]
        stem = barrier_stem(label)[8:]
        sections.append({
            "label": label, "anchor": stem, "status": record.get("status"),
            "status_class": "ok" if _ok(record) else "failed", "facts": facts, "flags": flags, "rasscf": rasscf,
            "spin_gaps": _html_table(state_gaps, ("multiplicity", "spin", "lowest_root_hartree", "gap_ev"))
            if state_gaps else None,
            "figures": [figure for figure in (inline.get(f"levels_{stem}"), inline.get(f"barrier_{stem}")) if figure],
        })
    return sections


def _start_text(start: str | None) -> str:
    """The record's ``orbital_start`` (status.json's start source) in words."""
    if not start:
        return "—"
    if start.endswith("guessorb.h5"):
        return f"SEWARD's guess, active orbitals picked by character ({start})"
    if start.startswith("projected from"):
        return f"{start}, expanded with EXPBAS and checked by character"
    if start.startswith("restart"):
        return f"{start}: the orbitals an earlier, stopped attempt left"
    return start


def render_html(records, meta: dict, inline: dict, files: list[str], rows1, rows2, gaps) -> str:
    """report.html's text (:mod:`adatom_wf.report_html`) from the records, the rows of Table 1, Table 2 and the spin
    gaps that write_report built, the inline figures and the files beside."""
    from adatom_wf.report_html import render

    molcas = bool(_records(records, "molcas"))
    study = meta.get("study")
    name = meta.get("study_name") or (study.name if study else None)
    return render(
        title=f"Report: {name}" if name else "Report", description=study.description if study else "",
        producer=meta.get("producer") or "adatom-wf", store=meta.get("store") or "the store",
        summary=_study_summary(meta, records),
        table1=_html_table(rows1, TABLE1_COLUMNS, {"site": "text", "program": "text", "status": "text"})
        if rows1 else None,
        table1_skipped="no VASP or GPAW runs in the store." if not _dft_records(records)
        else "no VASP or GPAW run names its site.",
        molcas=molcas, marks={"g": f"{G_TOLERANCE:g}", "cf": f"{CF_FACTOR:g}",
               "height": f"{HEIGHT_TOLERANCE_ANGSTROM:g}",
               "energy": f"{ENERGY_TOLERANCE_MEV:g}"},
        table2=_table2_html(rows2) if molcas else None,
        spin_gaps=_html_table(gaps, SPIN_GAP_COLUMNS, {"state": "text", "status": "text"}) if molcas else None,
        figures=inline, states=_state_sections(records, rows2, gaps, inline) if molcas else [],
        files=[name for name in files if name != "report.html"] + ["report.md"],
    )
