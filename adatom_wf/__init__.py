"""adatom-wf: lanthanide adatoms on surfaces, from a study file to their magnetic states.

The Python API (docs/api.md) is loaded on first use, so ``import adatom_wf`` stays light (no numpy, h5py,
ase or pymatgen until an attribute below is used)::

    import adatom_wf
    store = adatom_wf.open_store("runs/demo_tb_benzene/results.h5")   # adatom_wf.api.Store
    study = adatom_wf.load_study("demo_tb_benzene")                    # adatom_wf.spec.Study
"""

__version__ = "0.1.0"

# public name -> module that defines it (imported when the name is first used)
_LAZY = {
    "open_store": "adatom_wf.api", "load_study": "adatom_wf.api", "Store": "adatom_wf.api",
    "MolcasRun": "adatom_wf.api", "DftRun": "adatom_wf.api", "VaspRun": "adatom_wf.api",
    "study_text": "adatom_wf.new_study",
}
__all__ = ["__version__", *_LAZY]


def __getattr__(name):
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'adatom_wf' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
