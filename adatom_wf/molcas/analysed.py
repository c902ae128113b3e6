"""The analysis of a run's ground-multiplet SO states at parse time
(:func:`adatom_wf.analysis.stored.analyse_so_states`, which the report's figures and the API repeat from the store):
the record's ``doublets`` (energy, tunnel splitting, g, |Jz|) and ``spectrum`` (levels, ⟨Jz⟩, main axis, E_ZFS,
E_MAB, U_eff, Kramers check).
"""

from pathlib import Path

from adatom_wf.errors import AnalysisError
from adatom_wf.records import RunResult


def analysed(result: RunResult) -> RunResult:
    """``result`` with the analysis of its multiplet's SO states (:mod:`adatom_wf.analysis.spectrum`); a failed run
    if the analysis refuses the states; unchanged when it has none."""
    import numpy as np

    from adatom_wf.analysis.stored import analyse_so_states
    from adatom_wf.molcas.results import failed_result

    record = result.record
    states = result.states
    if states is None:
        return result
    electrons = states.active_electrons or (1 if states.odd_electrons else 2)  # only its parity matters here
    try:
        analysis = analyse_so_states(states.energies_cm1, states.angular_momentum, states.spin,
                                     electron_count=max(electrons, 1))
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
