"""initial schema: offers, drafts, replies, feedback, commitments, shop phrases

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shop", sa.String(length=40), nullable=False),
        sa.Column("customer_text", sa.Text(), nullable=False),
        sa.Column("customer_name", sa.String(length=40), nullable=True),
        sa.Column("context", sa.JSON(), nullable=False),
        sa.Column("analysis", sa.JSON(), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("emotion", sa.String(length=20), nullable=False),
        sa.Column("intensity", sa.Integer(), nullable=False),
        sa.Column("escalation", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("offers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_offers_category"), ["category"], unique=False)
        batch_op.create_index(batch_op.f("ix_offers_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_offers_shop"), ["shop"], unique=False)

    op.create_table(
        "offered_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.String(length=64), nullable=False),
        sa.Column("style", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("script", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("stages", sa.JSON(), nullable=False),
        sa.Column("finding_codes", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["offer_id"], ["offers.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("offered_drafts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_offered_drafts_draft_id"), ["draft_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_offered_drafts_offer_id"), ["offer_id"], unique=False)

    op.create_table(
        "replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=True),
        sa.Column("shop", sa.String(length=40), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=True),
        sa.Column("offered_draft_id", sa.Integer(), nullable=True),
        sa.Column("draft_id", sa.String(length=64), nullable=True),
        sa.Column("customer_text", sa.Text(), nullable=True),
        sa.Column("category", sa.String(length=40), nullable=True),
        sa.Column("emotion", sa.String(length=20), nullable=True),
        sa.Column("sent_text", sa.Text(), nullable=False),
        sa.Column("edit_distance", sa.Integer(), nullable=True),
        sa.Column("edit_ratio", sa.Float(), nullable=True),
        sa.Column("finding_codes", sa.JSON(), nullable=False),
        sa.Column("caught_codes", sa.JSON(), nullable=False),
        sa.Column("agent", sa.String(length=40), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["offer_id"],
            ["offers.id"],
        ),
        sa.ForeignKeyConstraint(
            ["offered_draft_id"],
            ["offered_drafts.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("idempotency_key"),
    )
    with op.batch_alter_table("replies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_replies_category"), ["category"], unique=False)
        batch_op.create_index(batch_op.f("ix_replies_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_replies_draft_id"), ["draft_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_replies_offer_id"), ["offer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_replies_shop"), ["shop"], unique=False)

    op.create_table(
        "commitments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reply_id", sa.Integer(), nullable=False),
        sa.Column("shop", sa.String(length=40), nullable=False),
        sa.Column("promise", sa.Text(), nullable=False),
        sa.Column("span_start", sa.Integer(), nullable=False),
        sa.Column("span_end", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["reply_id"], ["replies.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("commitments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_commitments_due_at"), ["due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_commitments_reply_id"), ["reply_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_commitments_shop"), ["shop"], unique=False)

    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reply_id", sa.Integer(), nullable=True),
        sa.Column("offered_draft_id", sa.Integer(), nullable=True),
        sa.Column("draft_id", sa.String(length=64), nullable=True),
        sa.Column("shop", sa.String(length=40), nullable=False),
        sa.Column("helpful", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["offered_draft_id"],
            ["offered_drafts.id"],
        ),
        sa.ForeignKeyConstraint(
            ["reply_id"],
            ["replies.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feedback_draft_id"), ["draft_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_feedback_reply_id"), ["reply_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_feedback_shop"), ["shop"], unique=False)

    op.create_table(
        "shop_phrases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shop", sa.String(length=40), nullable=False),
        sa.Column("stage", sa.String(length=30), nullable=False),
        sa.Column("style", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=True),
        sa.Column("reply_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["reply_id"],
            ["replies.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("shop_phrases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shop_phrases_shop"), ["shop"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("shop_phrases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shop_phrases_shop"))

    op.drop_table("shop_phrases")
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_shop"))
        batch_op.drop_index(batch_op.f("ix_feedback_reply_id"))
        batch_op.drop_index(batch_op.f("ix_feedback_draft_id"))

    op.drop_table("feedback")
    with op.batch_alter_table("commitments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commitments_shop"))
        batch_op.drop_index(batch_op.f("ix_commitments_reply_id"))
        batch_op.drop_index(batch_op.f("ix_commitments_due_at"))

    op.drop_table("commitments")
    with op.batch_alter_table("replies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_replies_shop"))
        batch_op.drop_index(batch_op.f("ix_replies_offer_id"))
        batch_op.drop_index(batch_op.f("ix_replies_draft_id"))
        batch_op.drop_index(batch_op.f("ix_replies_created_at"))
        batch_op.drop_index(batch_op.f("ix_replies_category"))

    op.drop_table("replies")
    with op.batch_alter_table("offered_drafts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_offered_drafts_offer_id"))
        batch_op.drop_index(batch_op.f("ix_offered_drafts_draft_id"))

    op.drop_table("offered_drafts")
    with op.batch_alter_table("offers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_offers_shop"))
        batch_op.drop_index(batch_op.f("ix_offers_created_at"))
        batch_op.drop_index(batch_op.f("ix_offers_category"))

    op.drop_table("offers")
