"""Plans: projects, their immutable versions, and the result cache.

Revision ID: 0001_plans
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from pmfit.store.tables import UtcDateTime

revision = "0001_plans"
down_revision = None
branch_labels = None
depends_on = None

HEAD_FK = "fk_projects_head_versions"


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    # projects.head -> versions.id and versions.project_id -> projects.id form a cycle: SQLite takes
    # the forward reference inline (it cannot ALTER a constraint in), PostgreSQL adds it after.
    head_fk = [sa.ForeignKeyConstraint(["head"], ["versions.id"], name=HEAD_FK)] if sqlite else []
    op.create_table(
        "projects",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("head", sa.String(64), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("deleted_at", UtcDateTime(), nullable=True),
        sa.Column("deleted_by", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_projects"),
        *head_fk,
    )
    op.create_table(
        "versions",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("project_id", sa.String(64), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.String(64), nullable=True),
        sa.Column("base_id", sa.String(64), nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("source", sa.String(500), nullable=True),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("encoding", sa.String(8), nullable=False),
        sa.Column("delta_base_id", sa.String(64), nullable=True),
        sa.Column("chain", sa.Integer(), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_versions"),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], name="fk_versions_project_id_projects"),
        sa.ForeignKeyConstraint(["parent_id"], ["versions.id"], name="fk_versions_parent_id_versions"),
        sa.ForeignKeyConstraint(["base_id"], ["versions.id"], name="fk_versions_base_id_versions"),
        sa.ForeignKeyConstraint(["delta_base_id"], ["versions.id"], name="fk_versions_delta_base_id_versions"),
        sa.UniqueConstraint("project_id", "number", name="uq_versions_project_id_number"),
    )
    op.create_index("ix_versions_content_hash", "versions", ["content_hash"])
    if not sqlite:
        op.create_foreign_key(HEAD_FK, "projects", "versions", ["head"], ["id"])
    op.create_table(
        "results",
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("params_key", sa.String(64), nullable=False),
        sa.Column("params", sa.Text(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("content_hash", "kind", "params_key", name="pk_results"),
    )


def downgrade() -> None:
    op.execute("UPDATE projects SET head = NULL")  # SQLite checks the cycle's foreign keys on DROP
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(HEAD_FK, "projects", type_="foreignkey")
    op.drop_table("results")
    op.drop_index("ix_versions_content_hash", table_name="versions")
    op.drop_table("versions")
    op.drop_table("projects")
