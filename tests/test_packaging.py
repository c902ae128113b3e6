import subprocess
import sys
from pathlib import Path

from conftest import ROOT


def test_plain_install_finds_templates_and_studies_from_any_directory(tmp_path):
    """`pip install .` (not editable) ships templates/, workflows/ and the presets inside the package."""
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target),
         str(ROOT)],
        check=True, capture_output=True, cwd=tmp_path,
    )
    probe = (
        "from importlib import resources\n"
        "import adatom_wf\n"
        "assert 'site' in adatom_wf.__file__, adatom_wf.__file__\n"
        "names = lambda pkg: sorted(p.name for p in resources.files(pkg).iterdir())\n"
        "print(names('adatom_wf.workflows'), names('adatom_wf.presets'), names('adatom_wf.templates'))\n"
        "from adatom_wf.spec import load_study\n"
        "print(load_study('demo_tb_benzene').name)\n"
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=elsewhere,
                            env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    assert "demo_tb_benzene.yaml" in result.stdout and "tb_graphene.yaml" in result.stdout
    assert "vasp_relax.yaml" in result.stdout and "molcas" in result.stdout
    assert result.stdout.strip().endswith("demo_tb_benzene")
    assert not list(Path(elsewhere).iterdir())
