"""The cost model: exact counts against what real OpenMolcas runs printed, estimates of the paper's study,
the refusal of a scratch that cannot hold a state, and the plan of the dry run."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from adatom_wf.errors import SpecError
from adatom_wf.molcas.basis import basis_library_dir
from adatom_wf.molcas.cost import _bundled, contraction, shell_functions, state_cost, time_constants
from adatom_wf.spec import load_study, parse_study

LOGS = Path(__file__).parent / "fixtures" / "logs"
LIBRARY = basis_library_dir()


def printed(text, name):
    """Every integer printed as '<name>   N' in a RASSCF input summary, in order."""
    return [int(n) for n in re.findall(rf"^\s+{re.escape(name)}\s+(\d+)$", text, re.M)]


@pytest.mark.parametrize(("label", "log"), [("Tb3+", "Tb3p.casscf.v22.10.trimmed.log"),
                                           ("Tb2+", "Tb2p.casscf.v22.10.trimmed.log")])
def test_counts_are_what_the_demo_rasscf_printed(label, log):
    """Basis functions, inactive/active/secondary orbitals and CSFs per multiplicity of the real demo runs."""
    text = (LOGS / log).read_text()
    cost = state_cost(load_study("demo_tb_benzene"), label, LIBRARY)
    assert set(printed(text, "Number of basis functions")) == {cost.basis_functions} == {79}
    assert set(printed(text, "Inactive orbitals")) == {cost.inactive}
    assert set(printed(text, "Active orbitals")) == {cost.active}
    assert set(printed(text, "Secondary orbitals")) == {cost.secondary}
    assert printed(text, "Number of CSFs")[::2] == list(cost.csfs.values())  # each RASSCF prints it twice


def test_scratch_and_vectors_of_the_calibration_runs():
    """What SEWARD wrote for Tb/benzene (RICD) in two bases: ChVec1 exactly, the whole WorkDir to 10 %
    (tests/molcas/fixtures/cost/README.md has the measured sizes and how they were measured)."""
    demo = state_cost(load_study("demo_tb_benzene"), "Tb3+", LIBRARY)
    assert demo.cholesky_vectors == 454 and demo.integrals_gb * 1e9 == pytest.approx(11_477_120, rel=1e-3)
    assert demo.scratch_gb * 1e9 == pytest.approx(46_874_519, rel=0.1)  # the WorkDir after GATEWAY + SEWARD
    data = yaml.safe_load(Path(__file__).parents[2].joinpath("workflows", "demo_tb_benzene.yaml").read_text())
    data["molcas"]["basis"] = {"Tb": "ANO-RCC-VTZP", "C": "ANO-RCC-VDZP", "H": "ANO-RCC-VDZ"}
    paper_basis = state_cost(parse_study(data), "Tb3+", LIBRARY)
    assert paper_basis.basis_functions == 200 and paper_basis.cholesky_vectors == 2021
    assert paper_basis.integrals_gb * 1e9 == pytest.approx(324_976_800, rel=1e-3)
    assert paper_basis.scratch_gb * 1e9 == pytest.approx(420_836_157, rel=0.1)


def test_the_paper_study_plans_ricd_and_gigabytes_not_terabytes():
    for label, cost in ((label, state_cost(load_study("tb_graphene"), label, LIBRARY))
                        for label in ("Tb3+", "Tb2+", "Tb1+", "Tb0")):
        assert cost.basis_functions == 104 + 54 * 14 + 18 * 2 == 896
        assert cost.integrals == "cholesky" and 5 < cost.integrals_gb < 50, (label, cost.integrals_gb)
        assert cost.integrals_gb_conventional > 500  # what cholesky: false would write
    assert state_cost(load_study("tb_graphene"), "Tb0", LIBRARY).csfs == {"10": 10, "8": 440, "6": 4950, "4": 19800}


def test_shells_and_the_bundled_table():
    assert shell_functions("8s7p5d3f2g1h") == 8 + 21 + 25 + 21 + 18 + 11
    with pytest.raises(SpecError, match="not a list of shells"):
        shell_functions("8s7x")
    assert contraction("C", "ANO-RCC...3s2p1d.", None) == ("3s2p1d", "the basis name")
    with pytest.raises(SpecError, match="no contraction known for basis 'ANO-RCC-VXZP' of Tb"):
        contraction("Tb", "ANO-RCC-VXZP", None)
    if LIBRARY is not None:  # the bundled copy is the installed library's
        for element, sets in _bundled().items():
            for name, shells in sets.items():
                if name != "PRIMITIVES":
                    assert contraction(element, name, LIBRARY)[0] == str(shells).lower(), (element, name)


def test_a_scratch_too_small_for_conventional_integrals_is_refused(tmp_path):
    data = yaml.safe_load(Path(__file__).parents[2].joinpath("workflows", "tb_graphene.yaml").read_text())
    data["molcas"]["cholesky"] = False
    data["cluster"]["geometry"] = "ideal"
    data["execution"] = {"relax": False}
    study = parse_study(data)
    profiles = tmp_path / "profiles.yaml"
    profiles.write_text(yaml.safe_dump({"profiles": {"hpc": {"partition": "p", "time": "60",
                                                             "molcas": {"scratch_gb": 100}}}}))
    from adatom_wf.workflow.runner import run_study

    with pytest.raises(SpecError) as error:
        run_study(study, tmp_path / "runs", executor="slurm", profile="hpc", profiles_file=profiles, dry_run=True)
    message = str(error.value)
    assert message.startswith("Tb3+ needs ~1.19e+03 GB of scratch (conventional integrals ~1.19e+03 GB, 896 basis")
    assert "profile 'hpc' (molcas.scratch_gb) holds 100 GB" in message and "molcas.cholesky: auto or true" in message
    assert not (tmp_path / "runs").exists()


def test_the_dry_run_plans_memory_from_the_estimate(tmp_path):
    """The paper study on Slurm: MOLCAS_MEM from each state's estimate, --mem from the largest of the array."""
    profiles = tmp_path / "profiles.yaml"
    profiles.write_text(yaml.safe_dump({"profiles": {"hpc": {"partition": "p", "time": "60",
                                                             "vasp": {"command": "vasp_std"}}}}))
    from adatom_wf.workflow.runner import run_study

    report = run_study(load_study("tb_graphene"), tmp_path / "runs", executor="slurm", profile="hpc",
                       profiles_file=profiles, dry_run=True)
    plans = report.state_plans
    assert sorted(plans) == ["Tb0", "Tb1+", "Tb2+", "Tb3+"]
    assert all(p["cost"]["basis_functions"] == 896 and p["molcas_mem_mb"] >= 2 * p["cost"]["memory_mb"]
               for p in plans.values())
    scripts = tmp_path / "runs" / "tb_graphene" / "workflow" / "scripts"
    assert f"export MOLCAS_MEM={plans['Tb0']['molcas_mem_mb']} " in (scripts / "molcas.Tb0.sh").read_text()
    batch = next(scripts.glob("*-molcas.sbatch")).read_text()
    mem = int(re.search(r"#SBATCH --mem=(\d+)M", batch).group(1))
    assert mem >= 1.25 * max(p["molcas_mem_mb"] for p in plans.values()) + 1000


@pytest.mark.molcas
@pytest.mark.skipif(shutil.which("pymolcas") is None, reason="OpenMolcas is not installed")
def test_basis_function_counts_are_what_seward_prints(tmp_path):
    """Real SEWARD (one-electron integrals only, seconds) on atoms of several elements and ANO-RCC sets."""
    from adatom_wf.molcas.execute import pymolcas_command

    atoms = [("Tb", "ANO-RCC-VTZP"), ("Dy", "ANO-RCC-MB"), ("C", "ANO-RCC-VDZP"), ("H", "ANO-RCC-VDZ"),
             ("O", "ANO-RCC-VTZP"), ("N", "ANO-RCC-MB")]
    blocks = "".join(f"  Basis set\n    {el}.{basis}\n    {el}1 0.0 0.0 {8.0 * i:.1f} Angstrom\n  End of basis set\n"
                     for i, (el, basis) in enumerate(atoms))
    (tmp_path / "count.input").write_text(f"&GATEWAY\n{blocks}&SEWARD\n  OneOnly\n")
    (tmp_path / "work").mkdir()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "Project": "count", "MOLCAS_WORKDIR": str(tmp_path / "work"),
           "MOLCAS_MEM": "1000", "OMP_NUM_THREADS": "1"}
    result = subprocess.run(pymolcas_command() + ["count.input"], cwd=tmp_path, env=env, capture_output=True,
                            text=True, timeout=600)
    seward = int(re.search(r"Basis functions\s+(\d+)", result.stdout).group(1))
    ours = sum(shell_functions(contraction(el, basis, LIBRARY)[0]) for el, basis in atoms)
    assert seward == ours, result.stdout[-2000:]


def _demo_with(**molcas):
    data = yaml.safe_load(Path(__file__).parents[2].joinpath("workflows", "demo_tb_benzene.yaml").read_text())
    data["molcas"].update(molcas)
    return parse_study(data)


def test_the_time_estimate_has_every_module_of_a_state_and_adds_up():
    """Each multiplicity's RASSCF, RASSI and SINGLE_ANISO, summed; validate --json carries it and the integrals'."""
    study = load_study("demo_tb_benzene")
    for label, state in study.molcas.oxidation_states.items():
        seconds = state_cost(study, label, LIBRARY).seconds
        assert list(seconds["rasscf"]) == [str(s.multiplicity) for s in state.spin_states]
        assert all(value > 0 for value in seconds["rasscf"].values()) and seconds["single_aniso"] > 0
        assert seconds["total"] == pytest.approx(sum(seconds["rasscf"].values()) + seconds["rassi"]
                                                 + seconds["single_aniso"], abs=0.2)
    assert state_cost(study, next(iter(study.molcas.oxidation_states)), LIBRARY).integrals_seconds > 0


def test_the_time_estimate_grows_with_what_makes_a_run_longer():
    """More roots, a larger basis, more atoms: never cheaper (the terms are counts times
    non-negative constants, presets/molcas_time.yaml)."""
    assert all(value >= 0 for kind in ("integrals", "rasscf", "rassi", "single_aniso")
               for value in time_constants()[kind].values())
    demo = load_study("demo_tb_benzene")
    paper_basis = _demo_with(basis={"Tb": "ANO-RCC-VTZP", "C": "ANO-RCC-VDZP", "H": "ANO-RCC-VDZ"})
    data = yaml.safe_load(Path(__file__).parents[2].joinpath("workflows", "demo_tb_benzene.yaml").read_text())
    data["cluster"]["rings"] = 2
    coronene = parse_study(data)
    data["molcas"]["oxidation_states"]["Tb2+"]["spin_states"][1]["roots"] = 42
    more_roots = parse_study(data)

    def total(study, label="Tb2+"):
        return state_cost(study, label, LIBRARY).seconds["total"]

    assert total(demo) < total(paper_basis) and total(demo) < total(coronene) < total(more_roots)
    assert total(demo, "Tb3+") < total(demo, "Tb2+") < total(demo, "Tb0")
    def integrals(study):  # any state's: the integrals do not depend on the charge
        return state_cost(study, next(iter(study.molcas.oxidation_states)), LIBRARY).integrals_seconds

    assert integrals(demo) < min(integrals(s) for s in (paper_basis, coronene))


def test_a_basis_beyond_the_calibration_runs_is_marked_extrapolated(cli):
    """The paper's study (896 functions) is beyond the largest basis the time model was fitted on (coronene in the
    paper's basis, 464): its cost says so, in the JSON and on validate's cost line; the bundled coronene study is
    not."""
    assert time_constants()["calibrated_basis_functions"] == 464
    assert state_cost(load_study("tb_graphene"), "Tb2+", LIBRARY).time_extrapolated
    assert not state_cost(load_study("tb_coronene_paper_basis"), "Tb2+", LIBRARY).time_extrapolated
    lines = cli("validate", "tb_graphene").stdout.splitlines()
    costs = [line for line in lines if line.strip().startswith("cost:")]
    assert len(costs) == 4 and all("on one core (extrapolated: the time model is calibrated up to 464 basis functions"
                                   in line for line in costs)


def test_a_rasscf_is_its_iterations_plus_what_it_does_once():
    """The module's terms are the iteration's times the count plus the start and the per-root analysis; with
    Cholesky the iteration's orbital step has the exchange term (vectors × N² × occupied) and the one that carries
    the growth measured from benzene to coronene in the paper's basis (× N)."""
    from adatom_wf.molcas.cost import rasscf_features, rasscf_iteration_features, rasscf_once_features

    cost = state_cost(_demo_with(basis={"Tb": "ANO-RCC-VTZP", "C": "ANO-RCC-VDZP", "H": "ANO-RCC-VDZ"}), "Tb2+",
                      LIBRARY)
    per, once = rasscf_iteration_features(cost, 6, 21), rasscf_once_features(cost, 21)
    features = rasscf_features(cost, 6, 21, 17)
    assert features == pytest.approx({**{name: 17 * value for name, value in per.items()}, **once})
    n, occupied = cost.basis_functions, cost.inactive + cost.active
    assert cost.integrals == "cholesky" and per["conventional_orbitals"] == 0
    assert per["cholesky_orbitals"] == pytest.approx(cost.cholesky_vectors * n * n * occupied / 1e12)
    assert per["cholesky_orbitals_n"] == pytest.approx(per["cholesky_orbitals"] * n / 1e3)
    assert per["ci"] == pytest.approx(cost.csfs["6"] * 21 * cost.active ** 2 / 1e9)


def test_the_per_root_printout_grows_with_roots_not_iterations():
    """What RASSCF does once after converging (Mulliken, LoProp, bond orders of every root) grows with roots × N³
    and does not repeat per iteration."""
    from adatom_wf.molcas.cost import rasscf_features

    cost = state_cost(load_study("demo_tb_benzene"), "Tb2+", LIBRARY)
    one, more = (rasscf_features(cost, 8, 21, iterations) for iterations in (1, 30))
    assert one["root_analysis"] == more["root_analysis"] == pytest.approx(21 * cost.basis_functions ** 3 / 1e9)
    assert rasscf_features(cost, 8, 42, 1)["root_analysis"] == pytest.approx(2 * one["root_analysis"])
