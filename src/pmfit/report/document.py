"""A small document model that both reports are built in, and every format renders.

Reports are data first (sections of paragraphs, bullet lists, tables, charts);
Markdown, HTML and PDF are renderings of the same object, so the formats can
never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Bullets:
    items: list[str]


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[list[str]]
    align: list[Literal["left", "right", "center"]] | None = None


@dataclass(frozen=True)
class Chart:
    """An embedded chart as SVG text, with a text alternative."""

    svg: str
    alt: str
    caption: str = ""


@dataclass(frozen=True)
class Callout:
    """A highlighted status line (RAG)."""

    status: Literal["green", "amber", "red", "info"]
    text: str


Block = Paragraph | Bullets | Table | Chart | Callout


@dataclass
class Section:
    key: str
    title: str
    blocks: list[Block] = field(default_factory=list)
    #: topics a stakeholder can care about that this section answers (for --for ordering)
    topics: tuple[str, ...] = ()


@dataclass
class Document:
    title: str
    subtitle: str
    audience: Literal["technical", "executive"]
    sections: list[Section] = field(default_factory=list)
    footer: str = ""

    def text(self) -> str:
        """All visible text (for checks such as the jargon test)."""
        parts = [self.title, self.subtitle, self.footer]
        for section in self.sections:
            parts.append(section.title)
            for block in section.blocks:
                if isinstance(block, Paragraph):
                    parts.append(block.text)
                elif isinstance(block, Bullets):
                    parts.extend(block.items)
                elif isinstance(block, Table):
                    parts.append(" ".join(block.columns))
                    parts.extend(" ".join(row) for row in block.rows)
                elif isinstance(block, Callout):
                    parts.append(block.text)
                elif isinstance(block, Chart):
                    parts.append(block.caption)
        return "\n".join(p for p in parts if p)

    def ordered_for(self, cares_about: list[str]) -> Document:
        """The same document with the sections a reader cares about first (stable otherwise)."""
        if not cares_about:
            return self
        wanted = [c.lower() for c in cares_about]

        def rank(section: Section) -> int:
            haystack = [section.key.lower(), section.title.lower(), *(t.lower() for t in section.topics)]
            for position, topic in enumerate(wanted):
                if any(topic in h or h in topic for h in haystack):
                    return position
            return len(wanted)

        head, rest = self.sections[:1], self.sections[1:]
        return Document(self.title, self.subtitle, self.audience,
                        head + sorted(rest, key=rank), self.footer)
