"""The plan tables: projects, their immutable versions, and the droppable result cache."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pmfit.store.base import Base
from pmfit.store.types import UtcDateTime

__all__ = ["ProjectRow", "ResultRow", "UtcDateTime", "VersionRow"]


class ProjectRow(Base):
    """A project: its display name and the version it is at now (``head``)."""

    __tablename__ = "projects"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    # the compare-and-swap target of every save: UPDATE ... SET head=:new WHERE head=:base
    head: Mapped[str | None] = mapped_column(
        String(64), ForeignKey("versions.id", use_alter=True, name="fk_projects_head_versions"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    #: set while the project is in the bin (undoable for 30 days), else NULL
    deleted_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    deleted_by: Mapped[str | None] = mapped_column(String(200), nullable=True)


class VersionRow(Base):
    """One immutable version of a project's plan document (a commit)."""

    __tablename__ = "versions"
    __table_args__ = (
        UniqueConstraint("project_id", "number", name="uq_versions_project_id_number"),
        Index("ix_versions_content_hash", "content_hash"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    project_id: Mapped[str] = mapped_column(String(64), ForeignKey("projects.id"))
    #: 1, 2, 3 ... within the project (what people type: PROJECT@3)
    number: Mapped[int] = mapped_column(Integer)
    parent_id: Mapped[str | None] = mapped_column(String(64), ForeignKey("versions.id"), nullable=True)
    #: the version the change was made on when it differs from the parent (a merged change)
    base_id: Mapped[str | None] = mapped_column(String(64), ForeignKey("versions.id"), nullable=True)
    kind: Mapped[str] = mapped_column(String(16))
    author: Mapped[str] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    source: Mapped[str | None] = mapped_column(String(500), nullable=True)
    #: SHA-256 of the document bytes: what "same version" means, and the result cache's key
    content_hash: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    encoding: Mapped[str] = mapped_column(String(8))
    delta_base_id: Mapped[str | None] = mapped_column(String(64), ForeignKey("versions.id"), nullable=True)
    chain: Mapped[int] = mapped_column(Integer)
    payload: Mapped[bytes] = mapped_column(LargeBinary)


class ResultRow(Base):
    """A computed result of a document (opaque bytes), droppable at any time: it can be recomputed."""

    __tablename__ = "results"

    content_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    params_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    params: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    payload: Mapped[bytes] = mapped_column(LargeBinary)
