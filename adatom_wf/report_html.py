"""``report.html``: the report as one self-contained page (figures as inline SVG, no script, nothing fetched), from
tables whose cells :mod:`adatom_wf.report` has already formatted. Same input, same bytes.

A table is a header (rows of ``head`` cells, which may span) and a body (rows of :func:`cell`), with numbered notes
under it; the page is templates/report/report.html.j2.
"""

import re
from collections.abc import Sequence
from functools import lru_cache

import jinja2
from markupsafe import Markup, escape

MISSING = "—"


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("adatom_wf.templates", "report"), undefined=jinja2.StrictUndefined,
        autoescape=True, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
    )


def cell(text: str | None, cls: str = "", delta: str = "", colspan: int = 1) -> dict:
    """A body cell: its text (None: missing), a CSS class (``text``, ``paper``, ``marked``, ``quantity``), a
    difference shown under a marked value."""
    return {"text": MISSING if text is None else text, "cls": cls, "delta": delta, "colspan": colspan}


def head(text: str, colspan: int = 1, rowspan: int = 1, cls: str = "") -> dict:
    return {"text": text, "colspan": colspan, "rowspan": rowspan, "cls": cls}


def table(header: list[list[dict]], body: list[list[dict]], notes: Sequence[str] = ()) -> Markup:
    """The HTML of one table (in a horizontally scrolling box) and its notes as a numbered list."""
    lines = ['<div class="scroll"><table>', "<thead>"]
    for row in header:
        cells = "".join(
            f"<th{_attributes(item['cls'], colspan=item['colspan'], rowspan=item['rowspan'])}>"
            f"{escape(item['text'])}</th>"
            for item in row)
        lines.append(f"<tr>{cells}</tr>")
    lines += ["</thead>", "<tbody>"]
    for row in body:
        cells = "".join(
            f"<td{_attributes(item['cls'], colspan=item['colspan'])}>{escape(item['text'])}"
            + (f'<span class="delta">{escape(item["delta"])}</span>' if item["delta"] else "") + "</td>"
            for item in row)
        lines.append(f"<tr>{cells}</tr>")
    lines += ["</tbody>", "</table></div>"]
    if notes:
        lines += ['<ol class="notes">'] + [f"<li>{escape(note)}</li>" for note in notes] + ["</ol>"]
    return Markup("\n".join(lines))


def _attributes(cls: str, **spans: int) -> str:
    text = f' class="{cls}"' if cls else ""
    return text + "".join(f' {name}="{value}"' for name, value in spans.items() if value > 1)


_SVG_START = re.compile(r"<svg\b")
_REFERENCE = re.compile(r'(\bid="|href="#|url\(#)([^")]+)')


def inline_svg(svg: str, prefix: str, caption: str) -> Markup:
    """A figure for the page from matplotlib's SVG text: the XML prolog dropped, every element id (and every
    reference to one) prefixed with ``prefix``, so that several figures in one page never share an id (their clip
    paths and glyphs would otherwise resolve to another figure's), labelled with ``caption``."""
    start = _SVG_START.search(svg)
    if start is None:
        raise ValueError(f"figure {prefix}: no <svg> element in the text given")
    body = svg[start.start():].strip()
    ids = set(re.findall(r'\bid="([^"]+)"', body))
    body = _REFERENCE.sub(lambda m: m.group(1) + (f"{prefix}-{m.group(2)}" if m.group(2) in ids else m.group(2)),
                          body)
    body = body.replace("<svg ", f'<svg role="img" aria-label="{escape(caption)}" ', 1)
    return Markup(f'<figure id="figure-{escape(prefix)}">\n{body}\n<figcaption>{escape(caption)}</figcaption>'
                  "\n</figure>")


def render(**context) -> str:
    """The page: templates/report/report.html.j2 with ``context`` (see :func:`adatom_wf.report.write_report`)."""
    return environment().get_template("report.html.j2").render(**context)
