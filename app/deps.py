"""Annotated dependencies: what routers receive, built once at start-up and swappable in tests.

They are `async` so FastAPI resolves them on the event loop, not in a worker thread.
"""

from collections.abc import Awaitable, Callable, Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app.drafting.schemas import DraftRequest, DraftsResponse
from app.errors import HuashuError
from app.replies.service import RecordKeeper
from app.services import Services


async def get_services(request: Request) -> Services:
    """Every long-lived object, built at start-up."""
    services: Services = request.app.state.services
    return services


def get_session(request: Request) -> Iterator[Session]:
    """A database session whose transaction commits when the route returns without error.

    Used with `scope="function"`: the commit happens before the response is sent, so a client
    that got a 201 can rely on the row being stored.
    """
    services: Services = request.app.state.services
    if services.database is None:
        raise RuntimeError("the app was started without a database")
    try:
        with services.database.transaction() as session:
            yield session
    except OperationalError as exc:
        # The database is down or locked: nothing was stored, and the client may retry.
        raise HuashuError(
            "storage_unavailable",
            "记录服务暂时不可用（数据库无法连接），本次没有保存，请稍后重试。",
            "The database is unavailable; nothing was stored. Retry later.",
            503,
        ) from exc


async def get_records(request: Request) -> RecordKeeper:
    """The shop, limits, guard and rules that recording replies needs."""
    services: Services = request.app.state.services
    return services.records


OfferRecorder = Callable[[DraftRequest, DraftsResponse], Awaitable[None]]


async def get_offer_recorder(request: Request) -> OfferRecorder:
    """`await record_offer(body, response)`: keep the drafts offered, once per `drafts` answer.

    One recorder per request: a stream that sends template drafts and then LLM drafts records
    them all under one customer message.
    """
    services: Services = request.app.state.services
    offer_id: int | None = None

    async def record_offer(draft_request: DraftRequest, response: DraftsResponse) -> None:
        nonlocal offer_id
        recorded = await run_in_threadpool(services.record_offer, draft_request, response, offer_id)
        offer_id = recorded if recorded is not None else offer_id

    return record_offer


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
RecordsDep = Annotated[RecordKeeper, Depends(get_records)]
OfferRecorderDep = Annotated[OfferRecorder, Depends(get_offer_recorder)]
ServicesDep = Annotated[Services, Depends(get_services)]
