"""Sent replies, feedback, follow-ups, shop phrases, statistics and the CSV export.

The routes are plain `def`: FastAPI runs them in worker threads, where blocking database
calls do not hold up the event loop.
"""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Header, Query, Response, status
from fastapi.responses import StreamingResponse

from app.deps import RecordsDep, ServicesDep, SessionDep
from app.drafting.schemas import Phrase
from app.replies import service as replies_service
from app.replies.schemas import (
    CommitmentRead,
    FeedbackCreate,
    FeedbackRead,
    FollowUpList,
    Outcome,
    ReplyCreate,
    ReplyFilter,
    ReplyList,
    ReplyRead,
    ShopPhraseCreate,
    Stats,
)

router = APIRouter(tags=["records"])


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(value: datetime | None, records: RecordsDep) -> datetime | None:
    """A time without a zone is read in the shop's time zone."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=records.zone)


@router.post("/replies", response_model=ReplyRead, status_code=status.HTTP_201_CREATED)
def record_reply(
    body: ReplyCreate,
    session: SessionDep,
    records: RecordsDep,
    response: Response,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> ReplyRead:
    """Record a sent reply; a retry with the same Idempotency-Key returns the stored one."""
    reply, created = replies_service.record_reply(
        session=session,
        keeper=records,
        reply_in=body,
        idempotency_key=idempotency_key,
        now=_now(),
    )
    if not created:
        response.status_code = status.HTTP_200_OK
        response.headers["Idempotent-Replayed"] = "true"
    return reply


def _filters(
    records: RecordsDep,
    category: Annotated[str | None, Query(max_length=40)] = None,
    draft_id: Annotated[str | None, Query(max_length=64)] = None,
    outcome: Outcome | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    q: Annotated[str | None, Query(max_length=100, description="text in the reply")] = None,
) -> ReplyFilter:
    return ReplyFilter(
        category=category,
        draft_id=draft_id,
        outcome=outcome,
        since=_aware(since, records),
        until=_aware(until, records),
        q=q,
    )


@router.get("/replies", response_model=ReplyList)
def list_replies(
    session: SessionDep,
    records: RecordsDep,
    category: Annotated[str | None, Query(max_length=40)] = None,
    draft_id: Annotated[str | None, Query(max_length=64)] = None,
    outcome: Outcome | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    q: Annotated[str | None, Query(max_length=100, description="text in the reply")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> ReplyList:
    """Recorded replies, newest first, filtered and paginated."""
    filters = _filters(records, category, draft_id, outcome, since, until, q)
    return replies_service.list_replies(
        session=session, keeper=records, filters=filters, limit=limit, offset=offset, now=_now()
    )


@router.get("/replies.csv", response_class=StreamingResponse)
def export_replies(
    services: ServicesDep,
    records: RecordsDep,
    category: Annotated[str | None, Query(max_length=40)] = None,
    outcome: Outcome | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> StreamingResponse:
    """Recorded replies as CSV (UTF-8 with BOM, opens in Excel)."""
    filters = _filters(records, category, None, outcome, since, until, None)
    stamp = datetime.now(records.zone).strftime("%Y%m%d-%H%M")
    return StreamingResponse(
        (line.encode("utf-8") for line in services.export_replies_csv(filters)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="huashu-replies-{stamp}.csv"'},
    )


@router.get("/replies/{reply_id}", response_model=ReplyRead)
def get_reply(reply_id: int, session: SessionDep, records: RecordsDep) -> ReplyRead:
    """One recorded reply with its draft, commitments and feedback."""
    return replies_service.get_reply(session=session, keeper=records, reply_id=reply_id, now=_now())


@router.post("/feedback", response_model=FeedbackRead, status_code=status.HTTP_201_CREATED)
def add_feedback(body: FeedbackCreate, session: SessionDep, records: RecordsDep) -> FeedbackRead:
    """Helpful or not (and why) for a sent reply or an offered draft."""
    return replies_service.add_feedback(
        session=session, keeper=records, feedback_in=body, now=_now()
    )


@router.get("/followups", response_model=FollowUpList)
def list_followups(
    session: SessionDep,
    records: RecordsDep,
    due: Annotated[
        datetime | None, Query(description="promises due by this time; default now")
    ] = None,
    include_done: bool = False,
) -> FollowUpList:
    """Promises made in sent replies that fall due by `due`, earliest first."""
    return replies_service.followups(
        session=session,
        keeper=records,
        due_before=_aware(due, records),
        include_done=include_done,
        now=_now(),
    )


@router.post("/followups/{followup_id}/done", response_model=CommitmentRead)
def complete_followup(followup_id: int, session: SessionDep, records: RecordsDep) -> CommitmentRead:
    """Mark a follow-up done."""
    return replies_service.complete_followup(
        session=session, keeper=records, commitment_id=followup_id, now=_now()
    )


@router.post("/phrases", response_model=Phrase, status_code=status.HTTP_201_CREATED)
def save_shop_phrase(body: ShopPhraseCreate, session: SessionDep, records: RecordsDep) -> Phrase:
    """Save a sent reply (or part of it) as the shop's own phrase; it must pass the guard."""
    return replies_service.save_shop_phrase(
        session=session, keeper=records, phrase_in=body, now=_now()
    )


@router.get("/stats", response_model=Stats)
def shop_statistics(
    session: SessionDep, records: RecordsDep, days: Annotated[int, Query(ge=1, le=366)] = 30
) -> Stats:
    """Categories and emotions per day, draft use, pitfalls caught, follow-ups, prevention."""
    return replies_service.shop_statistics(session=session, keeper=records, days=days, now=_now())
