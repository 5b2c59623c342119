"""Render a :class:`~pmfit.report.document.Document` as one self-contained HTML file.

No external assets: styles are inline, charts are inline SVG. The page prints
cleanly (A4, no clipped tables, charts kept whole).
"""

from __future__ import annotations

from html import escape

from pmfit.report.document import Bullets, Callout, Chart, Document, Paragraph, Table

_CSS = """
:root { --ink:#1b1f24; --muted:#5b6470; --line:#d8dde3; --green:#009E73; --amber:#E69F00;
        --red:#D55E00; --blue:#0072B2; }
* { box-sizing: border-box; }
body { font: 14px/1.5 "DejaVu Sans", "Segoe UI", Helvetica, Arial, sans-serif; color: var(--ink);
       max-width: 960px; margin: 2rem auto; padding: 0 1.25rem; }
h1 { font-size: 1.7rem; margin: 0 0 .2rem; }
h2 { font-size: 1.15rem; margin: 1.6rem 0 .5rem; padding-bottom: .2rem; border-bottom: 2px solid var(--line); }
.subtitle { color: var(--muted); margin: 0 0 1rem; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0 1rem; font-size: 13px; }
th, td { border-bottom: 1px solid var(--line); padding: .3rem .5rem; vertical-align: top; }
th { text-align: left; background: #f3f5f7; }
td.right, th.right { text-align: right; font-variant-numeric: tabular-nums; }
td.center, th.center { text-align: center; }
.callout { border-left: 6px solid var(--blue); background: #f3f7fb; padding: .6rem .9rem; margin: .6rem 0 1rem; }
.callout.green { border-color: var(--green); background: #eef8f4; }
.callout.amber { border-color: var(--amber); background: #fdf6e7; }
.callout.red { border-color: var(--red); background: #fcefe8; }
.badge { font-weight: 700; letter-spacing: .04em; margin-right: .4rem; }
figure { margin: .6rem 0 1.2rem; }
figure svg { max-width: 100%; height: auto; }
figcaption { color: var(--muted); font-size: 12px; }
footer { color: var(--muted); font-size: 11px; margin-top: 2rem; border-top: 1px solid var(--line); padding-top: .5rem; }
@media print {
  body { margin: 0; max-width: none; font-size: 11px; }
  h2 { break-after: avoid; }
  table, figure, .callout { break-inside: avoid; }
  @page { size: A4; margin: 14mm; }
  /* the executive report is one A4 page: tighter type, the one chart kept short */
  body.executive { font-size: 9px; line-height: 1.3; }
  body.executive h1 { font-size: 15px; }
  body.executive h2 { font-size: 11px; margin: .5rem 0 .2rem; }
  body.executive .subtitle { margin: 0 0 .3rem; }
  body.executive ul { margin: .2rem 0; padding-left: 1.1rem; }
  body.executive p { margin: .2rem 0; }
  body.executive table { font-size: 8.5px; margin: .2rem 0 .3rem; }
  body.executive th, body.executive td { padding: .1rem .3rem; }
  body.executive .callout { padding: .25rem .5rem; margin: .2rem 0 .3rem; }
  body.executive figure { margin: .2rem 0; }
  body.executive figure svg { width: 62%; height: auto; }
  body.executive figcaption { font-size: 8px; }
  body.executive footer { font-size: 7.5px; margin-top: .4rem; padding-top: .2rem; }
}
"""


def render_html(doc: Document) -> str:
    """A complete, self-contained HTML page."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(doc.title)}</title>",
        f'<style>{_CSS}</style></head><body class="{escape(doc.audience)}">',
        f"<header><h1>{escape(doc.title)}</h1><p class=\"subtitle\">{escape(doc.subtitle)}</p></header>",
        "<main>",
    ]
    for section in doc.sections:
        parts.append(f'<section id="{escape(section.key)}"><h2>{escape(section.title)}</h2>')
        for block in section.blocks:
            if isinstance(block, Paragraph):
                parts.append(f"<p>{escape(block.text)}</p>")
            elif isinstance(block, Callout):
                label = {"green": "GREEN", "amber": "AMBER", "red": "RED", "info": "NOTE"}[block.status]
                parts.append(f'<div class="callout {block.status}"><span class="badge">{label}</span>'
                             f"{escape(block.text)}</div>")
            elif isinstance(block, Bullets):
                parts.append("<ul>" + "".join(f"<li>{escape(i)}</li>" for i in block.items) + "</ul>")
            elif isinstance(block, Table):
                align = block.align or ["left"] * len(block.columns)
                head = "".join(f'<th class="{a}">{escape(c)}</th>' for c, a in zip(block.columns, align, strict=False))
                body = "".join(
                    "<tr>" + "".join(f'<td class="{a}">{escape(c)}</td>' for c, a in zip(row, align, strict=False))
                    + "</tr>" for row in block.rows)
                parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
            elif isinstance(block, Chart):
                parts.append(f'<figure role="img" aria-label="{escape(block.alt)}">{block.svg}'
                             f"<figcaption>{escape(block.caption)}</figcaption></figure>")
        parts.append("</section>")
    parts.append("</main>")
    if doc.footer:
        parts.append(f"<footer>{escape(doc.footer)}</footer>")
    parts.append("</body></html>")
    return "\n".join(parts)
