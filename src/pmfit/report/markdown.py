"""Render a :class:`~pmfit.report.document.Document` as Markdown (charts as embedded SVG images)."""

from __future__ import annotations

import base64

from pmfit.report.document import Bullets, Callout, Chart, Document, Paragraph, Table

_BADGE = {"green": "🟢 GREEN", "amber": "🟠 AMBER", "red": "🔴 RED", "info": "ℹ️"}


#: Markdown syntax backslash-escaped in free text (CommonMark: any ASCII punctuation may be).
_MARKDOWN_SYNTAX = {ord(c): "\\" + c for c in "\\`[]|"}
_HTML = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;"}


def md_text(text: object) -> str:
    """Free text (names, notes, mitigations, ...) made inert in Markdown, as :func:`html.escape` does in HTML.

    ``<``, ``>`` and ``&`` become entities, so no raw HTML (``<script>``, ``<img onerror>``) survives
    for a viewer that renders HTML inside Markdown; the syntax that makes links, images and code
    (``[``, ``]``, backticks, ``|``, backslash) is backslash-escaped, so no ``[x](javascript:...)``
    link or tracking image; a line break becomes a space, so text cannot start a heading, quote or
    list of its own. (Emphasis marks are left alone: ``snake_case`` ids stay readable.)
    """
    flat = " ".join(str(text).splitlines())
    return flat.translate(_HTML).translate(_MARKDOWN_SYNTAX)


def _cell(text: str) -> str:
    return md_text(text)


def render_markdown(doc: Document, embed_charts: bool = True) -> str:
    """Markdown text; charts become data-URI images so the file stands alone."""
    out = [f"# {md_text(doc.title)}", "", f"_{md_text(doc.subtitle)}_", ""]
    for section in doc.sections:
        out += [f"## {md_text(section.title)}", ""]
        for block in section.blocks:
            if isinstance(block, Paragraph):
                out += [md_text(block.text), ""]
            elif isinstance(block, Callout):
                out += [f"> **{_BADGE[block.status]}** — {md_text(block.text)}", ""]
            elif isinstance(block, Bullets):
                out += [f"- {md_text(item)}" for item in block.items] + [""]
            elif isinstance(block, Table):
                align = block.align or ["left"] * len(block.columns)
                marks = {"left": ":---", "right": "---:", "center": ":---:"}
                out.append("| " + " | ".join(_cell(c) for c in block.columns) + " |")
                out.append("| " + " | ".join(marks[a] for a in align) + " |")
                out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in block.rows]
                out.append("")
            elif isinstance(block, Chart):
                if embed_charts:
                    data = base64.b64encode(block.svg.encode()).decode()
                    out.append(f"![{md_text(block.alt)}](data:image/svg+xml;base64,{data})")
                if block.caption:
                    out.append(f"_{md_text(block.caption)}_")
                out.append("")
    if doc.footer:
        out += ["---", "", f"<sub>{md_text(doc.footer)}</sub>", ""]
    return "\n".join(out)
