"""The one Jinja2 environment of the OpenMolcas templates (templates/molcas/*.j2), shared by the state inputs
(:mod:`.render`) and the projection's EXPBAS inputs (:mod:`.projection`)."""

from functools import lru_cache

import jinja2


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The one environment of the OpenMolcas templates (templates/molcas/*.j2, package adatom_wf.templates)."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("adatom_wf.templates", "molcas"),
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        autoescape=False,
    )
