"""``report --format png,pdf,svg`` and the barrier figures, on a store parsed from the real Tb3+ run: every figure
in every format, the PDF and SVG rendered by poppler and librsvg look like the PNG, labels with units."""

import json
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent / "molcas"))
from tb3p_run import command_in, tb3p_store  # noqa: E402

from adatom_wf.analysis.plots import barrier_transitions  # noqa: E402

FIGURES = ("spin_gaps", "levels_by_jz", "barrier_Tb3p")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    where = tmp_path_factory.mktemp("figures")
    tb3p_store(where)
    run = command_in(where)
    result = run("report", "out.h5", "--out", "report", "--format", "png,pdf,svg", "--json")
    assert result.returncode == 0, result.stderr
    return where / "report", json.loads(result.stdout), run


def _grey(path: Path, shape) -> np.ndarray:
    from matplotlib.image import imread

    image = imread(path)[..., :3].astype(float)
    image = image / 255 if image.max() > 1 else image
    return image[:shape[0], :shape[1]].mean(axis=-1)


def _blocks(image, size=8):
    rows, columns = (n // size * size for n in image.shape)
    return image[:rows, :columns].reshape(rows // size, size, columns // size, size).mean(axis=(1, 3))


def test_every_figure_in_every_format_and_in_the_index(report):
    folder, data, run = report
    assert run("report", "out.h5", "--out", "again", "--format", "svg,pdf").returncode == 0
    for stem in FIGURES:  # same store, same bytes: no time stamps, no random SVG ids
        for kind in ("pdf", "svg"):
            assert (folder / f"{stem}.{kind}").read_bytes() == (folder.parent / "again" / f"{stem}.{kind}").read_bytes()
    assert not (folder.parent / "again" / "barrier_Tb3p.png").exists()
    names = {Path(p).name for p in data["files"]}
    assert {f"{stem}.{kind}" for stem in FIGURES for kind in ("png", "pdf", "svg")} <= names
    index = (folder / "report.md").read_text()
    assert "![Barrier of Tb3+](barrier_Tb3p.png)" in index and "[barrier_Tb3p.pdf](barrier_Tb3p.pdf)" in index
    for stem in FIGURES:
        assert (folder / f"{stem}.pdf").read_bytes().startswith(b"%PDF-")
        svg = ElementTree.parse(folder / f"{stem}.svg").getroot()
        assert svg.tag.endswith("svg")


@pytest.mark.parametrize("stem", FIGURES)
def test_pdf_and_svg_render_like_the_png(report, stem, tmp_path):
    folder, _, _ = report
    png = folder / f"{stem}.png"
    from matplotlib.image import imread

    shape = imread(png).shape[:2]
    subprocess.run(["pdftoppm", "-png", "-r", "150", "-singlefile", folder / f"{stem}.pdf", tmp_path / "pdf"],
                   check=True)
    subprocess.run(["rsvg-convert", "-d", "150", "-p", "150", folder / f"{stem}.svg", "-o", tmp_path / "svg.png"],
                   check=True)
    reference = _blocks(_grey(png, shape))
    for rendered in (tmp_path / "pdf.png", tmp_path / "svg.png"):
        image = _grey(rendered, shape)
        assert image.shape == tuple(shape) or abs(image.shape[0] - shape[0]) <= 1
        # 8x8-pixel blocks: font hinting differs by a few pixels (measured 0.004-0.008); a figure shifted by 6 of
        # its 960 pixels already differs by 0.017
        assert np.abs(_blocks(image) - reference).mean() < 0.012, rendered
    shifted = _blocks(np.roll(_grey(png, shape), 6, axis=1))
    assert np.abs(shifted - reference).mean() > 0.012  # the measure tells figures apart


def test_the_barrier_draws_the_relaxation_path_and_labels_units(report):
    folder, _, _ = report
    text = (folder / "barrier_Tb3p.svg").read_text()
    import adatom_wf

    analysis = adatom_wf.open_store(folder.parent / "out.h5").molcas("Tb3+").spectrum()
    drawn = barrier_transitions(analysis)
    jz = analysis.barrier_jz
    # up +6 -> +5 -> +4 -> +3, across the ±3 doublet (U_eff = 463 cm^-1, tunnel splitting 0.64), down to -6
    assert [round(jz[i]) for i, _ in drawn["path"]] + [round(jz[drawn["path"][-1][1]])] == [6, 5, 4, 3, -3, -4, -5, -6]
    assert len(drawn["within"]) == 5 and (0, 1) in drawn["within"]
    assert analysis.u_eff_cm1 == pytest.approx(463.3, abs=0.1)
    for words in ("U_eff = 463", "energy (cm", "along the main axis", "relaxation path"):
        assert words in text or words.replace(" ", "") in text


def test_spectrum_plot_writes_the_barrier_in_the_format_of_its_suffix(report):
    folder, _, run = report
    for name in ("cli_barrier.svg", "cli_barrier.pdf"):
        result = run("spectrum", "out.h5", "--state", "Tb3+", "--plot", folder / name)
        assert result.returncode == 0, result.stderr
    assert (folder / "cli_barrier.pdf").read_bytes().startswith(b"%PDF-")
    bad = run("spectrum", "out.h5", "--state", "Tb3+", "--plot", folder / "x.jpg")
    assert bad.returncode == 2 and "unknown format '.jpg'" in bad.stderr and "Traceback" not in bad.stderr
    assert run("report", "out.h5", "--format", "png,tiff").returncode == 2


def test_the_path_crosses_the_ground_doublet_when_it_tunnels_itself(tmp_path):
    from adatom_wf.analysis.plots import plot_barrier
    from adatom_wf.analysis.spectrum import analyse_spectrum, states_from_crystal_field

    # Tb0 of Table 2: J = 13/2, B_2^0 > 0, ground doublet ±1/2 with a large transverse g: no barrier
    tb0 = analyse_spectrum(states_from_crystal_field(
        "13/2", {(2, 0): 7.641457, (4, 0): 0.004203, (6, 0): 0.000005, (6, 6): 0.000003}, g=(1.872, 1.872, 1.668)))
    drawn = barrier_transitions(tb0)
    assert tb0.relaxation_path["group"] == 0 and drawn["path"] == [tuple(tb0.groups[0].state_indices)]
    assert sorted(abs(round(2 * tb0.barrier_jz[i])) for i in drawn["path"][0]) == [1, 1]
    assert plot_barrier(tb0, tmp_path / "tb0.svg", title="Tb0").read_text().count("<svg") == 1
