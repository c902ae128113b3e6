"""The pre-flight (adatom_wf/preflight.py): each check refuses with one line naming the fix, before anything is
written; the CLI's bad-input corpus (tests/test_bad_input_corpus.py) and the local executor's tests run them too."""

import pytest

from adatom_wf.errors import SpecError
from adatom_wf.execution.profiles import LOCAL_DEFAULT
from adatom_wf.preflight import check_costs, check_labels, check_programs, check_run
from adatom_wf.spec import load_study
from adatom_wf.workflow.graph import study_graph

DEMO = load_study("demo_tb_benzene")


def test_the_labels_asked_for_are_the_studys_in_order_and_once():
    assert check_labels(DEMO, ["Tb0", "Tb3+", "Tb0"]) == ["Tb0", "Tb3+"]
    assert check_labels(DEMO, []) == []
    with pytest.raises(SpecError, match=r"^oxidation state 'Tb9\+' is not defined in study demo_tb_benzene; its "
                                        r"oxidation states: Tb3\+, Tb2\+, Tb1\+, Tb0$"):
        check_labels(DEMO, ["Tb3+", "Tb9+"])


def test_a_vasp_relaxation_needs_a_command_a_dry_run_only_warns():
    study = load_study("tb_graphene")
    with pytest.raises(SpecError, match="runs VASP \\(relax.hollow\\) but the local executor without --profile has no "
                                        "vasp.command"):
        check_programs(study, {"relax"}, LOCAL_DEFAULT, None, ["relax.hollow"])
    (warning,) = check_programs(study, {"relax"}, LOCAL_DEFAULT, None, ["relax.hollow"], dry_run=True)
    assert warning.startswith("a real run would stop here: study tb_graphene runs VASP")
    assert check_programs(study, {"molcas"}, LOCAL_DEFAULT, None, []) == []


def test_a_state_larger_than_the_scratch_is_refused_with_the_fix(tmp_path):
    small = LOCAL_DEFAULT.model_copy(update={"molcas": LOCAL_DEFAULT.molcas.model_copy(update={"scratch_gb": 1e-6})})
    with pytest.raises(SpecError, match=r"^Tb3\+ needs ~.* GB of scratch .* but the scratch of profile 'tiny' "
                                        r"\(molcas.scratch_gb\) holds 1e-06 GB: "):
        check_costs(DEMO, tmp_path, ["Tb3+"], small, "slurm", "tiny")
    plans = check_costs(DEMO, tmp_path, ["Tb3+", "Tb0"], LOCAL_DEFAULT, "local", None, max_hours=10)
    assert set(plans) == {"Tb3+", "Tb0"} and all(plan["molcas_mem_mb"] >= 2000 for plan in plans.values())


def test_run_checks_the_nodes_it_is_asked_for_in_one_call(tmp_path):
    graph = study_graph(DEMO)
    nodes = [node for node in graph if node.stage in ("carve", "integrals", "molcas") and node.oxidation_state != "Tb0"]
    warnings, plans = check_run(DEMO, tmp_path, nodes, LOCAL_DEFAULT, "local", None)
    assert warnings == [] and sorted(plans) == ["Tb1+", "Tb2+", "Tb3+"]
    with pytest.raises(SpecError, match=r"^Tb3\+ is estimated at .* more than --max-hours 1e-06: run it on Slurm"):
        check_run(DEMO, tmp_path, nodes, LOCAL_DEFAULT, "local", None, max_hours=1e-6)
