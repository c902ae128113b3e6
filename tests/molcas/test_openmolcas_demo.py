"""Real OpenMolcas: the demo's Tb3+ and Tb2+ on benzene (ANO-RCC-MB), run once and shared by these tests.

About five minutes on two cores (Tb3+ ~1.5 min, Tb2+ ~3.5 min). CI installs Debian's openmolcas; where
/usr/bin/pymolcas is missing these tests are skipped.
"""

import json
import os
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
from conftest import adatom_wf_command

pytestmark = [
    pytest.mark.molcas,
    pytest.mark.skipif(not Path("/usr/bin/pymolcas").is_file(),
                       reason="OpenMolcas is not installed (/usr/bin/pymolcas; Debian package openmolcas)"),
]

HARTREE_CM1 = 219474.6313632


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory):
    """``adatom-wf run --state Tb3+ --state Tb2+`` from an empty directory (the bundled demo study)."""
    where = tmp_path_factory.mktemp("demo")
    result = subprocess.run(adatom_wf_command() + ["run", "--state", "Tb3+", "--state", "Tb2+", "--json",
                                                   "--runs-dir", "runs", "--nprocs", "2"],
                            cwd=where, capture_output=True, text=True, timeout=3600)
    root = where / "runs" / "demo_tb_benzene"
    return result, root


def status(root, label):
    return json.loads((root / "molcas" / label / "status.json").read_text())


def test_both_states_land_happily(demo_run):
    result, root = demo_run
    assert result.returncode == 0, result.stderr[-3000:]
    states = json.loads(result.stdout)["states"]
    assert {label: s["status"] for label, s in states.items()} == {"Tb3+": "ok", "Tb2+": "ok"}
    shared = json.loads((root / "integrals" / "hollow-1" / "status.json").read_text())
    assert [m["module"] for m in shared["runs"][0]["modules"]] == ["gateway", "seward"]  # once, for both states
    assert "Happy landing" in (root / "integrals" / "hollow-1" / "hollow1.integrals.log").read_text()
    for label, project in (("Tb3+", "Tb3p"), ("Tb2+", "Tb2p")):
        folder = root / "molcas" / label
        assert "Happy landing" in (folder / f"{project}.casscf.log").read_text()
        runs = status(root, label)["runs"]
        assert len(runs) == 1 and "seward" not in [m["module"] for m in runs[0]["modules"]]  # on the shared ones
        assert status(root, label)["integrals"]["from"] == shared["workdir"]
        assert all(m["rc"] == "_RC_ALL_IS_WELL_" for run in runs for m in run["modules"])
        assert states[label]["seward_runs"] == 0 and states[label]["wall_seconds"]["total"] > 0
    assert (root / "cluster" / "hollow-1" / "cluster.xyz").is_file()


def test_the_progress_lines_expect_the_cost_models_time(demo_run):
    """Each OpenMolcas node's lines carry the cost model's estimate (the one validate prints), before any run
    of it was measured here."""
    from adatom_wf.molcas.basis import basis_library_dir
    from adatom_wf.molcas.cost import state_cost
    from adatom_wf.spec import load_study
    from adatom_wf.workflow.progress import _clock

    result, _ = demo_run
    study, library = load_study("demo_tb_benzene"), basis_library_dir()
    expected = {f"molcas.{label}": state_cost(study, label, library).seconds["total"] for label in ("Tb3+", "Tb2+")}
    first = next(iter(study.molcas.oxidation_states))  # the integrals do not depend on the charge
    expected["integrals.hollow-1"] = state_cost(study, first, library).integrals_seconds
    for node, seconds in expected.items():
        running = [line for line in result.stderr.splitlines() if f" {node} RUNNING" in line]
        assert running and all(line.endswith(f"(expected ~{_clock(seconds)})") for line in running), (node, running)


def test_tb2_has_two_multiplicities_in_rassi(demo_run):
    import h5py

    _, root = demo_run
    folder = root / "molcas" / "Tb2+"
    assert (folder / "Tb2p.m8.JobIph").is_file() and (folder / "Tb2p.m6.JobIph").is_file()
    modules = [m["module"] for m in status(root, "Tb2+")["runs"][0]["modules"]]
    assert modules == ["rasscf", "rasscf", "rassi", "single_aniso"]
    with h5py.File(folder / "Tb2p.rassi.h5") as h5:
        assert h5["SOS_ENERGIES"].shape == (8 * 21 + 6 * 21,)
        assert sorted(set(int(m) for m in h5.attrs["STATE_SPINMULT"])) == [6, 8]
    energies = np.sort(h5py.File(folder / "Tb2p.rassi.h5")["SOS_ENERGIES"][()])
    assert np.allclose(energies[0:14:2], energies[1:14:2], atol=1e-9)  # Kramers doublets (105 electrons)


def inporb_orbitals(path: Path) -> np.ndarray:
    """The MO coefficients of an INPORB 2.2 file (C1), one row per orbital."""
    text = path.read_text()
    block = text.split("#ORB\n", 1)[1].split("\n#", 1)[0]
    values = [float(x) for line in block.splitlines() if not line.startswith("*") for x in line.split()]
    n = int(text.split("\n")[4])
    return np.array(values).reshape(n, n)


def test_each_multiplicity_keeps_its_converged_orbitals(demo_run):
    """Tb2p.m8.RasOrb and Tb2p.m6.RasOrb: each spin's converged orbitals, the same as its rasscf.h5's;
    Tb2p.RasOrb is still there (the last spin's, which RASSCF leaves under $Project.RasOrb)."""
    import h5py

    _, root = demo_run
    folder = root / "molcas" / "Tb2+"
    orbitals = {}
    for multiplicity in (8, 6):
        orbitals[multiplicity] = inporb_orbitals(folder / f"Tb2p.m{multiplicity}.RasOrb")
        with h5py.File(folder / f"Tb2p.m{multiplicity}.rasscf.h5") as h5:
            n = int(h5.attrs["NBAS"][0])
            np.testing.assert_allclose(orbitals[multiplicity], h5["MO_VECTORS"][()].reshape(n, n), atol=1e-12)
    assert np.abs(orbitals[8] - orbitals[6]).max() > 1e-3  # two different sets, not one copied twice
    assert (folder / "Tb2p.RasOrb").read_bytes() == (folder / "Tb2p.m6.RasOrb").read_bytes()


def test_active_orbitals_were_checked_after_every_rasscf(demo_run):
    _, root = demo_run
    for label, multiplicities, names in (("Tb3+", [7], {"4f"}), ("Tb2+", [8, 6], {"4f", "6s/5d0", "5dxy+5dx2-y2"})):
        checks = status(root, label)["active_space_checks"]
        assert [c["multiplicity"] for c in checks] == multiplicities and all(c["ok"] for c in checks)
        for check in checks:
            assert {o["character"] for o in check["active_orbitals"]} == names
            for orbital in check["active_orbitals"]:
                assert orbital["weight"] >= (0.99 if orbital["character"] == "4f" else 0.8), orbital


def test_tb3_shows_the_free_ion_j6_multiplet(demo_run):
    """13 states of J = 6 lowest, well below the J = 5 multiplet; their g is the Landé 3/2."""
    import h5py

    _, root = demo_run
    folder = root / "molcas" / "Tb3+"
    energies = np.sort(h5py.File(folder / "Tb3p.rassi.h5")["SOS_ENERGIES"][()])
    energies_cm1 = (energies - energies[0]) * HARTREE_CM1
    assert energies.shape == (49,)
    assert energies_cm1[12] < 1000 and energies_cm1[13] - energies_cm1[12] > 800, energies_cm1[:16]
    log = (folder / "Tb3p.casscf.log").read_text()
    block = log.split("FOR THE MULTIPLET 1 ( effective S = 6)")[1]
    g = [float(x) for x in re.findall(r"g[XYZ] =\s+([0-9.]+)", block)[:3]]
    assert g == pytest.approx([1.5, 1.5, 1.5], abs=0.05), g
    assert "CALCULATION OF CRYSTAL-FIELD PARAMETERS OF THE GROUND ATOMIC MULTIPLET J =  6." in log


def test_parse_show_report_and_spectrum_on_the_real_runs(demo_run):
    """The store of the two real runs: g and SO energies cross-checked against SINGLE_ANISO, Kramers pairs for Tb2+,
    the report's Table 2, and ``spectrum STORE --state`` giving back the stored doublets."""
    _, root = demo_run
    where = root.parent.parent

    def adatom_wf(*args):
        result = subprocess.run(adatom_wf_command() + [str(a) for a in args], cwd=where, capture_output=True,
                                text=True, timeout=300)
        assert result.returncode == 0, result.stderr
        return result.stdout

    parsed = json.loads(adatom_wf("parse", "demo_tb_benzene", "--runs-dir", "runs", "--json"))
    assert [run["status"] for run in parsed["runs"]] == ["ok", "ok"]
    store = root / "results.h5"
    runs = {r["label"]: r for r in json.loads(adatom_wf("show", store, "--json"))["runs"]}
    for label, project in (("Tb3+", "Tb3p"), ("Tb2+", "Tb2p")):
        log = (root / "molcas" / label / f"{project}.casscf.log").read_text()
        printed = [float(g) for g in re.findall(r"^ g[XYZ] =\s+(\S+)", log, re.M)[:3]]
        assert runs[label]["multiplets"][0]["g_main"] == printed
        checks = {c["quantity"]: c["max_deviation"] for c in runs[label]["cross_checks"]}
        assert checks["main g values of SINGLE_ANISO multiplet 1"] < 1e-6, checks
    tb2 = runs["Tb2+"]
    assert tb2["spectrum"]["kramers"] and tb2["spectrum"]["kramers_violations"] == 0 and len(tb2["doublets"]) == 7
    assert [r["multiplicity"] for r in tb2["rasscf"]] == [8, 6]
    assert runs["Tb3+"]["doublets"][0]["g_main"] == pytest.approx(18, abs=0.2)  # Ising |Jz| = 6, g_J = 3/2
    adatom_wf("report", "demo_tb_benzene", "--runs-dir", "runs")
    table2 = (root / "report" / "table2.md").read_text()
    assert "Tb3+" in table2 and "Tb2+" in table2 and (root / "report" / "levels_by_jz.png").stat().st_size > 1000
    spectrum = json.loads(adatom_wf("spectrum", store, "--state", "Tb2+", "--json"))
    assert [d["g_main"] for d in spectrum["doublets"]] == pytest.approx([d["g_main"] for d in tb2["doublets"]])


def test_report_html_after_the_demo_opens_in_chromium_with_the_paper_beside_table2(demo_run, tmp_path):
    """The issue's check as a user runs it: ``report demo_tb_benzene --format html`` after the demo, the page opened in
    headless Chromium: no console error, nothing fetched, every figure drawn, Table 2 beside the paper."""
    from browser import open_page, table2_columns

    _, root = demo_run
    where = root.parent.parent
    subprocess.run(adatom_wf_command() + ["parse", "demo_tb_benzene", "--runs-dir", "runs"], cwd=where, check=True,
                   capture_output=True, timeout=300)
    result = subprocess.run(adatom_wf_command() + ["report", "demo_tb_benzene", "--runs-dir", "runs", "--format",
                                                   "html"], cwd=where, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    shown = open_page(root / "report" / "report.html", screenshot=tmp_path / "report.png")
    assert shown["errors"] == [] and shown["requests"] == []
    assert {f["id"] for f in shown["figures"]} == {"figure-spin_gaps", "figure-levels_by_jz", "figure-levels_Tb3p",
                                                  "figure-barrier_Tb3p", "figure-levels_Tb2p", "figure-barrier_Tb2p"}
    assert all(f["width"] > 200 and f["height"] > 200 for f in shown["figures"])
    (table2,) = shown["tables"]["table2"]
    states = table2_columns(table2)
    quantities = ("g1", "g2", "g3", "B₂⁰ (cm⁻¹)", "B₄⁰ (cm⁻¹)", "B₆⁰ (cm⁻¹)", "B₆⁶ (cm⁻¹)")
    assert [states["Tb3+"][q][1] for q in quantities] == ["1.508", "1.508", "1.480", "-5.375455", "0.000216",
                                                         "0.000021", "0.000041"]
    assert [states["Tb2+"][q][1] for q in quantities] == ["1.503", "1.503", "1.435", "-3.940770", "-0.005776",
                                                         "0.000001", "0.000027"]
    b20 = states["Tb2+"]["B₂⁰ (cm⁻¹)"][0].split("\n")  # minimal basis: B_2^0 > 0 (docs/molcas.md), marked
    assert float(b20[0]) > 0 and b20[1] == "opposite sign"
    assert states["Tb3+"]["g3"][0] == f"{float(states['Tb3+']['g3'][0]):.4f}"  # this run's, 4 decimals
    summary = dict(shown["tables"]["study"][0])
    assert summary["study"] == "demo_tb_benzene" and summary["basis"].startswith("Tb ANO-RCC-MB")
    assert "OpenMolcas v" in summary["written by"]
    facts = dict(shown["tables"]["states"][0])
    assert facts["starting orbitals"].startswith("SEWARD's guess") and facts["convergence"].startswith("guess picked")


def _ci_printout_occupations(log: str, multiplicity: int) -> list[np.ndarray]:
    """Per root of the RASSCF of ``multiplicity``: each active orbital's electrons, summed over the log's CI printout
    ("printout of CI-coefficients larger than 0.05": occupation strings with weights), normalised to the printed
    weight. Independent of DENSITY_MATRIX and of adatom-wf's readers."""
    start = re.search(rf"Spin quantum number\s+{(multiplicity - 1) / 2:.1f}\n", log).start()
    section = log[start:log.index("--- Stop Module: rasscf", start)]
    roots = []
    for block in re.split(r"printout of CI-coefficients larger than\s+\S+ for root\s+\d+", section)[1:]:
        rows = re.findall(r"^\s+\d+\s+([2ud0]+)\s+\S+\s+(\S+)$", block.split("\n\n")[0], re.M)
        occupation = {"2": 2, "u": 1, "d": 1, "0": 0}
        weights = np.array([float(w) for _, w in rows])
        strings = np.array([[occupation[c] for c in text] for text, _ in rows], float)
        roots.append(weights @ strings / weights.sum())
    return roots


def test_configuration_of_tb2_roots_and_multiplet_against_the_ci_printout(demo_run):
    """Issue 14: occupations in the store sum to the active electrons; Tb2+'s lowest octet root has about 0.29
    electrons in 6s/5d0 as its CI printout says, and the ground multiplet what the CI printout's roots weighted
    by the SO eigenvectors of rassi.h5 (both recomputed here) give."""
    import h5py

    _, root = demo_run
    where = root.parent.parent
    subprocess.run(adatom_wf_command() + ["parse", "demo_tb_benzene", "--runs-dir", "runs"], cwd=where, check=True,
                   capture_output=True, timeout=300)
    shown = subprocess.run(adatom_wf_command() + ["show", str(root / "results.h5"), "--json"], cwd=where,
                           capture_output=True, text=True, timeout=300, check=True).stdout
    runs = {r["label"]: r for r in json.loads(shown)["runs"]}
    for label, electrons in (("Tb3+", 8), ("Tb2+", 9)):
        for multiplet in runs[label]["multiplets"]:
            assert sum(o["electrons"] for o in multiplet["occupations"]) == pytest.approx(electrons, abs=1e-6)
            assert sum(w["weight"] for w in multiplet["spin_weights"]) == pytest.approx(1, abs=1e-6)
    tb2 = runs["Tb2+"]
    assert tb2["orbital_groups"] == ["4f", "6s/5d0", "5dxy+5dx2-y2"]
    folder = root / "molcas" / "Tb2+"
    log = (folder / "Tb2p.casscf.log").read_text()
    with h5py.File(folder / "Tb2p.m8.rasscf.h5", "r") as h5:  # which active MO is 6s/5d0: most Tb s + d0 weight
        n = int(h5.attrs["NBAS"][0])
        c = h5["MO_VECTORS"][()].reshape(n, n)
        overlap = h5["AO_OVERLAP_MATRIX"][()].reshape(n, n)
        ids = h5["BASIS_FUNCTION_IDS"][()]
        active = [i for i, t in enumerate(h5["MO_TYPEINDICES"][()]) if t in (b"1", b"2", b"3")]
    values, vectors = np.linalg.eigh(overlap)
    lowdin = (c @ (vectors * np.sqrt(values)) @ vectors.T) ** 2
    s_d0 = (ids[:, 0] == 1) & ((ids[:, 2] == 0) | ((ids[:, 2] == 2) & (ids[:, 3] == 0)))
    hybrid = int(np.argmax([lowdin[i, s_d0].sum() for i in active[7:]])) + 7  # after the seven 4f
    by_root = {m: _ci_printout_occupations(log, m) for m in (8, 6)}
    lowest = tb2["rasscf"][0]["occupations"][0]
    assert lowest[1] == {"character": "6s/5d0", "electrons": pytest.approx(by_root[8][0][hybrid], abs=0.01)}
    assert lowest[1]["electrons"] == pytest.approx(0.29, abs=0.03)
    with h5py.File(folder / "Tb2p.rassi.h5", "r") as h5:
        coefficients = h5["SOS_COEFFICIENTS_REAL"][()] ** 2 + h5["SOS_COEFFICIENTS_IMAG"][()] ** 2
        multiplicities = list(h5.attrs["STATE_SPINMULT"])
    sf_hybrid, column = [], 0
    counters = {8: 0, 6: 0}
    weights = np.zeros((coefficients.shape[0], len(multiplicities)))
    for i, m in enumerate(multiplicities):
        weights[:, i] = coefficients[:, column:column + m].sum(axis=1)
        column += m
        sf_hybrid.append(by_root[m][counters[m]][hybrid])
        counters[m] += 1
    expected = float(np.mean(weights[:14] @ np.array(sf_hybrid)))
    ground = tb2["multiplets"][0]["occupations"]
    assert ground[1]["electrons"] == pytest.approx(expected, abs=0.02)
    assert ground[1]["electrons"] < 0.5  # not the paper's 6s/5d0^1: flagged by the report
    report = (root / "report" / "report.md")
    subprocess.run(adatom_wf_command() + ["report", "demo_tb_benzene", "--runs-dir", "runs"], cwd=where, check=True,
                   capture_output=True, timeout=300)
    assert "Tb2+: the ground multiplet is 4f^8.00 (6s/5d0)^0." in report.read_text()


def test_per_doublet_g_agrees_with_single_aniso(demo_run, tmp_path):
    """SINGLE_ANISO run alone on Tb2+'s rassi.h5 with one pseudospin-1/2 block per Kramers doublet (MLTP 7 × 2):
    its g per doublet against the doublets adatom-wf computes from the rebuilt SO moments."""
    import shutil

    from adatom_wf.molcas.execute import pymolcas_command
    from adatom_wf.molcas.results_log import single_aniso_multiplets
    from adatom_wf.parse import parse_directory

    _, root = demo_run
    folder = root / "molcas" / "Tb2+"
    (tmp_path / "work" / "Tb2p").mkdir(parents=True)
    shutil.copy(folder / "Tb2p.rassi.h5", tmp_path / "work" / "Tb2p")  # REST 3 reads $WorkDir/$Project/<file>
    (tmp_path / "doublets.input").write_text("&SINGLE_ANISO\n  REST\n    3\n    Tb2p.rassi.h5\n  MLTP\n    7\n"
                                             "    2 2 2 2 2 2 2\n")
    env = {**os.environ, "Project": "Tb2p", "MOLCAS_WORKDIR": str(tmp_path / "work"),
           "MOLCAS_MEM": "1000"}
    env.pop("PYTHONPATH", None)
    result = subprocess.run(pymolcas_command() + ["doublets.input"], cwd=tmp_path, env=env, capture_output=True,
                            text=True, timeout=300)
    printed = single_aniso_multiplets(result.stdout, "doublets.log")
    assert len(printed) == 7, result.stdout[-2000:]
    ours = parse_directory(folder).record["doublets"]
    for doublet, block in zip(ours, printed):
        assert doublet["energy_cm1"] == pytest.approx(np.mean(block["energies_cm1"]), abs=1e-3)
        assert doublet["g_principal"] == pytest.approx(sorted(block["g_main"]), abs=1e-6)


def test_a_second_run_does_not_redo_finished_states(demo_run):
    """`run --state` went through the graph: status shows its nodes, and a second run has nothing to do."""
    _, root = demo_run
    before = (root / "molcas" / "Tb3+" / "status.json").read_bytes()

    def adatom_wf(*args):
        return subprocess.run(adatom_wf_command() + [*args, "--runs-dir", "runs"], cwd=root.parent.parent,
                              capture_output=True, text=True, timeout=120)

    nodes = {n["node"]: n["state"]
             for n in json.loads(adatom_wf("status", "demo_tb_benzene", "--json").stdout)["nodes"]}
    assert nodes == {"carve.hollow-1": "COMPLETED", "integrals.hollow-1": "COMPLETED", "molcas.Tb3+": "COMPLETED",
                     "molcas.Tb2+": "COMPLETED",
                     "molcas.Tb1+": "NOT_SUBMITTED", "molcas.Tb0": "NOT_SUBMITTED", "parse": "NOT_SUBMITTED",
                     "report": "NOT_SUBMITTED"}
    result = adatom_wf("run", "demo_tb_benzene", "--state", "Tb3+")
    assert result.returncode == 0, result.stderr
    assert "every node asked for is completed; nothing to do" in result.stdout
    assert (root / "molcas" / "Tb3+" / "status.json").read_bytes() == before


def test_an_openmolcas_failure_is_recorded_and_a_rerun_keeps_it(tmp_path):
    """A real failure (GATEWAY out of memory at MOLCAS_MEM=1): marked failed with the module and its code;
    the next attempt moves the first one's files to attempt-1/; a state cannot start on failed integrals."""
    from molcas_helpers import tb_benzene

    from adatom_wf.molcas.integrals import run_integrals
    from adatom_wf.molcas.node import ClusterSource, run_oxidation_state
    from adatom_wf.spec import load_study

    study, cluster = load_study("demo_tb_benzene"), ClusterSource(tb_benzene(), "test geometry")
    folder = tmp_path / "integrals" / "hollow-1"
    first = run_integrals(study, tmp_path, directory=folder, cluster=cluster, mem_mb=1)
    assert first.status == "failed"
    assert "gateway failed: rc=-6" in first.failure and "_MEMORY_ERROR_" in first.failure
    assert json.loads((folder / "status.json").read_text())["status"] == "failed"
    second = run_integrals(study, tmp_path, directory=folder, cluster=cluster, mem_mb=1)
    assert second.status == "failed" and second.details["previous_attempt"] == "attempt-1"
    kept = {p.name for p in (folder / "attempt-1").iterdir()}
    assert {"status.json", "hollow1.integrals.log", "hollow1.integrals.input"} <= kept
    assert (folder / "hollow1.integrals.input").is_file() and (folder / "status.json").is_file()
    state = run_oxidation_state(study, tmp_path, "Tb3+", integrals=folder, cluster=cluster)
    assert state.status == "failed" and "the integrals of" in state.failure and "are not there" in state.failure
