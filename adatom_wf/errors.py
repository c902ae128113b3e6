"""One exception hierarchy, raised by meaning. The CLI prints ``str(error)`` as one line and exits with
``exit_code``: 2 for anything the user can fix before running (input, set-up, a conflict), 1 when a
calculation ran and failed (its reason is recorded beside its outputs).
"""


class AdatomWfError(Exception):
    """Base of every error the library raises on purpose (bad input, failed run, unreadable output)."""

    exit_code = 2


class SpecError(AdatomWfError):
    """A study file or a cluster profile is missing, malformed, or asks for something impossible."""


class StructureError(AdatomWfError):
    """A structure cannot be built, read or carved as asked."""


class PotcarError(AdatomWfError):
    """The POTCAR library lacks a potential the study needs."""


class ParseError(AdatomWfError):
    """An output file is truncated, malformed, or reports a failure."""


class StoreError(AdatomWfError):
    """The HDF5 results store cannot be read or written safely."""


class StateError(AdatomWfError):
    """A file of a study's run state (``runs/<study>/workflow/``) is unreadable; nothing was changed."""


class ProgramNotFound(AdatomWfError):
    """A program the workflow runs (OpenMolcas, sbatch) is not installed or cannot be started."""


class SchedulerError(AdatomWfError):
    """The batch scheduler (or the local executor) refused or lost a job, or the study is already running."""


class OutputConflictError(AdatomWfError):
    """Writing would overwrite results that already exist."""


class AnalysisError(AdatomWfError):
    """Spin-Hamiltonian, relaxation, magnetisation or deflection input is non-physical or inconsistent."""


class CalculationFailed(AdatomWfError):
    """A calculation ran and ended in failure: a node of the graph, an OpenMolcas or a VASP run."""

    exit_code = 1
