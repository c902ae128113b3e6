"""adatom-wf: lanthanide adatoms on surfaces, from a study file to their magnetic states."""

__version__ = "0.1.0"
