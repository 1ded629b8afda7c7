"""The recorder the draft routes call: one customer message per request, however many answers."""

import asyncio
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select
from starlette.requests import Request

from app.deps import get_offer_recorder
from app.drafting.schemas import DraftRequest
from app.services import Services, StorageUnavailable, open_storage
from app.settings import Settings
from app.storage.models import Offer, OfferedDraft


def request_for(services: Services) -> Request:
    app = SimpleNamespace(state=SimpleNamespace(services=services))
    return Request({"type": "http", "app": app, "headers": []})


def counts(services: Services) -> tuple[int, int]:
    assert services.database is not None
    with services.database.transaction() as session:
        offers = session.scalar(select(func.count()).select_from(Offer)) or 0
        drafts = session.scalar(select(func.count()).select_from(OfferedDraft)) or 0
    return offers, drafts


def test_template_then_llm_drafts_of_one_stream_are_one_message(stored_services: Services) -> None:
    body = DraftRequest(text="快递三天了还没到，物流也不更新")
    template = stored_services.template_drafts(body, [])
    llm_drafts = [
        d.model_copy(update={"id": d.id + "_llm", "source": "llm"}) for d in template.drafts[:1]
    ]
    llm = template.model_copy(update={"drafts": llm_drafts})

    async def one_stream() -> None:
        record_offer = await get_offer_recorder(request_for(stored_services))
        await record_offer(body, template)
        await record_offer(body, llm)
        await record_offer(body, llm)  # a repeated event adds nothing

    asyncio.run(one_stream())
    assert counts(stored_services) == (1, len(template.drafts) + 1)

    async def another_request() -> None:
        record_offer = await get_offer_recorder(request_for(stored_services))
        await record_offer(body, template)

    asyncio.run(another_request())
    assert counts(stored_services) == (2, 2 * len(template.drafts) + 1)


def test_an_unreachable_database_stops_start_up_with_a_clear_message() -> None:
    settings = Settings(database_url="postgresql://postgres@127.0.0.1:1/huashu")
    with pytest.raises(StorageUnavailable, match="HUASHU_DATABASE_URL"):
        open_storage(settings)
