"""One self-contained HTML page: house template, panels, figures, plotly.js embedded once.

A :class:`Page` collects sections of HTML and Plotly figures; :meth:`Page.write` fills the
house template (``template.html`` + ``style.css`` beside this module) and writes the file
atomically. Figures are stored as JSON in ``<script type="application/json">`` blocks and drawn
by one small script after plotly.js, which is embedded once in the page head: the page loads no
script, stylesheet, font or tile from anywhere, so it opens offline.

Every user-given text goes through :func:`esc` (HTML) or
:func:`mobility_sim.report.theme.plain` (Plotly labels).
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from string import Template
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio
from plotly.offline import get_plotlyjs

from ..exceptions import OutputError
from ..io.yamlio import write_text_atomic

#: Plotly configuration of every figure: no logo, no link out, PNG export at print resolution.
PLOT_CONFIG: dict[str, Any] = {
    "displaylogo": False,
    "responsive": True,
    "showLink": False,
    "showSendToCloud": False,
    "showEditInChartStudio": False,
    "toImageButtonOptions": {"format": "png", "scale": 2},
    "modeBarButtonsToRemove": ["select2d", "lasso2d"],
    # Never fetched (no geo traces are drawn); pointing it at the page itself makes sure no
    # CDN address is even configured.
    "topojsonURL": "./",
}

#: Height of the frame that shows a whole page in a notebook cell, in pixels.
FRAME_HEIGHT = 800


def esc(text: object) -> str:
    """Escape text for HTML content and attribute values."""
    return html.escape("" if text is None else str(text), quote=True)


def json_for_script(obj: Any) -> str:
    """JSON that is safe inside a ``<script>`` element (no ``<``, ``>`` or ``&`` characters)."""
    text = obj if isinstance(obj, str) else json.dumps(obj, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _asset(name: str) -> str:
    return resources.files("mobility_sim.report").joinpath(name).read_text(encoding="utf-8")


@dataclass(repr=False)
class Page:
    """An HTML page being assembled.

    Attributes
    ----------
    title : str
        Text of the ``<title>`` (escaped on output).
    slug : str
        Prefix of figure ids and of PNG file names offered by the figure toolbar.
    """

    title: str
    slug: str = "dashboard"
    header: str = ""
    footer: str = ""
    sections: list[tuple[str, str, str]] = field(default_factory=list)
    _figures: list[tuple[str, str]] = field(default_factory=list)
    _named: list[tuple[str, go.Figure]] = field(default_factory=list)

    def __repr__(self) -> str:
        return (f"<Page {self.title!r}: {len(self.sections)} sections, {self.n_figures} figures; "
                ".write(path) saves it as one offline HTML file>")

    @property
    def n_figures(self) -> int:
        """Number of figures added so far."""
        return len(self._figures)

    @property
    def named_figures(self) -> list[tuple[str, go.Figure]]:
        """The figures added so far with their file-name stems, in page order."""
        return list(self._named)

    def figure(self, fig: go.Figure, *, note: str = "", wide: bool = False,
               name: str | None = None) -> str:
        """Register a figure and return its panel's HTML.

        Parameters
        ----------
        fig : plotly.graph_objects.Figure
            The figure (already in the house style).
        note : str
            Source or method note under the figure; HTML, so escape user text in it.
        wide : bool
            Span the full width of the section grid.
        name : str, optional
            File name stem for the PNG export button.
        """
        fig_id = f"{self.slug}-fig-{len(self._figures) + 1}"
        # Passing the figure itself lets plotly encode numeric arrays as base64 typed arrays,
        # about a third of the size of JSON number lists.
        spec = pio.to_json(fig, validate=False, pretty=False)
        self._figures.append((fig_id, json_for_script(spec)))
        self._named.append((name or fig_id, fig))
        stem = esc(name or fig_id)
        note_html = f'<p class="ms-note">{note}</p>' if note else ""
        cls = "ms-panel wide" if wide else "ms-panel"
        return (f'<div class="{cls}"><div class="ms-figure plotly-graph-div" id="{esc(fig_id)}" '
                f'data-spec="{esc(fig_id)}-data" data-name="{stem}"></div>{note_html}</div>')

    def add_section(self, anchor: str, heading: str, body: str, lead: str = "") -> None:
        """Add a section (heading escaped; ``body`` and ``lead`` are HTML)."""
        lead_html = f'<p class="ms-lead">{lead}</p>' if lead else ""
        self.sections.append((anchor, heading,
                              f'<section class="ms-section" id="{esc(anchor)}">'
                              f"<h2>{esc(heading)}</h2>{lead_html}{body}</section>"))

    def add_html(self, body: str) -> None:
        """Add HTML outside any section (e.g. a banner), shown in order."""
        self.sections.append(("", "", body))

    def render(self) -> str:
        """Return the whole page as one HTML string."""
        nav = "\n".join(f'<a href="#{esc(a)}">{esc(h)}</a>' for a, h, _ in self.sections if a)
        data = "\n".join(f'<script type="application/json" id="{esc(i)}-data">{spec}</script>'
                         for i, spec in self._figures)
        from .._version import __version__ as version

        return Template(_asset("template.html")).substitute(
            version=esc(version),
            title=esc(self.title),
            style=_asset("style.css"),
            plotlyjs=get_plotlyjs(),
            header=self.header,
            nav=nav,
            body="\n".join(body for _, _, body in self.sections),
            footer=self.footer,
            config=json_for_script(PLOT_CONFIG),
            figure_data=data,
        )

    def _repr_html_(self) -> str:
        """Show the whole page in a notebook cell, in a frame of :data:`FRAME_HEIGHT` pixels.

        The frame holds the page itself (``srcdoc``): no file path or server address is
        involved, so it works under a Jupyter server, in a saved notebook and offline. The page
        keeps its own styles and scripts (plotly.js included), apart from the notebook's.
        """
        return (f'<iframe srcdoc="{esc(self.render())}" style="width:100%;'
                f'height:{FRAME_HEIGHT}px;border:1px solid #ddd" '
                'sandbox="allow-scripts allow-downloads"></iframe>')

    def write(self, path: str | Path) -> Path:
        """Write the page atomically to ``path`` and return the path.

        Raises
        ------
        OutputError
            If the file cannot be written.
        """
        path = Path(path)
        text = self.render()
        try:
            write_text_atomic(path, text)
        except OSError as exc:
            raise OutputError(f"{path}: cannot write the dashboard ({exc.strerror or exc}); "
                              "choose a folder you can write to") from None
        return path


def grid(*panels: str) -> str:
    """Lay panels out in the responsive two-column grid."""
    return '<div class="ms-grid">' + "".join(panels) + "</div>"


def na_panel(title: str, reason: str, expects: str = "", *, wide: bool = False) -> str:
    """Return a panel saying plainly that a result is not available in this run, and why.

    Parameters
    ----------
    title : str
        What would be shown (plain text).
    reason : str
        Why it is missing (plain text).
    expects : str
        What input would make it appear (plain text).
    """
    cls = "ms-panel ms-na wide" if wide else "ms-panel ms-na"
    extra = f"<p>{esc(expects)}</p>" if expects else ""
    return (f'<div class="{cls}"><h3>{esc(title)}</h3>'
            f'<p class="ms-na-title">Not available in this run.</p><p>{esc(reason)}</p>'
            f"{extra}</div>")


def table(headers: list[str], rows: list[list[Any]], numeric: set[int] | None = None) -> str:
    """Return an HTML table; every cell is escaped; columns in ``numeric`` align right."""
    numeric = numeric or set()
    head = "".join(f'<th{" class=num" if i in numeric else ""}>{esc(h)}</th>'
                   for i, h in enumerate(headers))
    body = "".join(
        "<tr>" + "".join(f'<td{" class=num" if i in numeric else ""}>{esc(v)}</td>'
                         for i, v in enumerate(row)) + "</tr>"
        for row in rows)
    return f'<table class="ms-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
