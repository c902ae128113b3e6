"""One exception hierarchy. The CLI prints ``str(error)`` as one line and exits with ``exit_code``."""


class AdatomWfError(Exception):
    """Base of every error the library raises on purpose (bad input, failed run, unreadable output)."""

    exit_code = 2


class SpecError(AdatomWfError):
    """A study file is missing, malformed, or asks for something impossible."""


class StructureError(AdatomWfError):
    """A structure cannot be built, read or carved as asked."""


class PotcarError(AdatomWfError):
    """The POTCAR library lacks a potential the study needs."""


class ParseError(AdatomWfError):
    """An output file is truncated, malformed, or reports a failure."""


class StoreError(AdatomWfError):
    """The HDF5 results store cannot be read or written safely."""


class SchedulerError(AdatomWfError):
    """The batch scheduler (or the local executor) refused or lost a job."""


class OutputConflictError(AdatomWfError):
    """Writing would overwrite results that already exist."""


class AnalysisError(AdatomWfError):
    """Spin-Hamiltonian, relaxation, magnetisation or deflection input is non-physical or inconsistent."""
