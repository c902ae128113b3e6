"""The plan of one submission, pure: which nodes run, with which attempt and time limit, in which batches.

Nothing here touches a run directory or a scheduler (unit-tested without Slurm; only the cost model behind
:func:`estimated_seconds` reads the basis library): the runner reads the node states and job records, asks for a
plan, then carries it out (workflow/runner.py).

- :func:`select`: the nodes a ``run`` asks for (``--state``, ``--structure``) plus whatever they need that is
  not completed; ``--force`` redoes completed selected nodes;
- :func:`plan_node`: a node's attempt number, Slurm time limit (doubled after a TIMEOUT, up to max_time) and
  memory (doubled after an OUT_OF_MEMORY, up to max_memory);
- :func:`batches` and :func:`after_ok`: nodes of one stage with the same needs, time and resources form one
  job array; the job ids each batch waits for;
- :func:`local_order`: stage by stage, the OpenMolcas state with most SO states first.
"""

from dataclasses import dataclass

from adatom_wf.errors import SchedulerError
from adatom_wf.execution import slurm
from adatom_wf.execution.profiles import Profile, slurm_memory, slurm_memory_mb, slurm_time, slurm_time_seconds
from adatom_wf.workflow.graph import STAGES, molcas_name
from adatom_wf.workflow.status import DONE, SKIPPED


@dataclass
class Planned:
    name: str
    stage: str
    attempt: int
    time: str | None
    previous: str  # the node's state before this submission
    restart: str = ""  # how it continues from an earlier attempt
    memory: str | None = None  # Slurm --mem raised after an OUT_OF_MEMORY (None: the profile's, or the estimate's)


def select(graph, states: dict[str, str], *, labels=(), carve: str | None = None, force: bool = False) -> list[str]:
    """Names of the nodes to run, in graph order.

    Without ``labels`` and ``carve`` the whole graph is asked for; else the molcas nodes of ``labels`` and the
    carve node ``carve``. Asked-for nodes run unless completed (``force``: also then); the nodes they need, and
    those needs' needs, run when not completed.
    """
    asked = {molcas_name(label) for label in labels} | ({carve} if carve else set())
    if not asked:
        asked = set(graph.names)
    wanted = {name for name in asked if force or states[name] != DONE}
    for name in asked:
        wanted |= {need for need in graph.ancestors(name) if states[need] != DONE}
    return [name for name in graph.names if name in wanted]


def plan_node(node, state: str, reason: str, job: dict | None, profile: Profile, executor: str,
              memory: str | None = None) -> Planned:
    """The attempt number (an attempt counts when the node started) and, on Slurm, the time limit and, after an
    OUT_OF_MEMORY, twice the ``memory`` the last attempt had (``NodeStatus.memory``), up to max_memory."""
    never_started = state in (slurm.DEPENDENCY_NEVER_SATISFIED, SKIPPED)
    attempt = (job.get("attempt", 1) + (0 if never_started else 1)) if job else 1
    if attempt > profile.max_attempts:
        raise SchedulerError(
            f"node {node.name} has had {attempt - 1} attempts (last: {state}: {reason}); max_attempts "
            f"= {profile.max_attempts}: fix the cause, then raise max_attempts in the profile"
        )
    time_limit = None
    if executor == "slurm":
        program = node.program or "vasp"
        limit = profile.stage(node.stage, program).time
        assert limit is not None  # a profile's time is required and stage() falls back to it
        base = slurm_time_seconds(limit)
        seconds = base
        if state == slurm.TIMEOUT and job and job.get("time"):
            seconds = min(max(2 * slurm_time_seconds(job["time"]), base), profile.max_time_seconds(node.stage, program))
        time_limit = slurm_time(seconds)
    raised = None
    if executor == "slurm" and state == slurm.OUT_OF_MEMORY:
        if not memory:
            raise SchedulerError(f"node {node.name} ran out of memory but neither its job record nor Slurm tells "
                                 "how much it had: set memory for its stage in the profile")
        last, cap = slurm_memory_mb(memory), profile.max_memory_mb()
        if cap is not None and last >= cap:
            raise SchedulerError(f"node {node.name} ran out of memory with {memory}, the profile's max_memory "
                                 f"({profile.max_memory}): raise max_memory, or make the job need less")
        raised = slurm_memory(min(2 * last, cap) if cap is not None else 2 * last)
    elif executor == "slurm" and job and job.get("memory_raised"):  # a raised memory stays for later attempts
        raised = job.get("memory")
    return Planned(node.name, node.stage, attempt, time_limit, state, memory=raised)


def batches(graph, planned: list[Planned], profile: Profile, limit: int) -> list[tuple]:
    """(stage, names, parents, time, resources) per sbatch call: nodes of one stage with the same needs (among
    those submitted now), time and resources, chunked to ``limit`` (MaxArraySize)."""
    names_now = {p.name for p in planned}
    groups: dict[tuple, list[str]] = {}
    for p in planned:
        parents = tuple(sorted(n for n in graph[p.name].needs if n in names_now))
        resources = profile.stage(p.stage, graph[p.name].program or "vasp")
        if p.memory is not None:
            resources = resources.model_copy(update={"memory": p.memory})
        groups.setdefault((p.stage, parents, p.time, resources), []).append(p.name)
    found = []
    for (stage, parents, time_limit, resources), names in groups.items():
        for start in range(0, len(names), limit):
            found.append((stage, names[start:start + limit], parents, time_limit, resources))
    return found


def after_ok(parents, node_job: dict, batch_of: dict, all_batches: list) -> list[str]:
    """Job ids to wait for: a whole array when every one of its tasks is needed, else single tasks."""
    needed: dict[int, list[str]] = {}
    for parent in parents:
        needed.setdefault(batch_of[parent], []).append(parent)
    ids = []
    for index, names in needed.items():
        members = all_batches[index][1]
        if len(members) > 1 and len(names) == len(members):
            ids.append(slurm.base_job_id(node_job[names[0]]))
        else:
            ids.extend(node_job[name] for name in names)
    return ids


def molcas_mem_of(node, costs: dict) -> int | None:
    """MOLCAS_MEM of an OpenMolcas node from the planned states' costs (label -> {molcas_mem_mb}): a state's own
    (its pre-run too: a smaller basis), the integrals nodes the largest of them; None for other nodes or without
    costs (the profile's then)."""
    if node.stage in ("orbitals", "molcas") and node.oxidation_state in costs:
        return costs[node.oxidation_state]["molcas_mem_mb"]
    if node.stage == "integrals":
        return max((plan["molcas_mem_mb"] for plan in costs.values()), default=None)
    return None


def estimated_seconds(study, graph, names, costs: dict | None = None) -> dict[str, float]:
    """node -> the cost model's wall time (seconds, one core) of the OpenMolcas nodes among ``names``: a molcas
    node its state's total, an orbitals node its pre-run's RASSCF, an integrals node the shared GATEWAY + SEWARD
    (of the pre-run basis for orbitals-integrals) (``costs``: label -> {cost}, as planned; every state's when not
    given). Other nodes have no estimate (the progress shows their last run's time)."""
    nodes = [graph[name] for name in names if graph[name].stage in ("molcas", "orbitals", "integrals")]
    if study.molcas is None or not nodes:
        return {}
    if not costs:
        from adatom_wf.molcas.basis import basis_library_dir
        from adatom_wf.molcas.cost import state_cost

        library = basis_library_dir()
        costs = {label: {"cost": state_cost(study, label, library).as_dict()}
                 for label in study.molcas.oxidation_states}
    shared = next(iter(costs.values()))["cost"]["integrals_seconds"]
    prerun = max((plan["cost"]["prerun_integrals_seconds"] for plan in costs.values()), default=0.0)
    found = {}
    for node in nodes:
        if node.stage == "integrals":
            found[node.name] = prerun if node.prerun else shared
        elif node.oxidation_state in costs:
            cost = costs[node.oxidation_state]["cost"]
            found[node.name] = cost["prerun_seconds"] if node.stage == "orbitals" else cost["seconds"]["total"]
    return found


def so_state_count(study, node) -> int:
    """Σ (2S+1) × roots of a molcas node's oxidation state (0 for other nodes): its expected cost, for ordering."""
    if node.stage != "molcas":
        return 0
    state = study.molcas.oxidation_states[node.oxidation_state]
    return sum(spin.multiplicity * spin.roots for spin in state.spin_states)


def local_order(study, graph, planned: list[Planned]) -> list[Planned]:
    """Stage by stage (needs point to earlier stages), the OpenMolcas state with most SO states first: with fewer
    slots than states the longest state does not start last (docs/benchmarks.md)."""
    return sorted(planned, key=lambda p: (STAGES.index(p.stage), -so_state_count(study, graph[p.name])))
