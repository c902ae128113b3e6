"""``expected_configuration`` of an oxidation state in a study file (adatom_wf.spec, adatom_wf.lanthanides)."""

import pytest
import yaml
from conftest import WORKFLOWS

from adatom_wf.errors import SpecError
from adatom_wf.spec import load_study, parse_study

PAPER = {"Tb3+": {"4f": 8}, "Tb2+": {"4f": 8, "6s/5d0": 1}, "Tb1+": {"4f": 8, "6s/5d0": 1, "5dxy+5dx2-y2": 1},
         "Tb0": {"4f": 8, "6s/5d0": 1, "5dxy+5dx2-y2": 2}}  # the paper's Fig. 2 and its text on each state


@pytest.mark.parametrize("name", ["tb_graphene.yaml", "demo_tb_benzene.yaml"])
def test_bundled_studies_expect_the_papers_configurations(name):
    study = load_study(WORKFLOWS / name)
    assert {label: s.expected_configuration for label, s in study.molcas.oxidation_states.items()} == PAPER


def study_with(expected):
    text = (WORKFLOWS / "demo_tb_benzene.yaml").read_text()
    return text.replace("expected_configuration: {4f: 8, 6s/5d0: 1}", f"expected_configuration: {expected}")


@pytest.mark.parametrize("expected, message", [
    ("{4f: 8, 5dxy: 1}", "expected_configuration names '5dxy', not a group of active_space.character "
                         "['4f', '6s/5d0', '5dxy', '5dx2-y2']; allowed: 4f, 6s/5d0, 5dxy+5dx2-y2"),
    ("{4f: 8, 6s/5d0: 2}", "expected_configuration holds 10 electrons but the active space has 9"),
    ("{4f: 6, 6s/5d0: 3}", "expected_configuration['6s/5d0'] = 3.0 electrons: 6s/5d0 holds 0 to 2"),
])
def test_a_wrong_expected_configuration_is_one_clear_error(expected, message):
    with pytest.raises(SpecError, match=message.replace("[", r"\[").replace("]", r"\]").replace("+", r"\+")):
        parse_study(yaml.safe_load(study_with(expected)), "demo.yaml")
