"""The ORM models: every table Huashu keeps (the only module that declares them)."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps stored in UTC and read back timezone-aware (SQLite keeps them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime; pass a timezone-aware one")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Base of every table."""

    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON(), list[Any]: JSON()}


class Offer(Base):
    """One customer message, its analysis and the drafts offered for it."""

    __tablename__ = "offers"

    id: Mapped[int] = mapped_column(primary_key=True)
    shop: Mapped[str] = mapped_column(String(40), index=True)
    customer_text: Mapped[str] = mapped_column(Text)
    customer_name: Mapped[str | None] = mapped_column(String(40))
    context: Mapped[list[Any]]
    analysis: Mapped[dict[str, Any]]
    category: Mapped[str] = mapped_column(String(40), index=True)
    emotion: Mapped[str] = mapped_column(String(20))
    intensity: Mapped[int] = mapped_column(Integer)
    escalation: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(index=True)

    drafts: Mapped[list["OfferedDraft"]] = relationship(
        back_populates="offer", order_by="OfferedDraft.id"
    )


class OfferedDraft(Base):
    """A draft shown to the agent: its id (a hash of its text), style, source and phrases."""

    __tablename__ = "offered_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"), index=True)
    draft_id: Mapped[str] = mapped_column(String(64), index=True)
    style: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(20))
    script: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    stages: Mapped[list[Any]]
    finding_codes: Mapped[list[Any]]
    created_at: Mapped[datetime]

    offer: Mapped[Offer] = relationship(back_populates="drafts")


class Reply(Base):
    """What the agent actually sent, and which draft it came from."""

    __tablename__ = "replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unique: concurrent retries with one key can only ever store one row.
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    shop: Mapped[str] = mapped_column(String(40), index=True)
    offer_id: Mapped[int | None] = mapped_column(ForeignKey("offers.id"), index=True)
    offered_draft_id: Mapped[int | None] = mapped_column(ForeignKey("offered_drafts.id"))
    draft_id: Mapped[str | None] = mapped_column(String(64), index=True)
    customer_text: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(40), index=True)
    emotion: Mapped[str | None] = mapped_column(String(20))
    sent_text: Mapped[str] = mapped_column(Text)
    edit_distance: Mapped[int | None] = mapped_column(Integer)
    edit_ratio: Mapped[float | None] = mapped_column(Float)
    finding_codes: Mapped[list[Any]]
    caught_codes: Mapped[list[Any]]
    agent: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(index=True)

    offered_draft: Mapped[OfferedDraft | None] = relationship()
    commitments: Mapped[list["Commitment"]] = relationship(
        back_populates="reply", order_by="Commitment.id"
    )
    feedback: Mapped[list["Feedback"]] = relationship(
        back_populates="reply", order_by="Feedback.id"
    )


class Feedback(Base):
    """The agent's word on a reply or a draft: helpful or not, and why."""

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    reply_id: Mapped[int | None] = mapped_column(ForeignKey("replies.id"), index=True)
    offered_draft_id: Mapped[int | None] = mapped_column(ForeignKey("offered_drafts.id"))
    draft_id: Mapped[str | None] = mapped_column(String(64), index=True)
    shop: Mapped[str] = mapped_column(String(40), index=True)
    helpful: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]

    reply: Mapped[Reply | None] = relationship(back_populates="feedback")
    offered_draft: Mapped[OfferedDraft | None] = relationship()


class Commitment(Base):
    """A promise with a time made in a sent reply ("24小时内给您回复") and when it falls due."""

    __tablename__ = "commitments"

    id: Mapped[int] = mapped_column(primary_key=True)
    reply_id: Mapped[int] = mapped_column(ForeignKey("replies.id", ondelete="CASCADE"), index=True)
    shop: Mapped[str] = mapped_column(String(40), index=True)
    promise: Mapped[str] = mapped_column(Text)
    span_start: Mapped[int] = mapped_column(Integer)
    span_end: Mapped[int] = mapped_column(Integer)
    due_at: Mapped[datetime] = mapped_column(index=True)
    done_at: Mapped[datetime | None]
    created_at: Mapped[datetime]

    reply: Mapped[Reply] = relationship(back_populates="commitments")


class ShopPhrase(Base):
    """A sent reply an agent saved as the shop's own phrase; it competes with the phrasebook."""

    __tablename__ = "shop_phrases"

    id: Mapped[int] = mapped_column(primary_key=True)
    shop: Mapped[str] = mapped_column(String(40), index=True)
    stage: Mapped[str] = mapped_column(String(30))
    style: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    categories: Mapped[list[Any] | None] = mapped_column(JSON)
    reply_id: Mapped[int | None] = mapped_column(ForeignKey("replies.id"))
    created_at: Mapped[datetime]
