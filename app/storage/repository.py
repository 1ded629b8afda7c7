"""Every query Huashu makes. Functions take the session and only `flush()`: the caller commits."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from app.storage.models import Commitment, Feedback, Offer, OfferedDraft, Reply, ShopPhrase


@dataclass(frozen=True)
class ReplyQuery:
    """Filters over recorded replies (all optional)."""

    shop: str
    category: str | None = None
    draft_id: str | None = None
    outcome: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    text: str | None = None


def add_offer(session: Session, offer: Offer) -> Offer:
    """Store a customer message, its analysis and the drafts offered."""
    session.add(offer)
    session.flush()
    return offer


def get_offer(session: Session, offer_id: int) -> Offer | None:
    """One offer with its drafts."""
    query = select(Offer).where(Offer.id == offer_id).options(selectinload(Offer.drafts))
    return session.scalars(query).first()


def latest_offered_draft(session: Session, draft_id: str) -> OfferedDraft | None:
    """The most recent offer of a draft id (the same message gives the same id again)."""
    query = (
        select(OfferedDraft)
        .where(OfferedDraft.draft_id == draft_id)
        .options(selectinload(OfferedDraft.offer))
        .order_by(OfferedDraft.id.desc())
        .limit(1)
    )
    return session.scalars(query).first()


def reply_by_idempotency_key(session: Session, key: str) -> Reply | None:
    """The reply stored under an Idempotency-Key, if any."""
    return session.scalars(_with_details(select(Reply).where(Reply.idempotency_key == key))).first()


def insert_reply(session: Session, reply: Reply) -> bool:
    """Store a reply with its commitments; False when its Idempotency-Key is already taken.

    The unique key decides, not a prior lookup: two concurrent retries cannot both insert.
    """
    try:
        with session.begin_nested():
            session.add(reply)
            session.flush()
    except IntegrityError:
        if reply.idempotency_key is None:
            raise
        return False
    return True


def _with_details(query: Select[Reply]) -> Select[Reply]:
    return query.options(
        selectinload(Reply.commitments),
        selectinload(Reply.feedback),
        selectinload(Reply.offered_draft),
    )


def get_reply(session: Session, reply_id: int, shop: str) -> Reply | None:
    """One reply with its draft, commitments and feedback."""
    query = select(Reply).where(Reply.id == reply_id, Reply.shop == shop)
    return session.scalars(_with_details(query)).first()


def _filtered(query: Select[Any], filters: ReplyQuery) -> Select[Any]:
    query = query.where(Reply.shop == filters.shop)
    if filters.category:
        query = query.where(Reply.category == filters.category)
    if filters.draft_id:
        query = query.where(Reply.draft_id == filters.draft_id)
    if filters.outcome == "unedited":
        query = query.where(Reply.draft_id.is_not(None), Reply.edit_distance == 0)
    elif filters.outcome == "edited":
        query = query.where(Reply.draft_id.is_not(None), Reply.edit_distance > 0)
    elif filters.outcome == "written":
        query = query.where(Reply.draft_id.is_(None))
    if filters.since:
        query = query.where(Reply.created_at >= filters.since)
    if filters.until:
        query = query.where(Reply.created_at < filters.until)
    if filters.text:
        pattern = f"%{filters.text}%"
        query = query.where(or_(Reply.sent_text.like(pattern), Reply.customer_text.like(pattern)))
    return query


def list_replies(
    session: Session, filters: ReplyQuery, *, limit: int, offset: int
) -> tuple[list[Reply], int]:
    """One page of replies, newest first, and how many match in all."""
    total = session.scalar(_filtered(select(func.count(Reply.id)), filters)) or 0
    query = _filtered(select(Reply), filters).order_by(Reply.id.desc()).limit(limit).offset(offset)
    return list(session.scalars(_with_details(query))), total


def iter_replies(session: Session, filters: ReplyQuery, batch: int = 500) -> Iterator[Reply]:
    """Every matching reply, oldest first, read in batches (for the CSV export)."""
    last_id = 0
    while True:
        query = _filtered(select(Reply), filters).where(Reply.id > last_id)
        rows = list(session.scalars(_with_details(query.order_by(Reply.id).limit(batch))))
        if not rows:
            return
        yield from rows
        last_id = rows[-1].id


def add_feedback(session: Session, feedback: Feedback) -> Feedback:
    """Store an agent's feedback."""
    session.add(feedback)
    session.flush()
    return feedback


def commitments_due(
    session: Session, shop: str, due_before: datetime, *, include_done: bool = False
) -> list[Commitment]:
    """Promises falling due before a time, earliest first, with their replies."""
    query = (
        select(Commitment)
        .where(Commitment.shop == shop, Commitment.due_at <= due_before)
        .options(selectinload(Commitment.reply))
        .order_by(Commitment.due_at, Commitment.id)
    )
    if not include_done:
        query = query.where(Commitment.done_at.is_(None))
    return list(session.scalars(query))


def get_commitment(session: Session, commitment_id: int, shop: str) -> Commitment | None:
    """One commitment."""
    query = select(Commitment).where(Commitment.id == commitment_id, Commitment.shop == shop)
    return session.scalars(query.options(selectinload(Commitment.reply))).first()


def count_open_commitments(session: Session, shop: str, now: datetime) -> tuple[int, int]:
    """Open follow-ups, and how many of them are overdue."""
    open_query = select(func.count(Commitment.id)).where(
        Commitment.shop == shop, Commitment.done_at.is_(None)
    )
    total = session.scalar(open_query) or 0
    overdue = session.scalar(open_query.where(Commitment.due_at < now)) or 0
    return total, overdue


def add_shop_phrase(session: Session, phrase: ShopPhrase) -> ShopPhrase:
    """Store a shop phrase."""
    session.add(phrase)
    session.flush()
    return phrase


def shop_phrases(session: Session, shop: str) -> list[ShopPhrase]:
    """The shop's saved phrases, oldest first."""
    query = select(ShopPhrase).where(ShopPhrase.shop == shop).order_by(ShopPhrase.id)
    return list(session.scalars(query))


def sent_drafts(
    session: Session, shop: str, *, since: datetime, limit: int
) -> list[tuple[str, float, list[Any]]]:
    """(sent text, edit ratio, draft stages) of the latest replies sent from offered drafts."""
    query = (
        select(Reply.sent_text, Reply.edit_ratio, OfferedDraft.stages)
        .join(OfferedDraft, Reply.offered_draft_id == OfferedDraft.id)
        .where(Reply.shop == shop, Reply.edit_ratio.is_not(None), Reply.created_at >= since)
        .order_by(Reply.id.desc())
        .limit(limit)
    )
    return [(text, float(ratio), stages) for text, ratio, stages in session.execute(query)]


def unhelpful_drafts(
    session: Session, shop: str, *, since: datetime, limit: int
) -> list[list[Any]]:
    """The stages of the latest drafts (offered, or sent then) agents marked unhelpful."""
    query = (
        select(OfferedDraft.stages)
        .join(Feedback, Feedback.offered_draft_id == OfferedDraft.id)
        .where(Feedback.shop == shop, Feedback.helpful.is_(False), Feedback.created_at >= since)
        .order_by(Feedback.id.desc())
        .limit(limit)
    )
    return [stages for (stages,) in session.execute(query)]


def offers_since(session: Session, shop: str, since: datetime) -> list[Offer]:
    """Offers of a window, oldest first (statistics)."""
    query = select(Offer).where(Offer.shop == shop, Offer.created_at >= since).order_by(Offer.id)
    return list(session.scalars(query))


def replies_since(session: Session, shop: str, since: datetime) -> list[Reply]:
    """Replies of a window, oldest first (statistics)."""
    query = select(Reply).where(Reply.shop == shop, Reply.created_at >= since).order_by(Reply.id)
    return list(session.scalars(query))
