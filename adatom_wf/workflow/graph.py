"""The study's dependency graph: stable node names, one directory per node, topological order.

For a study the graph is (docs/execution.md)::

    relax.<site>  (one per site, VASP or GPAW: dft.program; only when the study relaxes: execution.relax, else
                   cluster.geometry: relaxed)
        │  relax.<cluster.site> only, when cluster.geometry is "relaxed" and no structure was supplied
        ▼
    carve.<site>-<rings>
        ▼
    integrals.<site>-<rings>  (GATEWAY + SEWARD once for the cluster and basis: no charge in them)
        │   orbitals-integrals.<site>-<rings> ─▶ orbitals.<oxidation state>  (states that start projected only:
        │   the same in the pre-run basis, then the state's first multiplicity there; molcas/projection.py)
        ▼                                      ▼
    molcas.<oxidation state>  (one per oxidation state, from a copy of the integrals: RASSCF per spin, RASSI,
                               SINGLE_ANISO)
        ▼  every relax.<site> and molcas.<label>
    parse   (every run into runs/<study>/results.h5)
        ▼
    report  (tables and figures under runs/<study>/report/)

Node directories are relative to runs/<study>/ (:mod:`adatom_wf.layout`): ``dft/<site>``,
``cluster/<site>-<rings>``, ``integrals/<site>-<rings>``, ``orbitals/integrals-<site>-<rings>``,
``orbitals/<label>``, ``molcas/<label>``, ``.`` (parse: results.h5), ``report``.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from adatom_wf import layout
from adatom_wf.errors import SpecError

STAGES = ("relax", "carve", "integrals", "orbitals", "molcas", "parse", "report")
PARSE, REPORT = "parse", "report"


@dataclass(frozen=True)
class Node:
    """One unit of work: ``name`` is stable across runs and names its state files."""

    name: str
    stage: str
    directory: str  # relative to runs/<study>
    needs: tuple[str, ...] = ()
    site: str | None = None
    oxidation_state: str | None = None
    program: str | None = None  # relax nodes: the DFT program, vasp or gpaw
    prerun: bool = False  # the starting-orbital pre-run's integrals (stage integrals) or state (stage orbitals)

    def as_dict(self) -> dict:
        data: dict[str, object] = {"name": self.name, "stage": self.stage, "directory": self.directory,
                                   "needs": list(self.needs)}
        if self.site is not None:
            data["site"] = self.site
        if self.program is not None:
            data["program"] = self.program
        if self.oxidation_state is not None:
            data["oxidation_state"] = self.oxidation_state
        if self.prerun:
            data["prerun"] = True
        return data


class Graph:
    """Nodes by name, kept in a deterministic topological order; a cycle or a missing need is refused."""

    def __init__(self, nodes: Iterable[Node]):
        nodes = list(nodes)
        by_name = {}
        for node in nodes:
            if node.name in by_name:
                raise SpecError(f"two graph nodes are named {node.name!r}")
            by_name[node.name] = node
        for node in nodes:
            for need in node.needs:
                if need not in by_name:
                    raise SpecError(f"graph node {node.name!r} needs {need!r}, which is not in the graph")
        self._nodes = {name: by_name[name] for name in _topological(by_name)}

    def __iter__(self):
        return iter(self._nodes.values())

    def __len__(self):
        return len(self._nodes)

    def __contains__(self, name):
        return name in self._nodes

    def __getitem__(self, name) -> Node:
        try:
            return self._nodes[name]
        except KeyError:
            raise SpecError(f"no node {name!r} in this study's graph; its nodes: {', '.join(self._nodes)}") from None

    @property
    def names(self) -> list[str]:
        return list(self._nodes)

    def ancestors(self, name: str) -> set[str]:
        """Every node ``name`` needs, directly or not."""
        found, frontier = set(), [name]
        while frontier:
            for need in self[frontier.pop()].needs:
                if need not in found:
                    found.add(need)
                    frontier.append(need)
        return found

    def critical_path(self, seconds: dict[str, float]) -> float:
        """Longest chain of node durations (seconds; missing nodes count 0)."""
        finish: dict[str, float] = {}
        for node in self:
            finish[node.name] = seconds.get(node.name, 0.0) + max((finish[n] for n in node.needs), default=0.0)
        return max(finish.values(), default=0.0)

    def as_list(self) -> list[dict]:
        return [node.as_dict() for node in self]


def _topological(nodes: dict[str, Node]) -> list[str]:
    """Kahn's algorithm; among ready nodes, stage order then insertion order (stable names → stable order)."""
    rank = {name: n for n, name in enumerate(nodes)}
    stage_rank = {stage: n for n, stage in enumerate(STAGES)}
    waiting = {name: set(node.needs) for name, node in nodes.items()}
    order = []
    while waiting:
        ready = [name for name, needs in waiting.items() if not needs]
        if not ready:
            raise SpecError(f"the graph has a dependency cycle through {_cycle(nodes, set(waiting))}")
        ready.sort(key=lambda name: (stage_rank.get(nodes[name].stage, len(STAGES)), rank[name]))
        name = ready[0]
        order.append(name)
        del waiting[name]
        for needs in waiting.values():
            needs.discard(name)
    return order


def _cycle(nodes: dict[str, Node], left: set[str]) -> str:
    """One cycle among the unresolved nodes, as ``a -> b -> a``."""
    start = min(left)
    path, seen = [start], {start}
    while True:
        following = sorted(n for n in nodes[path[-1]].needs if n in left)
        step = following[0]
        if step in seen:
            cycle = path[path.index(step):] + [step]
            return " -> ".join(reversed(cycle))
        path.append(step)
        seen.add(step)


def relax_name(site: str) -> str:
    return f"relax.{site}"


def carve_name(site: str, rings: int) -> str:
    return f"carve.{site}-{rings}"


def integrals_name(site: str, rings: int) -> str:
    return f"integrals.{site}-{rings}"


def molcas_name(label: str) -> str:
    return f"molcas.{label}"


def prerun_integrals_name(site: str, rings: int) -> str:
    return f"orbitals-integrals.{site}-{rings}"


def prerun_name(label: str) -> str:
    return f"orbitals.{label}"


def study_graph(study, carve_supplied: bool = False) -> Graph:
    """The graph of a validated :class:`adatom_wf.spec.Study`; with ``carve_supplied`` the carve node reads the
    supercell ``run --structure`` gave it (cluster/<site>-<rings>/supplied/), not a relax node's CONTCAR."""
    nodes = []
    if study.relaxes_sites():
        nodes += [Node(relax_name(site), "relax", layout.site_dir(site), site=site, program=study.dft.program)
                  for site in study.sites]
    cluster = study.cluster
    carve_needs = (relax_name(cluster.site),) if cluster.geometry == "relaxed" and not carve_supplied else ()
    carve = Node(carve_name(cluster.site, cluster.rings), "carve", layout.cluster_dir(cluster.site, cluster.rings),
                 needs=carve_needs, site=cluster.site)
    nodes.append(carve)
    if study.molcas is not None:
        integrals = Node(integrals_name(cluster.site, cluster.rings), "integrals",
                         layout.integrals_dir(cluster.site, cluster.rings), needs=(carve.name,), site=cluster.site)
        nodes.append(integrals)
        projected = [label for label in study.molcas.oxidation_states if study.orbital_start(label) == "projected"]
        if projected:
            prerun_integrals = Node(prerun_integrals_name(cluster.site, cluster.rings), "integrals",
                                    layout.prerun_integrals_dir(cluster.site, cluster.rings), needs=(carve.name,),
                                    site=cluster.site, prerun=True)
            nodes.append(prerun_integrals)
            nodes += [Node(prerun_name(label), "orbitals", layout.prerun_dir(label), needs=(prerun_integrals.name,),
                           oxidation_state=label, prerun=True) for label in projected]
        nodes += [Node(molcas_name(label), "molcas", layout.state_dir(label),
                       needs=(integrals.name,) + ((prerun_name(label),) if label in projected else ()),
                       oxidation_state=label) for label in study.molcas.oxidation_states]
    runs = tuple(node.name for node in nodes if node.stage in ("relax", "molcas"))
    if runs:
        nodes += [Node(PARSE, PARSE, ".", needs=runs), Node(REPORT, REPORT, layout.REPORT, needs=(PARSE,))]
    return Graph(nodes)
