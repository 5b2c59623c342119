"""A tiny SVG writer: elements as strings, every text and attribute escaped.

Nothing a plan holds (a task name, a resource, a note) can become markup: all text
goes through :func:`escape`, and attribute names are fixed by the code, never by data.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

#: Okabe & Ito (2008) colour-blind-safe palette, the same one the reports have always used.
PALETTE = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "black": "#000000",
    "grey": "#999999",
    "light": "#E8E8E8",
    "ink": "#222222",
}
CRITICAL = PALETTE["vermillion"]
NORMAL = PALETTE["blue"]
BASELINE = PALETTE["grey"]
ACCENT = PALETTE["orange"]
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"

_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "\r": "&#13;",
                          "\n": "&#10;", "\t": "&#9;"})
# Characters XML 1.0 forbids even when escaped (and lone surrogates, which no encoder writes); a plan name
# holding one must not break the document.
_FORBIDDEN = ({c: None for c in range(32) if c not in (9, 10, 13)} | {0xFFFE: None, 0xFFFF: None}
              | {c: None for c in range(0xD800, 0xE000)})


# one search finds whether a text needs either table (most labels, ids and colours need neither)
_NEEDS_ESCAPE = re.compile("[&<>\"'\x00-\x1f\ufffe\uffff\ud800-\udfff]")


def escape(text: object) -> str:
    """Text safe inside an SVG/HTML element or a double- or single-quoted attribute."""
    value = str(text)
    if _NEEDS_ESCAPE.search(value) is None:
        return value
    return value.translate(_FORBIDDEN).translate(_ESCAPES)


_NUMBERS: dict[float, str] = {}  # coordinates repeat (row tops, day columns): formatted once


def num(value: float) -> str:
    """A coordinate with at most two decimals and no trailing zeros (small, stable output)."""
    text = _NUMBERS.get(value)
    if text is None:
        text = f"{value:.2f}".rstrip("0").rstrip(".")
        if text in ("-0", ""):
            text = "0"
        if len(_NUMBERS) > 100_000:
            _NUMBERS.clear()
        _NUMBERS[value] = text
    return text


def text_width(text: str, size: float) -> float:
    """A rough width of ``text`` in a sans-serif font, for layout without a font engine."""
    return 0.56 * size * len(text)


def shorten(text: str, width: float, size: float) -> str:
    """``text`` cut with an ellipsis so that it fits ``width`` pixels."""
    fits = max(1, int(width / (0.56 * size)))
    return text if len(text) <= fits else text[: max(1, fits - 1)] + "…"


_ATTRIBUTE_NAMES: dict[str, str] = {}  # class_ -> class, stroke_width -> stroke-width (names come from code)


def attrs(values: dict[str, object]) -> str:
    """``key="value"`` pairs; None values are left out, True becomes the bare string 'true'."""
    parts = []
    names = _ATTRIBUTE_NAMES
    for key, value in values.items():
        if value is None:
            continue
        name = names.get(key)
        if name is None:
            name = names[key] = key.rstrip("_").replace("_", "-")
        kind = value.__class__
        if kind is float:  # the hot cases first (a Gantt of 2,000 rows writes ~30,000 attributes)
            text = num(value)  # type: ignore[arg-type]
        elif kind is str:
            text = escape(value)
        elif kind is int:
            text = str(value)
        elif isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, float):
            text = escape(num(value))
        else:
            text = escape(value)
        parts.append(f' {name}="{text}"')
    return "".join(parts)


@dataclass
class Canvas:
    """An SVG document being drawn: append elements, then :meth:`render`."""

    width: float
    height: float
    title: str = ""
    description: str = ""
    css_class: str = "pmfit-chart"
    #: prefix of the element ids, unique per chart so that several charts can share one HTML page
    uid: str = "chart"
    parts: list[str] = field(default_factory=list)
    defs: list[str] = field(default_factory=list)

    def add(self, markup: str) -> None:
        self.parts.append(markup)

    def rect(self, x: float, y: float, w: float, h: float, **extra: object) -> None:
        self.parts.append(f"<rect{attrs({'x': x, 'y': y, 'width': max(w, 0.0), 'height': max(h, 0.0), **extra})}/>")

    def line(self, x1: float, y1: float, x2: float, y2: float, **extra: object) -> None:
        self.parts.append(f"<line{attrs({'x1': x1, 'y1': y1, 'x2': x2, 'y2': y2, **extra})}/>")

    def polyline(self, points: Iterable[tuple[float, float]], **extra: object) -> None:
        coords = " ".join(f"{num(x)},{num(y)}" for x, y in points)
        self.parts.append(f"<polyline{attrs({'points': coords, 'fill': 'none', **extra})}/>")

    def polygon(self, points: Iterable[tuple[float, float]], **extra: object) -> None:
        coords = " ".join(f"{num(x)},{num(y)}" for x, y in points)
        self.parts.append(f"<polygon{attrs({'points': coords, **extra})}/>")

    def text(self, x: float, y: float, content: str, size: float = 11, **extra: object) -> None:
        self.parts.append(f"<text{attrs({'x': x, 'y': y, 'font-size': size, **extra})}>{escape(content)}</text>")

    def render(self) -> str:
        head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="{escape(self.css_class)}" '
                f'width="{num(self.width)}" height="{num(self.height)}" '
                f'viewBox="0 0 {num(self.width)} {num(self.height)}" role="img" '
                f'font-family="{escape(FONT)}" aria-labelledby="{escape(self.uid)}-t {escape(self.uid)}-d">')
        labels = (f'<title id="{escape(self.uid)}-t">{escape(self.title)}</title>'
                  f'<desc id="{escape(self.uid)}-d">{escape(self.description)}</desc>')
        defs = f"<defs>{''.join(self.defs)}</defs>" if self.defs else ""
        return head + labels + defs + "".join(self.parts) + "</svg>"


__all__ = ["ACCENT", "BASELINE", "CRITICAL", "FONT", "NORMAL", "PALETTE", "Canvas", "attrs", "escape", "num",
           "shorten", "text_width"]
