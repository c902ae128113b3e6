import json
import warnings

import pytest
from ase.io import read
from conftest import WORKFLOWS
from fake_potcars import write_fake_potcar_library
from pymatgen.io.vasp.inputs import Incar, Kpoints, Potcar

from adatom_wf.errors import PotcarError
from adatom_wf.spec import load_study
from adatom_wf.structure.sites import build_site
from adatom_wf.vasp.inputs import find_potcar, vasp_inputs

PAPER = load_study(WORKFLOWS / "tb_graphene.yaml")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One real `adatom-wf build` of the paper's study with a FAKE POTCAR library."""
    import subprocess

    from conftest import adatom_wf_command

    root = tmp_path_factory.mktemp("build")
    library = write_fake_potcar_library(root / "lib")
    result = subprocess.run(
        adatom_wf_command() + ["build", str(WORKFLOWS / "tb_graphene.yaml"), "--runs-dir", str(root / "runs"),
                               "--potcar-dir", str(library)],
        capture_output=True, text=True, cwd=root,
    )
    assert result.returncode == 0, result.stderr
    return root / "runs" / "tb_graphene", result


@pytest.mark.parametrize(("site", "height"), [("hollow", 2.28), ("top", 2.32), ("bridge", 2.38)])
def test_poscar_read_back_by_ase(built, site, height):
    atoms = read(built[0] / "dft" / site / "POSCAR", format="vasp")
    assert atoms.get_chemical_formula() == "C128Tb"
    carbon_z = atoms.positions[atoms.numbers == 6, 2]
    assert atoms.positions[-1, 2] - carbon_z.mean() == pytest.approx(height, abs=1e-8)
    lateral = atoms.get_distances(-1, range(128), mic=True, vector=True)[:, :2]
    nearest = sorted((v ** 2).sum() ** 0.5 for v in lateral)
    expected_nearest = {"hollow": 2.467 / 3 ** 0.5, "top": 0.0, "bridge": 2.467 / 3 ** 0.5 / 2}[site]
    assert nearest[0] == pytest.approx(expected_nearest, abs=1e-8)


@pytest.mark.parametrize("site", ["hollow", "top", "bridge"])
def test_incar_kpoints_potcar_hold_the_protocol(built, site):
    folder = built[0] / "dft" / site
    incar = Incar.from_file(folder / "INCAR")
    assert incar["ENCUT"] == 500 and incar["ENAUG"] == 645 and incar["EDIFFG"] == -0.01
    assert incar["ISPIN"] == 1 and incar["IBRION"] == 2 and incar["ISIF"] == 2 and incar["NSW"] > 0
    assert incar["ISMEAR"] == 0 and incar["LASPH"] is True
    kpoints = Kpoints.from_file(folder / "KPOINTS")
    assert kpoints.style.name == "Gamma" and tuple(kpoints.kpts[0]) == (4, 4, 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pymatgen does not know the fake potentials
        potcar = Potcar.from_file(folder / "POTCAR")
    assert potcar.symbols == ["C", "Tb_3"]
    assert not (folder / "POTCAR.spec").exists()


def test_manifest_records_every_file_and_the_site_symmetry(built):
    import hashlib

    root = built[0]
    manifest = json.loads((root / "manifest.json").read_text())
    assert manifest["study"]["sha256"] == PAPER.sha256()
    files = manifest["stages"]["build"]["files"]
    assert len(files) == 12
    for relative, digest in files.items():
        assert hashlib.sha256((root / relative).read_bytes()).hexdigest() == digest
    groups = {s: m["point_group"] for s, m in manifest["stages"]["build"]["sites"].items()}
    assert groups == {"hollow": "C6v", "top": "C3v", "bridge": "C2v"}
    assert {"ase", "pymatgen", "spglib", "python", "adatom-wf"} <= set(manifest["versions"])


def test_second_build_elsewhere_is_byte_identical(built, cli, tmp_path):
    other = tmp_path / "elsewhere"
    other.mkdir()
    library = write_fake_potcar_library(tmp_path / "lib")
    result = cli("build", WORKFLOWS / "tb_graphene.yaml", "--runs-dir", "r", "--potcar-dir", library, cwd=other)
    assert result.returncode == 0, result.stderr
    first = sorted(p.relative_to(built[0]) for p in built[0].rglob("*") if p.is_file())
    second = sorted(p.relative_to(other / "r" / "tb_graphene") for p in (other / "r" / "tb_graphene").rglob("*")
                    if p.is_file())
    assert first == second
    for relative in first:
        assert (built[0] / relative).read_bytes() == (other / "r" / "tb_graphene" / relative).read_bytes(), relative


def test_without_library_potcar_spec_names_the_missing_potentials(cli, tmp_path):
    result = cli("build", WORKFLOWS / "tb_graphene.yaml", "--runs-dir", "r", "--site", "top")
    assert result.returncode == 0, result.stderr
    assert "missing PBE_54 potentials: C, Tb_3" in result.stdout
    folder = tmp_path / "r" / "tb_graphene" / "dft" / "top"
    assert (folder / "POTCAR.spec").read_text() == "C\nTb_3\n"
    assert not (folder / "POTCAR").exists()
    assert sorted(p.name for p in (tmp_path / "r" / "tb_graphene" / "dft").iterdir()) == ["top"]


def test_library_lacking_a_potential_is_refused(tmp_path):
    library = write_fake_potcar_library(tmp_path, symbols=("C",))
    with pytest.raises(PotcarError, match="has no PBE_54 potential 'Tb_3'"):
        vasp_inputs(PAPER, build_site(PAPER, "hollow"), library)


def test_potcar_found_in_the_vasp_layout(tmp_path):
    (tmp_path / "Tb_3").mkdir()
    (tmp_path / "Tb_3" / "POTCAR").write_text("x")
    assert find_potcar(tmp_path, "PBE_54", "Tb_3") == tmp_path / "Tb_3" / "POTCAR"


def test_potcar_of_the_wrong_element_is_refused(tmp_path):
    library = write_fake_potcar_library(tmp_path)
    folder = library / "POT_GGA_PAW_PBE_54"
    (folder / "POTCAR.Tb_3").write_text((folder / "POTCAR.C").read_text())
    with pytest.raises(PotcarError, match="holds the potential 'C', not 'Tb_3'"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        vasp_inputs(PAPER, build_site(PAPER, "hollow"), library)
