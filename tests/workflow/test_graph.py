import pytest

from adatom_wf.errors import SpecError
from adatom_wf.spec import load_study, parse_study
from adatom_wf.workflow.graph import Graph, Node, study_graph


def test_paper_graph_names_directories_and_needs():
    graph = study_graph(load_study("tb_graphene"))
    prerun = ["orbitals-integrals.hollow-3", "orbitals.Tb3+", "orbitals.Tb2+", "orbitals.Tb1+", "orbitals.Tb0"]
    assert graph.names == ["relax.hollow", "relax.top", "relax.bridge", "carve.hollow-3", "integrals.hollow-3",
                           *prerun, "molcas.Tb3+", "molcas.Tb2+", "molcas.Tb1+", "molcas.Tb0", "parse", "report"]
    assert graph["relax.top"].directory == "dft/top"
    assert (graph["carve.hollow-3"].needs == ("relax.hollow",)
            and graph["carve.hollow-3"].directory == "cluster/hollow-3")
    assert graph["integrals.hollow-3"].needs == ("carve.hollow-3",)
    assert graph["integrals.hollow-3"].directory == "integrals/hollow-3"  # one GATEWAY + SEWARD for every state
    # the paper's basis: each state starts from its ANO-RCC-MB pre-run, projected (docs/molcas.md)
    assert graph["molcas.Tb2+"].needs == ("integrals.hollow-3", "orbitals.Tb2+")
    assert graph["molcas.Tb2+"].directory == "molcas/Tb2+"
    assert graph["orbitals-integrals.hollow-3"].directory == "orbitals/integrals-hollow-3"

    def descendants(name):
        return {other for other in graph.names if name in graph.ancestors(other)}

    assert descendants("relax.hollow") == {"carve.hollow-3", "integrals.hollow-3", "molcas.Tb3+", "molcas.Tb2+",
                                           "molcas.Tb1+", "molcas.Tb0", "parse", "report", *prerun}
    assert descendants("relax.top") == {"parse", "report"}  # Table 1 needs every site
    assert graph["parse"].needs == ("relax.hollow", "relax.top", "relax.bridge", "molcas.Tb3+", "molcas.Tb2+",
                                    "molcas.Tb1+", "molcas.Tb0")
    assert graph["parse"].directory == "." and graph["report"].needs == ("parse",)
    assert graph.ancestors("molcas.Tb0") == {"integrals.hollow-3", "carve.hollow-3", "relax.hollow", "orbitals.Tb0",
                                             "orbitals-integrals.hollow-3"}


def test_demo_carves_the_ideal_cell_without_vasp():
    graph = study_graph(load_study("demo_tb_benzene"))
    assert graph.names == ["carve.hollow-1", "integrals.hollow-1", "molcas.Tb3+", "molcas.Tb2+", "molcas.Tb1+",
                           "molcas.Tb0", "parse", "report"]
    assert graph["carve.hollow-1"].needs == ()


def _study(**changes):
    data = load_study("demo_tb_benzene").model_dump(mode="json", exclude_none=True)
    data.update(changes)
    return parse_study(data)


def test_execution_relax_adds_vasp_nodes_that_ideal_carving_does_not_wait_for():
    graph = study_graph(_study(execution={"relax": True}))
    assert graph.names[:2] == ["relax.hollow", "carve.hollow-1"] and graph["carve.hollow-1"].needs == ()


def test_relax_false_with_relaxed_geometry_is_refused():
    data = load_study("tb_graphene").model_dump(mode="json", exclude_none=True)
    with pytest.raises(SpecError, match="execution.relax is false but cluster.geometry is 'relaxed'"):
        parse_study({**data, "execution": {"relax": False}})
    with pytest.raises(SpecError, match="unknown key 'executor'"):
        parse_study({**data, "execution": {"executor": "slurm"}})


def test_cycles_missing_needs_and_duplicates_are_refused():
    with pytest.raises(SpecError, match="cycle through a -> b -> a|cycle through b -> a -> b"):
        Graph([Node("a", "carve", "x", needs=("b",)), Node("b", "carve", "y", needs=("a",)), Node("c", "relax", "z")])
    with pytest.raises(SpecError, match="needs 'nowhere'"):
        Graph([Node("a", "carve", "x", needs=("nowhere",))])
    with pytest.raises(SpecError, match="two graph nodes are named 'a'"):
        Graph([Node("a", "carve", "x"), Node("a", "relax", "y")])
    with pytest.raises(SpecError, match="no node 'molcas.Tb9'"):
        study_graph(load_study("demo_tb_benzene"))["molcas.Tb9"]


def test_topological_order_and_critical_path():
    graph = Graph([Node("m2", "molcas", "m2", needs=("c",)), Node("c", "carve", "c", needs=("r",)),
                   Node("m1", "molcas", "m1", needs=("c",)), Node("r", "relax", "r")])
    assert graph.names == ["r", "c", "m2", "m1"]
    assert graph.critical_path({"r": 10, "c": 2, "m1": 5, "m2": 30}) == 42
