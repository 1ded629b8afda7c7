"""Storage on SQLite and on PostgreSQL: migrations, replies, idempotency, feedback, follow-ups."""

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, inspect, select

from app.drafting.schemas import DraftRequest, DraftsResponse
from app.errors import HuashuError
from app.replies import service as replies_service
from app.replies.schemas import FeedbackCreate, ReplyCreate, ReplyFilter, ShopPhraseCreate
from app.services import Services
from app.storage.db import Database, alembic_config, driver_url, migrate, open_database
from app.storage.models import Base, Commitment, Feedback, Offer, Reply

COMPLAINT = "衣服有个破洞，质量太差了，我要退货"
# Today at 12:00 in Shanghai: recent enough for the learning window whenever the tests run.
NOW = datetime.now(UTC).replace(hour=4, minute=0, second=0, microsecond=0)


def offer_drafts(services: Services, text: str = COMPLAINT) -> DraftsResponse:
    """Drafts for a message, recorded as offered the way the drafts route records them."""
    request = DraftRequest(text=text)
    response = services.template_drafts(request, [])
    services.record_offer(request, response)
    return response


def count(database: Database, model: type[Base]) -> int:
    with database.transaction() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def record(services: Services, reply_in: ReplyCreate, key: str | None = None) -> tuple[int, bool]:
    assert services.database is not None
    with services.database.transaction() as session:
        reply, created = replies_service.record_reply(
            session=session,
            keeper=services.records,
            reply_in=reply_in,
            idempotency_key=key,
            now=NOW,
        )
    return reply.id, created


def test_postgresql_urls_use_the_psycopg_3_driver() -> None:
    assert driver_url("postgresql://u@h:5432/db").startswith("postgresql+psycopg://")
    assert driver_url("sqlite:///./huashu.db") == "sqlite:///./huashu.db"


def test_migrations_create_every_table_and_run_twice_harmlessly(database: Database) -> None:
    migrate(database)
    tables = set(inspect(database.engine).get_table_names())
    assert {table.name for table in Base.metadata.sorted_tables} <= tables
    assert "alembic_version" in tables


def test_sqlite_runs_in_wal_mode(tmp_path: Path) -> None:
    sqlite = open_database(f"sqlite:///{tmp_path / 'wal.db'}")
    migrate(sqlite)
    with sqlite.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    sqlite.dispose()


def test_a_sent_reply_keeps_its_draft_edit_distance_and_promise(stored_services: Services) -> None:
    draft = offer_drafts(stored_services).drafts[0]
    sent = draft.text + "我们24小时内给您回复。"
    reply_id, created = record(stored_services, ReplyCreate(text=sent, draft_id=draft.id))
    assert created
    assert stored_services.database is not None
    with stored_services.database.transaction() as session:
        read = replies_service.get_reply(
            session=session, keeper=stored_services.records, reply_id=reply_id, now=NOW
        )
    assert read.draft_text == draft.text
    assert read.customer_text == COMPLAINT
    assert read.category == "quality"
    assert read.edit_distance == len("我们24小时内给您回复。")
    assert read.outcome == "edited"
    assert read.created_at == NOW
    assert read.created_at.tzinfo is not None
    assert read.phrase_ids == [s.phrase_id for s in draft.stages if s.phrase_id]
    assert [c.due_at for c in read.commitments] == [NOW + timedelta(hours=24)]


def test_a_draft_sent_unedited_has_distance_zero(stored_services: Services) -> None:
    draft = offer_drafts(stored_services).drafts[0]
    reply_id, _ = record(stored_services, ReplyCreate(text=draft.text, draft_id=draft.id))
    assert stored_services.database is not None
    with stored_services.database.transaction() as session:
        listed = replies_service.list_replies(
            session=session,
            keeper=stored_services.records,
            filters=ReplyFilter(outcome="unedited"),
            limit=10,
            offset=0,
            now=NOW,
        )
    assert [item.id for item in listed.items] == [reply_id]
    assert listed.items[0].edit_distance == 0


def test_concurrent_retries_with_one_idempotency_key_store_one_row(
    stored_services: Services,
) -> None:
    draft = offer_drafts(stored_services).drafts[0]
    reply_in = ReplyCreate(text=draft.text + "我们24小时内给您答复。", draft_id=draft.id)
    start = threading.Barrier(8)
    results: list[tuple[int, bool]] = []
    errors: list[BaseException] = []

    def post() -> None:
        start.wait()
        try:
            results.append(record(stored_services, reply_in, key="retry-same-key"))
        except BaseException as exc:  # collected and reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=post) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert len(results) == 8
    assert len({reply_id for reply_id, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    assert stored_services.database is not None
    assert count(stored_services.database, Reply) == 1
    # The reply promises "24小时内给您答复": one follow-up, not one per retry.
    assert count(stored_services.database, Commitment) == 1


def test_an_idempotency_key_reused_for_another_text_is_refused(stored_services: Services) -> None:
    draft = offer_drafts(stored_services).drafts[0]
    record(stored_services, ReplyCreate(text=draft.text, draft_id=draft.id), key="k1")
    with pytest.raises(HuashuError) as refused:
        record(stored_services, ReplyCreate(text="另一条回复", draft_id=draft.id), key="k1")
    assert refused.value.status == 409
    assert stored_services.database is not None
    assert count(stored_services.database, Reply) == 1


def test_an_unknown_draft_id_is_refused_and_nothing_is_stored(stored_services: Services) -> None:
    with pytest.raises(HuashuError) as refused:
        record(stored_services, ReplyCreate(text="您好，24小时内给您回复。", draft_id="d_unknown"))
    assert refused.value.code == "draft_not_found"
    assert refused.value.status == 404
    assert stored_services.database is not None
    assert count(stored_services.database, Reply) == 0
    assert count(stored_services.database, Commitment) == 0


def test_feedback_for_a_missing_reply_is_refused_and_nothing_is_stored(
    stored_services: Services,
) -> None:
    assert stored_services.database is not None
    with pytest.raises(HuashuError) as refused, stored_services.database.transaction() as session:
        replies_service.add_feedback(
            session=session,
            keeper=stored_services.records,
            feedback_in=FeedbackCreate(reply_id=424242, helpful=False, reason="太长"),
            now=NOW,
        )
    assert refused.value.code == "reply_not_found"
    assert count(stored_services.database, Feedback) == 0


def test_followups_fall_due_in_order_and_can_be_marked_done(stored_services: Services) -> None:
    record(stored_services, ReplyCreate(text="明天给您回复处理结果。", customer_text=COMPLAINT))
    record(stored_services, ReplyCreate(text="我们2小时内给您答复。", customer_text=COMPLAINT))
    assert stored_services.database is not None
    with stored_services.database.transaction() as session:
        keeper = stored_services.records
        soon = replies_service.followups(
            session=session,
            keeper=keeper,
            due_before=NOW + timedelta(hours=3),
            include_done=False,
            now=NOW,
        )
        assert [item.promise.text for item in soon.items] == ["2小时内"]
        later = replies_service.followups(
            session=session,
            keeper=keeper,
            due_before=NOW + timedelta(days=2),
            include_done=False,
            now=NOW + timedelta(days=2),
        )
        assert [item.promise.text for item in later.items] == ["2小时内", "明天"]
        assert all(item.overdue for item in later.items)
        done = replies_service.complete_followup(
            session=session, keeper=keeper, commitment_id=later.items[0].id, now=NOW
        )
        assert done.done_at == NOW
        left = replies_service.followups(
            session=session,
            keeper=keeper,
            due_before=NOW + timedelta(days=2),
            include_done=False,
            now=NOW,
        )
    assert [item.promise.text for item in left.items] == ["明天"]
    # 明天 said at 12:00 in Shanghai falls due at 18:00 Shanghai the next day.
    assert left.items[0].due_at == NOW + timedelta(hours=30)


def test_rewritten_and_unhelpful_phrases_are_penalised(stored_services: Services) -> None:
    draft = offer_drafts(stored_services).drafts[0]
    phrase_ids = [stage.phrase_id for stage in draft.stages if stage.phrase_id]
    kept_stage = draft.stages[0]
    rewritten = kept_stage.text + "您好，这边马上给您换新的，运费我们出，您看可以吗？"
    for _ in range(2):
        record(stored_services, ReplyCreate(text=rewritten, draft_id=draft.id))
    stored_services.refresh_learning()
    penalties = stored_services.learning.current.penalties
    assert kept_stage.phrase_id not in penalties  # its words were sent as offered
    assert set(phrase_ids[1:]) <= set(penalties)

    other = offer_drafts(stored_services, "快递三天了还没到，物流也不更新，急用！").drafts[0]
    assert stored_services.database is not None
    for _ in range(2):
        with stored_services.database.transaction() as session:
            replies_service.add_feedback(
                session=session,
                keeper=stored_services.records,
                feedback_in=FeedbackCreate(draft_id=other.id, helpful=False, reason="太啰嗦"),
                now=NOW,
            )
    penalties = stored_services.learning.current.penalties
    assert {s.phrase_id for s in other.stages if s.phrase_id} <= set(penalties)


def test_a_saved_shop_phrase_competes_in_the_next_drafts(stored_services: Services) -> None:
    draft = offer_drafts(stored_services).drafts[0]
    reply_id, _ = record(stored_services, ReplyCreate(text=draft.text, draft_id=draft.id))
    shop_text = "给您添麻烦了，这件我们马上为您换一件新的，来回运费都由我们承担。"
    assert stored_services.database is not None
    with stored_services.database.transaction() as session:
        phrase = replies_service.save_shop_phrase(
            session=session,
            keeper=stored_services.records,
            phrase_in=ShopPhraseCreate(text=shop_text, stage="solution", reply_id=reply_id),
            now=NOW,
        )
    assert phrase.origin == "shop"
    assert phrase.when.categories == ["quality"]
    assert stored_services.phrasebook.by_id[phrase.id].text == shop_text
    offered = [
        stage.phrase_id
        for text in (COMPLAINT, "刚收到就坏了，质量问题，给我换一个", "鞋子开胶了，质量太差")
        for d in stored_services.template_drafts(DraftRequest(text=text), []).drafts
        for stage in d.stages
    ]
    assert phrase.id in offered


def test_a_shop_phrase_with_a_pitfall_is_refused(stored_services: Services) -> None:
    assert stored_services.database is not None
    with pytest.raises(HuashuError) as refused, stored_services.database.transaction() as session:
        replies_service.save_shop_phrase(
            session=session,
            keeper=stored_services.records,
            phrase_in=ShopPhraseCreate(text="这个不退，是你自己弄坏的。", stage="solution"),
            now=NOW,
        )
    assert refused.value.code == "phrase_has_pitfalls"
    assert "直接拒绝" in refused.value.message


def test_stats_count_unedited_edited_and_discarded_drafts(stored_services: Services) -> None:
    first = offer_drafts(stored_services).drafts[0]
    second = offer_drafts(stored_services, "快递三天了还没到，物流也不更新").drafts[0]
    offer_drafts(stored_services, "尺码小了一码，能换大一码吗")
    record(stored_services, ReplyCreate(text=first.text, draft_id=first.id))
    record(stored_services, ReplyCreate(text=second.text + "好的。", draft_id=second.id))
    assert stored_services.database is not None
    with stored_services.database.transaction() as session:
        stats = replies_service.shop_statistics(
            session=session, keeper=stored_services.records, days=7, now=datetime.now(UTC)
        )
        offers = session.scalar(select(func.count()).select_from(Offer))
    assert offers == 3
    assert stats.messages == 3
    assert stats.outcomes == {"unedited": 1, "edited": 1, "discarded": 1, "written": 0}
    assert stats.categories["quality"] == 1
    assert sum(day.counts.get("quality", 0) for day in stats.categories_by_day) == 1
    assert stats.prevention[0].prevention


def test_migrations_downgrade_to_nothing_and_upgrade_again(database: Database) -> None:
    config = alembic_config(database)
    command.downgrade(config, "base")
    assert set(inspect(database.engine).get_table_names()) <= {"alembic_version"}
    command.upgrade(config, "head")
    tables = set(inspect(database.engine).get_table_names())
    assert {table.name for table in Base.metadata.sorted_tables} <= tables


def test_the_models_match_the_migrations(database: Database) -> None:
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection)
        differences = compare_metadata(context, Base.metadata)
    assert differences == []
