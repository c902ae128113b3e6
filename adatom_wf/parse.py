"""Find the runs of a study (or take run directories), parse each by its content, and store them.

A study's runs live in ``runs/<study>/dft/<site>/`` (VASP or GPAW) and ``runs/<study>/molcas/<label>/`` (OpenMolcas,
:mod:`adatom_wf.layout`);
folders without output yet are skipped and named. Any other directory is recognised by what it holds
(:func:`adatom_wf.vasp.results.is_vasp_run`, :func:`adatom_wf.gpaw.results.is_gpaw_run`,
:func:`adatom_wf.molcas.results.is_molcas_run`), never by its name.
"""

from dataclasses import dataclass, field
from pathlib import Path

from adatom_wf import layout
from adatom_wf.errors import AnalysisError, ParseError
from adatom_wf.store import RunResult


@dataclass
class ParseOutcome:
    results: list = field(default_factory=list)
    not_run: list = field(default_factory=list)  # run folders of the study without output yet


def _progress(items, description: str):
    """A progress bar on stderr when there is a terminal and more than a couple of runs (tqdm)."""
    from tqdm import tqdm

    return tqdm(items, desc=description, unit="run", disable=None if len(items) > 2 else True, leave=False)


def parse_vasp(directory: Path, *, adatom: str | None = None) -> RunResult:
    from adatom_wf.vasp.results import parse_vasp_run

    return RunResult(parse_vasp_run(directory, adatom=adatom))


def parse_directory(directory, *, label: str | None = None, multiplet_size: int | None = None,
                    adatom: str | None = None, characters=None, expected_configuration=None) -> RunResult:
    """One run directory, VASP, GPAW or OpenMolcas, detected by content."""
    from adatom_wf.gpaw.results import is_gpaw_run, parse_gpaw_run
    from adatom_wf.molcas.results import is_molcas_run, parse_molcas_run
    from adatom_wf.vasp.results import is_vasp_run

    directory = Path(directory)
    if not directory.is_dir():
        raise ParseError(f"{directory} is not a directory (expected a VASP, GPAW or OpenMolcas run directory)")
    if is_vasp_run(directory):
        return parse_vasp(directory, adatom=adatom)
    if is_gpaw_run(directory):
        return RunResult(parse_gpaw_run(directory, adatom=adatom))
    if is_molcas_run(directory):
        return analysed(parse_molcas_run(directory, label=label, multiplet_size=multiplet_size, characters=characters,
                                         expected_configuration=expected_configuration))
    raise ParseError(f"{directory} is neither a VASP run (vasprun.xml or OUTCAR), a GPAW relaxation (relax.json "
                     "or gpaw.txt) nor an OpenMolcas run (an OpenMolcas log or rasscf/rassi .h5)")


def analysed(result: RunResult) -> RunResult:
    """An OpenMolcas result with the analysis of its multiplet's SO states: doublets (energy, tunnel splitting, g,
    |Jz|) and the spectrum (levels, ⟨Jz⟩, main axis, E_ZFS, E_MAB, U_eff, Kramers check); a failed run if the
    analysis refuses the states."""
    import numpy as np

    from adatom_wf.analysis.spectrum import analyse_spectrum, states_from_spin_orbit
    from adatom_wf.molcas.results import failed_result

    record = result.record
    states = result.states
    if states is None:
        return result
    electrons = states.active_electrons or (1 if states.odd_electrons else 2)  # only its parity matters here
    try:
        magnetic = states_from_spin_orbit(states.energies_cm1, states.angular_momentum, states.spin,
                                          electron_count=max(electrons, 1))
        analysis = analyse_spectrum(magnetic, strict_kramers=False)
    except AnalysisError as error:
        return failed_result(record, f"{Path(record['path']).name}: the SO states cannot be analysed: {error}")
    except (ArithmeticError, ValueError, np.linalg.LinAlgError) as error:  # numbers no real run gives
        return failed_result(record, f"{Path(record['path']).name}: the SO states cannot be analysed "
                                     f"({type(error).__name__}: {error})")
    record["doublets"] = [
        {"energy_cm1": g.energy_cm1, "tunnel_splitting_cm1": g.tunnel_splitting_cm1, "g_main": g.g_main,
         "g_principal": list(g.g_principal), "jz_abs": g.jz_abs} for g in analysis.doublets]
    record["spectrum"] = {
        "levels_cm1": [float(e) for e in analysis.levels_cm1], "jz": [float(j) for j in analysis.barrier_jz],
        "main_axis": [float(a) + 0.0 for a in analysis.main_axis], "kramers": analysis.kramers,
        "e_zfs_cm1": analysis.e_zfs_cm1, "e_mab_cm1": analysis.e_mab_cm1, "u_eff_cm1": analysis.u_eff_cm1,
        "kramers_violations": len(analysis.kramers_check.violations),
        "active_electrons": states.active_electrons or None}
    return result


def parse_study(study, root: Path) -> ParseOutcome:
    """Every run of ``study`` under ``root`` (``runs/<study>``) that has output."""
    from adatom_wf.gpaw.results import is_gpaw_run
    from adatom_wf.molcas.results import is_molcas_run
    from adatom_wf.vasp.results import is_vasp_run

    root = Path(root)
    candidates = []
    detect_dft = is_gpaw_run if study.dft.program == "gpaw" else is_vasp_run
    for site in study.sites:
        directory = root / layout.site_dir(site)
        candidates.append((directory, detect_dft, {"adatom": study.adatom}))
    if study.molcas is not None:
        for label, state in study.molcas.oxidation_states.items():
            candidates.append((root / layout.state_dir(label), is_molcas_run,
                               {"label": label, "multiplet_size": state.multiplet_size,
                                "characters": state.active_space.character,
                                "expected_configuration": state.expected_configuration}))
    outcome = ParseOutcome()
    present = []
    for directory, detect, options in candidates:
        (present if detect(directory) else outcome.not_run).append((directory, options))
    for directory, options in _progress(present, f"parsing {study.name}"):
        outcome.results.append(parse_directory(directory, **options))
    outcome.not_run = [directory for directory, _ in outcome.not_run]
    return outcome


def parse_directories(paths) -> ParseOutcome:
    paths = [Path(p) for p in paths]
    return ParseOutcome([parse_directory(p) for p in _progress(paths, "parsing")])
