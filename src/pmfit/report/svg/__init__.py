"""Charts drawn as SVG text by pmfit itself: the Gantt, the finish distribution, the tornado,
the S-curve and resource usage.

Reports embed them and the web app serves them, so what a reader sees is what the
engine computed — never a second calculation in a browser or a plotting library.
Drawing is plain string building (no matplotlib), which keeps a report's charts fast,
crisp at any zoom, searchable, and byte-identical for the same facts.
"""

from pmfit.report.svg.canvas import Canvas, escape
from pmfit.report.svg.gantt import GanttLink, GanttRow, GanttView, gantt_svg

__all__ = ["Canvas", "GanttLink", "GanttRow", "GanttView", "escape", "gantt_svg"]
