"""The run-directory layout: stage folders relative to runs/<study>, attempt folders, the supplied structure."""

from adatom_wf import layout


def test_stage_directories_are_relative_to_the_study():
    assert layout.site_dir("hollow") == "dft/hollow"
    assert layout.cluster_dir("hollow", 3) == "cluster/hollow-3"
    assert layout.state_dir("Tb3+") == "molcas/Tb3+"


def test_archive_moves_into_the_next_free_attempt(tmp_path):
    (tmp_path / "attempt-1").mkdir()
    (tmp_path / "OUTCAR").write_text("old run")
    (tmp_path / "POSCAR").write_text("input")
    kept = layout.archive_attempt(tmp_path, [tmp_path / "OUTCAR", tmp_path / "vasprun.xml"])  # one is missing
    assert kept == tmp_path / "attempt-2" and (kept / "OUTCAR").read_text() == "old run"
    assert not (tmp_path / "OUTCAR").exists() and (tmp_path / "POSCAR").is_file()
    assert layout.archive_attempt(tmp_path, [tmp_path / "OUTCAR"]) is None  # nothing left: no empty attempt
    assert sorted(p.name for p in tmp_path.iterdir()) == ["POSCAR", "attempt-1", "attempt-2"]


def test_the_supplied_structure_is_found_in_the_carve_folder(tmp_path):
    assert layout.supplied_structure(tmp_path, "hollow", 1) is None
    folder = tmp_path / "cluster" / "hollow-1" / layout.SUPPLIED
    folder.mkdir(parents=True)
    (folder / "CONTCAR").write_text("structure")
    assert layout.supplied_structure(tmp_path, "hollow", 1) == folder / "CONTCAR"
