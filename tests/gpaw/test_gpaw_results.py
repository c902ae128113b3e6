"""Reading GPAW relaxations (adatom_wf.gpaw.results) from real outputs (tests/fixtures/gpaw/PROVENANCE.md)."""

import random
import shutil
from pathlib import Path

import pytest

from adatom_wf.gpaw.follow import Follower as GpawFollower
from adatom_wf.gpaw.results import gpaw_text_version, is_gpaw_run, judge_gpaw, parse_gpaw_run

FIXTURES = Path(__file__).parents[1] / "fixtures" / "gpaw"
CONVERGED, MAX_STEPS = FIXTURES / "tb_3x3_converged", FIXTURES / "tb_3x3_max_steps"


def copy(source: Path, tmp_path: Path) -> Path:
    target = tmp_path / "hollow"
    shutil.copytree(source, target)
    return target


def test_both_banners_are_recognised_with_their_version():
    assert gpaw_text_version(CONVERGED / "gpaw.txt") == "26.7.0"
    assert gpaw_text_version(FIXTURES / "gpaw_22.8.0_banner" / "gpaw.txt") == "22.8.0"
    assert is_gpaw_run(FIXTURES / "gpaw_22.8.0_banner")


def test_a_directory_whose_path_says_gpaw_is_not_a_gpaw_run(tmp_path):
    folder = tmp_path / "gpaw_hollow"
    folder.mkdir()
    (folder / "gpaw.txt").write_text("CWD: /home/me/gpaw\nnot GPAW's output\n")
    assert not is_gpaw_run(folder)


def test_a_converged_relaxation_gives_the_vasp_record_fields(tmp_path):
    record = parse_gpaw_run(copy(CONVERGED, tmp_path), adatom="Tb")
    assert record["status"] == "ok" and record["failure"] is None and record["kind"] == "gpaw"
    assert record["converged"] is True and record["ionic_steps"] == 4 and record["natoms"] == 19
    # relax.json's numbers, which GPAW printed in gpaw.txt ("Free energy:", "Extrapolated:")
    assert record["energy_ev"] == pytest.approx(-118.13763697218175, abs=1e-9)
    assert record["energy_sigma0_ev"] == pytest.approx(-117.98730168926079, abs=1e-9)
    assert record["max_force_ev_per_angstrom"] == pytest.approx(0.09338498729590558, abs=1e-9)
    assert record["structure_source"] == "CONTCAR" and record["gpaw_version"] == "26.7.0"
    assert 1.8 < record["adatom_height_angstrom"] < 2.4
    assert sorted(record["sources"]) == ["CONTCAR", "relax.json", "relax.traj"]


def test_the_energies_are_those_gpaw_printed():
    text = (CONVERGED / "gpaw.txt").read_text()
    free = float(text.rsplit("Free energy:", 1)[1].split()[0])
    extrapolated = float(text.rsplit("Extrapolated:", 1)[1].split()[0])
    record = parse_gpaw_run(CONVERGED, adatom="Tb")
    assert record["energy_ev"] == pytest.approx(free, abs=5e-7)  # GPAW prints 6 decimals
    assert record["energy_sigma0_ev"] == pytest.approx(extrapolated, abs=5e-7)


def test_max_steps_reached_is_a_failed_run_with_the_forces(tmp_path):
    record = parse_gpaw_run(copy(MAX_STEPS, tmp_path))
    assert record["status"] == "failed" and record["converged"] is False and record["energy_ev"] is None
    assert record["failure"] == ("ionic relaxation not converged within max_steps = 4 steps (forces 1.61 eV/Å, "
                                 "criterion 0.3 eV/Å)")
    verdict = judge_gpaw(tmp_path / "hollow", 0)
    assert not verdict.ok and verdict.reason == record["failure"] and verdict.details["ionic_steps"] == 4


def test_a_killed_run_has_no_relax_json(tmp_path):
    folder = copy(CONVERGED, tmp_path)
    (folder / "relax.json").unlink()
    record = parse_gpaw_run(folder)
    assert record["status"] == "failed"
    assert record["failure"].startswith("GPAW wrote no relax.json: the relaxation was stopped before its end")
    assert judge_gpaw(folder, 137).reason.startswith(
        "the GPAW relaxation exited with code 137; GPAW wrote no relax.json")


def test_relax_json_and_a_trajectory_of_another_run_disagree(tmp_path):
    folder = copy(CONVERGED, tmp_path)
    shutil.copyfile(MAX_STEPS / "relax.traj", folder / "relax.traj")
    record = parse_gpaw_run(folder)
    assert record["status"] == "failed" and "differs from relax.traj's last frame" in record["failure"]


def test_a_directory_gpaw_never_wrote_to_is_judged_failed(tmp_path):
    verdict = judge_gpaw(tmp_path, 1)
    assert not verdict.ok and verdict.reason == ("the GPAW relaxation exited with code 1; GPAW wrote neither "
                                                 "relax.json nor gpaw.txt (did it start? see the node's log)")


def test_random_damage_never_raises(tmp_path):
    """Truncations and byte flips of every output file end as ok or failed with a reason."""
    rng = random.Random(20261202)
    for source in (CONVERGED, MAX_STEPS):
        for name in ("relax.json", "relax.traj", "CONTCAR", "gpaw.txt"):
            for trial in range(6):
                folder = tmp_path / f"{source.name}-{name}-{trial}" / "hollow"
                shutil.copytree(source, folder)
                data = bytearray((folder / name).read_bytes())
                if trial % 2:
                    del data[rng.randrange(len(data)):]
                else:
                    for _ in range(8):
                        data[rng.randrange(len(data))] ^= 0xFF
                (folder / name).write_bytes(bytes(data))
                if not is_gpaw_run(folder):
                    continue
                record = parse_gpaw_run(folder, adatom="Tb")
                assert record["status"] in ("ok", "failed")
                assert record["status"] == "ok" or record["failure"]


def test_progress_follows_the_ionic_step_and_scf_iteration(tmp_path):
    text = (CONVERGED / "gpaw.txt").read_text()
    growing = tmp_path / "gpaw.txt"
    cut = text.index("SCF iterations", text.index("SCF iterations") + 1)  # into the second ionic step
    growing.write_text(text[:text.index("|iter:   3|", cut)])
    follower = GpawFollower(growing)
    assert follower.activity() == "GPAW ionic step 2, SCF iteration 2"
    growing.write_text(text)
    assert (follower.activity()
            == f"GPAW ionic step 5, SCF iteration {text.rsplit('SCF iterations', 1)[1].count('|iter:')}")
