"""Did a VASP relaxation succeed? Judged from its files, never from the exit code or Slurm alone.

A run is a success when VASP exited 0, vasprun.xml is complete (a killed run's file ends inside an
``<scstep>``), OUTCAR (where present) has its timing footer, the last ionic step reached electronic
self-consistency, the relaxation converged within NSW steps, and CONTCAR holds the final structure.
"""

from pathlib import Path

from adatom_wf.verdict import Verdict

OUTCAR_FOOTER = "General timing and accounting informations for this job"


def vasprun_ending(path: Path) -> str | None:
    """None when vasprun.xml closes ``</modeling>``; else where it stops (``inside an <scstep>`` …)."""
    with open(path, "rb") as handle:
        handle.seek(0, 2)
        size = handle.tell()
        handle.seek(max(0, size - 65536))
        tail = handle.read().decode("latin-1")
    if tail.rstrip().endswith("</modeling>"):
        return None
    for tag, words in (("scstep", "inside an <scstep>"), ("calculation", "inside a <calculation>")):
        if tail.rfind(f"<{tag}>") > tail.rfind(f"</{tag}>"):
            return words
    return "before </modeling>"


def outcar_finished(path: Path) -> bool:
    with open(path, "rb") as handle:
        handle.seek(0, 2)
        handle.seek(max(0, handle.tell() - 16384))
        return OUTCAR_FOOTER in handle.read().decode("latin-1")


def judge_vasp(directory: str | Path, exit_code: int) -> Verdict:
    directory = Path(directory)
    problems = []
    if exit_code != 0:
        problems.append(f"VASP exited with code {exit_code}")
        if not (directory / "POTCAR").is_file():
            problems.append(f"{directory} has no POTCAR (POTCAR.spec lists the potentials; set PMG_VASP_PSP_DIR)")
    vasprun = directory / "vasprun.xml"
    if not vasprun.is_file() or vasprun.stat().st_size == 0:
        problems.append(NO_VASPRUN)
        return Verdict(False, "; ".join(problems))
    ending = vasprun_ending(vasprun)
    if ending is not None:
        problems.append(stopped_mid_run(ending))
        return Verdict(False, "; ".join(problems))
    outcar = directory / "OUTCAR"
    if outcar.is_file() and not outcar_finished(outcar):
        problems.append(OUTCAR_UNFINISHED)
    try:
        run = read_vasprun(vasprun)
    except Exception as error:  # pymatgen raises many kinds for a malformed file
        problems.append(unreadable("vasprun.xml", error))
        return Verdict(False, "; ".join(problems))
    problems += convergence_problems(run)
    contcar = directory / "CONTCAR"
    if not contcar.is_file() or contcar.stat().st_size == 0:
        problems.append("VASP wrote no CONTCAR")
    return Verdict(not problems, "; ".join(problems), vasprun_details(run))


# --- the wording of each problem (shared with .results) ---------------------------------------

NO_VASPRUN = "VASP wrote no vasprun.xml"
OUTCAR_UNFINISHED = "OUTCAR has no timing footer: VASP did not finish"


def stopped_mid_run(ending: str) -> str:
    return f"vasprun.xml ends {ending}: VASP was stopped mid-run"


def unreadable(name: str, error: Exception) -> str:
    return f"{name} is unreadable ({' '.join(str(error).split()) or type(error).__name__})"


def electronic_problem(nelm) -> str:
    return f"electronic self-consistency not reached in the last ionic step (NELM = {nelm})"


def ionic_problem(nsw, ediffg) -> str:
    return f"ionic relaxation not converged within NSW = {nsw} steps (EDIFFG = {ediffg})"


# --- vasprun.xml through pymatgen ----------------------------------------------------------------------------

def read_vasprun(path: Path):
    """pymatgen's ``Vasprun`` of a complete file (strict XML; DOS, eigenvalues and POTCAR not read)."""
    import warnings

    from pymatgen.io.vasp.outputs import Vasprun

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Vasprun(str(path), parse_dos=False, parse_eigen=False, parse_projected_eigen=False,
                       parse_potcar_file=False, exception_on_bad_xml=True)


def vasprun_details(run) -> dict:
    steps = run.ionic_steps
    last = steps[-1]["electronic_steps"][-1] if steps and steps[-1]["electronic_steps"] else {}
    return {
        "ionic_steps": len(steps),
        "electronic_steps_last_ionic_step": len(steps[-1]["electronic_steps"]) if steps else 0,
        # σ→0 from the last electronic step (the ionic step's e_0_energy is wrong in VASP 5.x)
        "energy_sigma0_eV": float(last["e_0_energy"]) if "e_0_energy" in last else None,
        "vasp_version": run.vasp_version,
    }


def convergence_problems(run) -> list[str]:
    """pymatgen's verdict (it counts steps: fewer than NELM electronic, fewer than NSW ionic)."""
    problems = []
    if not run.converged_electronic:
        problems.append(electronic_problem(run.parameters.get("NELM")))
    if not run.converged_ionic:
        problems.append(ionic_problem(run.parameters.get("NSW"), run.parameters.get("EDIFFG")))
    return problems
