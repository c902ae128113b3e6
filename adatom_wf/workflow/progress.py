"""Live progress of a study's nodes: what each runs now, how long it has run, how long it took last time.

Two views of the same rows (node, state, now, elapsed, expected):

- on a terminal, a table that refreshes in place (rich's ``Live``, on stderr);
- anywhere else (CI, ``nohup``, a Slurm log), one time-stamped line each time a node's state or activity
  changes, so a log file reads as a history.

"now" is read from the node's own outputs as they grow, by each program's follower (adatom_wf.molcas.follow: the
OpenMolcas module running, RASSCF with its spin and which of the node's RASSCF runs it is; adatom_wf.vasp.follow:
the ionic and electronic step of ``vasprun.xml``; adatom_wf.gpaw.follow: the ionic step and SCF iteration of
``gpaw.txt``). Logs are followed from the offset read last time, so a refresh reads only what was appended.
"expected" is the cost model's wall time for the OpenMolcas nodes (adatom_wf.molcas.cost: GATEWAY + SEWARD for an
integrals node, RASSCF per multiplicity, RASSI and SINGLE_ANISO for a state; shown as ``~3:10``) and, for the
nodes it does not cover (relaxations, carve, parse, report), the node's previous successful run (its recorded
seconds, shown plain, "last run" in a line).
"""

import importlib
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from adatom_wf.follow import Tail

REFRESH_SECONDS = 1.0


@dataclass
class Row:
    node: str
    state: str
    now: str = ""
    elapsed_s: float | None = None
    expected_s: float | None = None
    estimated: bool = False  # expected_s is the cost model's (else the last run's time)


def expectations(estimates: dict, last_runs: dict, names) -> dict[str, tuple[float, bool]]:
    """node -> (seconds, estimated) for ``names``: the cost model's estimate where there is one, else the node's
    last successful run."""
    found = {name: (seconds, False) for name, seconds in last_runs.items() if name in names}
    found.update((name, (seconds, True)) for name, seconds in estimates.items() if name in names)
    return found


class Activities:
    """What every node of a study is doing now, from its directory: each program's follower (molcas/, vasp/,
    gpaw/ ``follow``), kept between refreshes."""

    # the programs that may run in a node of each stage, tried in order (a relax node: GPAW's files, else VASP's)
    PROGRAMS = {"relax": ("gpaw", "vasp"), "integrals": ("molcas",), "orbitals": ("molcas",), "molcas": ("molcas",)}

    def __init__(self):
        self.followers: dict[Path, Tail] = {}

    def of(self, stage: str, directory: Path) -> str:
        for program in self.PROGRAMS.get(stage, ()):
            follow = importlib.import_module(f"adatom_wf.{program}.follow")
            path = follow.followed_file(directory)
            if path is not None:
                if path not in self.followers:
                    self.followers[path] = follow.Follower(path)
                return self.followers[path].activity()
        return ""


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    minutes, rest = divmod(int(round(seconds)), 60)
    return f"{minutes}:{rest:02d}" if minutes < 60 else f"{minutes // 60}:{minutes % 60:02d}:{rest:02d}"


def _expected(row: Row) -> str:
    return ("~" if row.estimated and row.expected_s is not None else "") + _clock(row.expected_s)


def table(rows: list[Row], title: str):
    from rich.table import Table

    view = Table(title=title, title_justify="left", expand=False)
    for name in ("node", "state", "now", "elapsed", "expected"):
        view.add_column(name, no_wrap=True, justify="right" if name in ("elapsed", "expected") else "left")
    colours = {"RUNNING": "bold yellow", "COMPLETED": "green", "FAILED": "bold red", "PENDING": "", "SKIPPED": "red"}
    for row in rows:
        view.add_row(row.node, f"[{colours.get(row.state, '')}]{row.state}[/]" if colours.get(row.state) else row.state,
                     row.now, _clock(row.elapsed_s), _expected(row))
    return view


def line(row: Row) -> str:
    """The plain line of one change, e.g.
    ``2026-12-02T10:01:02 molcas.Tb2+ RUNNING rasscf #1 (2S+1 = 8) 0:21 (expected ~1:40)``."""
    parts = [time.strftime("%Y-%m-%dT%H:%M:%S"), row.node, row.state]
    if row.now:
        parts.append(row.now)
    if row.elapsed_s is not None:
        parts.append(_clock(row.elapsed_s))
    if row.expected_s is not None:
        parts.append(f"(expected {_expected(row)})" if row.estimated else f"(last run {_clock(row.expected_s)})")
    return " ".join(parts)


class Display:
    """Shows ``rows()`` until stopped: a refreshing table on a terminal, else a line per change (on ``stream``)."""

    def __init__(self, rows, title: str, stream=None, live: bool | None = None):
        self.rows, self.title = rows, title
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty() if live is None else live
        self.seen: dict[str, tuple] = {}
        self._live = None

    def __enter__(self):
        if self.live:
            from rich.console import Console
            from rich.live import Live

            self._live = Live(get_renderable=lambda: table(self.rows(), self.title),
                              console=Console(file=self.stream), refresh_per_second=1 / REFRESH_SECONDS)
            self._live.__enter__()
        return self

    def tick(self) -> None:
        """Print the lines of what changed since the last tick (plain mode; the live table refreshes itself)."""
        if self.live:
            return
        for row in self.rows():
            key = (row.state, row.now)
            if self.seen.get(row.node) != key:
                self.seen[row.node] = key
                print(line(row), file=self.stream, flush=True)

    def __exit__(self, *exc):
        if self._live is not None:
            self._live.refresh()
            self._live.__exit__(*exc)
        else:
            self.tick()
        return False


class Ticker:
    """Calls ``display.tick`` every REFRESH_SECONDS in a thread while a local run goes on (plain mode)."""

    def __init__(self, display: Display):
        self.display, self.stop = display, threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self):
        while not self.stop.wait(REFRESH_SECONDS):
            self.display.tick()

    def __enter__(self):
        self.display.__enter__()
        self.display.tick()
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()
        return self.display.__exit__(*exc)


def _seconds_since(stamp: str | None) -> float | None:
    from datetime import datetime

    if stamp is None:
        return None
    try:
        return max(0.0, time.time() - datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S%z").timestamp())
    except ValueError:
        return None


def local_rows(root: Path, graph, jobs: dict, expected: dict, activities: Activities) -> list[Row]:
    """Rows of a local run in progress, from its in-memory job records (``local_run``'s ``jobs``), each node's state
    as ``status`` maps it (:func:`adatom_wf.workflow.status.node_state`); ``expected``: node -> (seconds,
    estimated), from :func:`expectations`."""
    from adatom_wf.workflow import ledger
    from adatom_wf.workflow.status import node_state

    rows = []
    for name, job in list(jobs["nodes"].items()):
        local = job.get("state")
        if name not in graph or local is None:  # not queued yet
            continue
        result = ledger.read_result(root, name) if local == "exited" else None
        state, _ = node_state(result, job, None, local_runner_alive=True)  # a local job record (local_run)
        elapsed = job.get("seconds") if local == "exited" else _seconds_since(job.get("started_at"))
        now = activities.of(graph[name].stage, root / graph[name].directory) if local == "running" else ""
        seconds, estimated = expected.get(name, (None, False))
        rows.append(Row(name, state, now, elapsed if local in ("running", "exited") else None, seconds, estimated))
    return rows


def status_rows(statuses, root: Path, graph, jobs: dict, activities: Activities, first_seen: dict,
                estimates: dict | None = None) -> list[Row]:
    """Rows of ``adatom-wf status --watch`` from the gathered NodeStatus list. Elapsed: from the job record's
    start (local runs); for Slurm jobs, from when this watch first saw the node RUNNING. Expected: ``estimates``
    (node -> the cost model's seconds), else the duration of the node's last successful attempt archived in
    workflow/history/ (local runs record it)."""
    rows = []
    expected = expectations(estimates or {}, last_durations(root), [status.node for status in statuses])
    for status in statuses:
        job = jobs["nodes"].get(status.node) or {}
        elapsed = None
        if status.state == "RUNNING":
            elapsed = _seconds_since(job.get("started_at"))
            if elapsed is None:
                elapsed = time.monotonic() - first_seen.setdefault(status.node, time.monotonic())
        elif job.get("executor") == "local" and job.get("state") == "exited":
            elapsed = job.get("seconds")
        now = activities.of(status.stage, root / graph[status.node].directory) if status.state == "RUNNING" else ""
        if not now and status.reason and status.state not in ("COMPLETED", "RUNNING"):
            now = status.reason
        seconds, estimated = expected.get(status.node, (None, False))
        rows.append(Row(status.node, status.state, now, elapsed, seconds, estimated))
    return rows


def last_durations(root: Path) -> dict:
    """node -> seconds of its latest archived successful attempt (workflow/history/<node>.attempt-<n>.json)."""
    from adatom_wf.layout import history_dir
    from adatom_wf.workflow import ledger

    found = {}
    paths = sorted(history_dir(root).glob("*.attempt-*.json"),
                   key=lambda p: int(p.stem.rsplit("-", 1)[1]) if p.stem.rsplit("-", 1)[1].isdigit() else 0)
    for path in paths:
        record = ledger.read_json(path, default={}) or {}
        job, result = record.get("job") or {}, record.get("result") or {}
        if result.get("state") == ledger.OK and job.get("seconds"):
            found[path.name.split(".attempt-")[0]] = job["seconds"]
    return found
