"""Render a :class:`~pmfit.report.document.Document` as Markdown (charts as embedded SVG images)."""

from __future__ import annotations

import base64

from pmfit.report.document import Bullets, Callout, Chart, Document, Paragraph, Table

_BADGE = {"green": "🟢 GREEN", "amber": "🟠 AMBER", "red": "🔴 RED", "info": "ℹ️"}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(doc: Document, embed_charts: bool = True) -> str:
    """Markdown text; charts become data-URI images so the file stands alone."""
    out = [f"# {doc.title}", "", f"_{doc.subtitle}_", ""]
    for section in doc.sections:
        out += [f"## {section.title}", ""]
        for block in section.blocks:
            if isinstance(block, Paragraph):
                out += [block.text, ""]
            elif isinstance(block, Callout):
                out += [f"> **{_BADGE[block.status]}** — {block.text}", ""]
            elif isinstance(block, Bullets):
                out += [f"- {item}" for item in block.items] + [""]
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
                    out.append(f"![{block.alt}](data:image/svg+xml;base64,{data})")
                if block.caption:
                    out.append(f"_{block.caption}_")
                out.append("")
    if doc.footer:
        out += ["---", "", f"<sub>{doc.footer}</sub>", ""]
    return "\n".join(out)
