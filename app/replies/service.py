"""Recording what agents do: offered drafts, sent replies, feedback, follow-ups, shop phrases."""

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from app.analysis import input as message_input
from app.analysis.normalize import ScriptConverter
from app.analysis.schemas import EvidenceSpan
from app.drafting.phrasebook import check_phrase
from app.drafting.schemas import Conditions, DraftRequest, DraftsResponse, Phrase, Source
from app.errors import HuashuError, InvalidInput
from app.guard.schemas import PITFALL_CODES, CheckResult
from app.replies.commitments import CommitmentRules, find_promises
from app.replies.editdistance import levenshtein
from app.replies.learning import LearningRules, PhraseUse, ShopLearning, phrase_penalties
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
from app.stats.advice import Advice
from app.stats.service import build_stats
from app.storage import repository
from app.storage.models import Commitment, Feedback, Offer, OfferedDraft, Reply, ShopPhrase
from app.storage.repository import ReplyQuery

MAX_IDEMPOTENCY_KEY = 200
MAX_PHRASE_CHARS = 500
MIN_PHRASE_CHARS = 4


class NotFound(HuashuError):
    """A reply, draft or follow-up that the request names does not exist."""

    def __init__(self, code: str, message: str, message_en: str) -> None:
        super().__init__(code, message, message_en, 404)


class Conflict(HuashuError):
    """The request contradicts what is already stored."""

    def __init__(self, code: str, message: str, message_en: str) -> None:
        super().__init__(code, message, message_en, 409)


@dataclass(frozen=True)
class RecordKeeper:
    """What recording needs besides a session: the shop, limits, guard, rules and learning."""

    shop: str
    max_chars: int
    zone: ZoneInfo
    converter: ScriptConverter
    check: Callable[[str, str | None], CheckResult]
    commitment_rules: CommitmentRules
    learning_rules: LearningRules
    learning: ShopLearning
    advice: Advice
    category_labels: dict[str, str]
    emotion_labels: dict[str, str]


def _offered(response: DraftsResponse, now: datetime, skip: set[str]) -> list[OfferedDraft]:
    return [
        OfferedDraft(
            draft_id=draft.id,
            style=draft.style,
            source=draft.source,
            script=draft.script,
            text=draft.text,
            stages=[stage.model_dump() for stage in draft.stages],
            finding_codes=[finding.code for finding in draft.findings],
            created_at=now,
        )
        for draft in response.drafts
        if draft.id not in skip
    ]


def record_offer(
    *,
    session: Session,
    keeper: RecordKeeper,
    request: DraftRequest,
    response: DraftsResponse,
    now: datetime,
    offer_id: int | None = None,
) -> int:
    """Store the customer message, its analysis and every draft offered for it.

    With `offer_id` (a later `drafts` event of the same stream) the drafts join that offer,
    so one message stays one message in the statistics.
    """
    if offer_id is not None:
        earlier = repository.get_offer(session, offer_id)
        if earlier is not None:
            known = {draft.draft_id for draft in earlier.drafts}
            earlier.drafts.extend(_offered(response, now, known))
            session.flush()
            return earlier.id
    analysis = response.analysis
    offer = Offer(
        shop=keeper.shop,
        customer_text=request.text,
        customer_name=request.customer_name,
        context=[message.model_dump() for message in request.context or []],
        analysis=analysis.model_dump(mode="json"),
        category=analysis.category.code,
        emotion=analysis.emotion.code,
        intensity=analysis.emotion.intensity,
        escalation=analysis.escalation,
        created_at=now,
    )
    offer.drafts = _offered(response, now, set())
    return repository.add_offer(session, offer).id


def _check_codes(codes: list[str]) -> list[str]:
    unknown = sorted(set(codes) - set(PITFALL_CODES))
    if unknown:
        raise InvalidInput(
            "invalid_field",
            f"字段 caught 含有未知的误区代码：{'、'.join(unknown)}。",
            f"The field caught has unknown pitfall codes: {', '.join(unknown)}.",
        )
    return sorted(set(codes))


def _check_idempotency_key(key: str | None) -> str | None:
    if key is None:
        return None
    if not key.strip() or len(key) > MAX_IDEMPOTENCY_KEY or not key.isprintable():
        raise InvalidInput(
            "invalid_idempotency_key",
            f"Idempotency-Key 必须是 1–{MAX_IDEMPOTENCY_KEY} 个可见字符。",
            f"The Idempotency-Key must be 1–{MAX_IDEMPOTENCY_KEY} printable characters.",
        )
    return key


def _outcome(reply: Reply) -> Outcome:
    if reply.draft_id is None:
        return "written"
    return "unedited" if reply.edit_distance == 0 else "edited"


def _commitment_read(commitment: Commitment, now: datetime, *, with_texts: bool) -> CommitmentRead:
    return CommitmentRead(
        id=commitment.id,
        reply_id=commitment.reply_id,
        promise=EvidenceSpan(
            start=commitment.span_start, end=commitment.span_end, text=commitment.promise
        ),
        due_at=commitment.due_at,
        done_at=commitment.done_at,
        overdue=commitment.done_at is None and commitment.due_at < now,
        customer_text=commitment.reply.customer_text if with_texts else None,
        sent_text=commitment.reply.sent_text if with_texts else None,
    )


def _feedback_read(feedback: Feedback) -> FeedbackRead:
    return FeedbackRead(
        id=feedback.id,
        reply_id=feedback.reply_id,
        draft_id=feedback.draft_id,
        helpful=feedback.helpful,
        reason=feedback.reason,
        created_at=feedback.created_at,
    )


def reply_read(reply: Reply, now: datetime) -> ReplyRead:
    """The API view of a stored reply."""
    draft = reply.offered_draft
    return ReplyRead(
        id=reply.id,
        text=reply.sent_text,
        draft_id=reply.draft_id,
        draft_text=draft.text if draft else None,
        draft_style=draft.style if draft else None,
        draft_source=draft.source if draft else None,
        phrase_ids=[s["phrase_id"] for s in draft.stages if s.get("phrase_id")] if draft else [],
        customer_text=reply.customer_text,
        category=reply.category,
        emotion=reply.emotion,
        edit_distance=reply.edit_distance,
        edit_ratio=reply.edit_ratio,
        outcome=_outcome(reply),
        findings=list(reply.finding_codes),
        caught=list(reply.caught_codes),
        agent=reply.agent,
        created_at=reply.created_at,
        commitments=[_commitment_read(c, now, with_texts=False) for c in reply.commitments],
        feedback=[_feedback_read(f) for f in reply.feedback],
    )


def _same_request(reply: Reply, reply_in: ReplyCreate) -> bool:
    return reply.sent_text == reply_in.text and reply.draft_id == reply_in.draft_id


def record_reply(
    *,
    session: Session,
    keeper: RecordKeeper,
    reply_in: ReplyCreate,
    idempotency_key: str | None,
    now: datetime,
) -> tuple[ReplyRead, bool]:
    """Store a sent reply; `(reply, False)` when this Idempotency-Key already stored it."""
    text = message_input.check_text(reply_in.text, max_chars=keeper.max_chars)
    caught = _check_codes(reply_in.caught)
    key = _check_idempotency_key(idempotency_key)
    if key is not None:
        earlier = repository.reply_by_idempotency_key(session, key)
        if earlier is not None:
            return _replayed(earlier, reply_in, now), False
    draft = None
    if reply_in.draft_id is not None:
        draft = repository.latest_offered_draft(session, reply_in.draft_id)
        if draft is None:
            raise NotFound(
                "draft_not_found",
                f"找不到草稿 {reply_in.draft_id}，请重新生成回复后再标记已发送。",
                f"No draft {reply_in.draft_id} was offered; generate drafts again, then record.",
            )
    customer_text = draft.offer.customer_text if draft else None
    if customer_text is None and reply_in.customer_text and reply_in.customer_text.strip():
        customer_text = message_input.check_text(
            reply_in.customer_text, max_chars=keeper.max_chars, field="customer_text"
        )
    findings = keeper.check(text, customer_text).findings
    distance = levenshtein(draft.text, text) if draft else None
    longest = max(len(draft.text), len(text)) if draft else 0
    promises = find_promises(
        text, rules=keeper.commitment_rules, converter=keeper.converter, now=now, zone=keeper.zone
    )
    reply = Reply(
        idempotency_key=key,
        shop=keeper.shop,
        offer_id=draft.offer_id if draft else None,
        offered_draft_id=draft.id if draft else None,
        draft_id=reply_in.draft_id,
        customer_text=customer_text,
        category=draft.offer.category if draft else None,
        emotion=draft.offer.emotion if draft else None,
        sent_text=text,
        edit_distance=distance,
        edit_ratio=(distance / longest if longest else 0.0) if distance is not None else None,
        finding_codes=sorted({finding.code for finding in findings}),
        caught_codes=caught,
        agent=reply_in.agent,
        created_at=now,
        offered_draft=draft,
        commitments=[
            Commitment(
                shop=keeper.shop,
                promise=promise.span.text,
                span_start=promise.span.start,
                span_end=promise.span.end,
                due_at=promise.due_at,
                created_at=now,
            )
            for promise in promises
        ],
        feedback=[],
    )
    if not repository.insert_reply(session, reply):
        # Another request with this key won the race; answer with what it stored.
        assert key is not None
        winner = repository.reply_by_idempotency_key(session, key)
        if winner is None:
            raise Conflict(
                "idempotency_conflict",
                "同一个 Idempotency-Key 的请求正在处理，请稍后重试。",
                "A request with this Idempotency-Key is in progress; retry shortly.",
            )
        return _replayed(winner, reply_in, now), False
    return reply_read(reply, now), True


def _replayed(earlier: Reply, reply_in: ReplyCreate, now: datetime) -> ReplyRead:
    if not _same_request(earlier, reply_in):
        raise Conflict(
            "idempotency_key_reused",
            "这个 Idempotency-Key 已用于另一条不同的回复，请为新回复使用新的 Key。",
            "This Idempotency-Key was used for a different reply; use a new key.",
        )
    return reply_read(earlier, now)


def get_reply(*, session: Session, keeper: RecordKeeper, reply_id: int, now: datetime) -> ReplyRead:
    """One recorded reply."""
    reply = repository.get_reply(session, reply_id, keeper.shop)
    if reply is None:
        raise _reply_not_found(reply_id)
    return reply_read(reply, now)


def _reply_not_found(reply_id: int) -> NotFound:
    return NotFound(
        "reply_not_found",
        f"找不到编号为 {reply_id} 的已发送回复。",
        f"No recorded reply with id {reply_id}.",
    )


def _query(keeper: RecordKeeper, filters: ReplyFilter) -> ReplyQuery:
    return ReplyQuery(
        shop=keeper.shop,
        category=filters.category,
        draft_id=filters.draft_id,
        outcome=filters.outcome,
        since=filters.since,
        until=filters.until,
        text=filters.q,
    )


def list_replies(
    *,
    session: Session,
    keeper: RecordKeeper,
    filters: ReplyFilter,
    limit: int,
    offset: int,
    now: datetime,
) -> ReplyList:
    """One page of recorded replies, newest first."""
    rows, total = repository.list_replies(
        session, _query(keeper, filters), limit=limit, offset=offset
    )
    return ReplyList(
        items=[reply_read(row, now) for row in rows], total=total, limit=limit, offset=offset
    )


CSV_HEADER = (
    "编号 id", "发送时间 sent_at (UTC)", "客户消息 customer_text", "类别 category",
    "情绪 emotion", "草稿 draft_id", "草稿风格 style", "草稿来源 source", "草稿原文 draft_text",
    "实际发送 sent_text", "编辑距离 edit_distance", "编辑比例 edit_ratio", "结果 outcome",
    "仍有误区 findings", "编辑中拦截 caught", "承诺 commitments", "反馈 feedback", "客服 agent",
)  # fmt: skip


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    # A cell starting with = + - @ would run as a formula in Excel (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def export_csv(*, session: Session, keeper: RecordKeeper, filters: ReplyFilter) -> Iterator[str]:
    """The replies as CSV lines, UTF-8 with a BOM so Excel opens the Chinese correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(values: tuple[object, ...] | list[object]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([_cell(value) for value in values])
        return buffer.getvalue()

    yield "\ufeff" + line(CSV_HEADER)
    now = datetime.now(keeper.zone)
    for reply in repository.iter_replies(session, _query(keeper, filters)):
        read = reply_read(reply, now)
        yield line(
            [
                read.id, read.created_at.isoformat(), read.customer_text,
                keeper.category_labels.get(read.category or "", read.category),
                keeper.emotion_labels.get(read.emotion or "", read.emotion),
                read.draft_id, read.draft_style, read.draft_source, read.draft_text, read.text,
                read.edit_distance,
                None if read.edit_ratio is None else f"{read.edit_ratio:.3f}",
                read.outcome, " ".join(read.findings), " ".join(read.caught),
                "；".join(f"{c.promise.text}→{c.due_at.isoformat()}" for c in read.commitments),
                "；".join(("有帮助" if f.helpful else "没帮助") + (f": {f.reason}" if f.reason else "") for f in read.feedback),
                read.agent,
            ]
        )  # fmt: skip


def add_feedback(
    *, session: Session, keeper: RecordKeeper, feedback_in: FeedbackCreate, now: datetime
) -> FeedbackRead:
    """Store helpful / not helpful for a sent reply or an offered draft."""
    if feedback_in.reply_id is None and feedback_in.draft_id is None:
        raise InvalidInput(
            "feedback_target_missing",
            "请指明反馈针对哪条回复（reply_id）或哪份草稿（draft_id）。",
            "Name the reply (reply_id) or the draft (draft_id) the feedback is about.",
        )
    reply = None
    draft = None
    if feedback_in.reply_id is not None:
        reply = repository.get_reply(session, feedback_in.reply_id, keeper.shop)
        if reply is None:
            raise _reply_not_found(feedback_in.reply_id)
        draft = reply.offered_draft
    if feedback_in.draft_id is not None:
        draft = repository.latest_offered_draft(session, feedback_in.draft_id)
        if draft is None:
            raise NotFound(
                "draft_not_found",
                f"找不到草稿 {feedback_in.draft_id}。",
                f"No draft {feedback_in.draft_id} was offered.",
            )
    reason = feedback_in.reason.strip() if feedback_in.reason else None
    feedback = repository.add_feedback(
        session,
        Feedback(
            reply_id=reply.id if reply else None,
            offered_draft_id=draft.id if draft else None,
            draft_id=draft.draft_id if draft else None,
            shop=keeper.shop,
            helpful=feedback_in.helpful,
            reason=reason or None,
            created_at=now,
        ),
    )
    if not feedback_in.helpful:
        refresh_learning(session=session, keeper=keeper)
    return _feedback_read(feedback)


def followups(
    *,
    session: Session,
    keeper: RecordKeeper,
    due_before: datetime | None,
    include_done: bool,
    now: datetime,
) -> FollowUpList:
    """Promises falling due before `due_before` (default: now), earliest first."""
    until = due_before or now
    rows = repository.commitments_due(session, keeper.shop, until, include_done=include_done)
    return FollowUpList(
        due_before=until, items=[_commitment_read(c, now, with_texts=True) for c in rows]
    )


def complete_followup(
    *, session: Session, keeper: RecordKeeper, commitment_id: int, now: datetime
) -> CommitmentRead:
    """Mark a follow-up done (the promise was kept)."""
    commitment = repository.get_commitment(session, commitment_id, keeper.shop)
    if commitment is None:
        raise NotFound(
            "followup_not_found",
            f"找不到编号为 {commitment_id} 的跟进事项。",
            f"No follow-up with id {commitment_id}.",
        )
    if commitment.done_at is None:
        commitment.done_at = now
        session.flush()
    return _commitment_read(commitment, now, with_texts=True)


def _shop_phrase(row: ShopPhrase) -> Phrase:
    return Phrase(
        id=f"shop.{row.stage}.{row.id}",
        stage=row.stage,  # type: ignore[arg-type]  # validated when saved
        style=row.style,  # type: ignore[arg-type]
        text=row.text,
        when=Conditions(categories=row.categories),
        source=Source(
            doc="shop",
            quote=row.text,
            note=f"saved by an agent from reply {row.reply_id}" if row.reply_id else "saved",
        ),
        origin="shop",
    )


def save_shop_phrase(
    *, session: Session, keeper: RecordKeeper, phrase_in: ShopPhraseCreate, now: datetime
) -> Phrase:
    """Save a sent reply (or part of it) as the shop's phrase; it must pass the guard."""
    text = message_input.check_text(phrase_in.text, max_chars=MAX_PHRASE_CHARS).strip()
    if len(text) < MIN_PHRASE_CHARS:
        raise InvalidInput(
            "phrase_too_short",
            f"话术至少需要 {MIN_PHRASE_CHARS} 个字。",
            f"A phrase needs at least {MIN_PHRASE_CHARS} characters.",
        )
    reply = None
    if phrase_in.reply_id is not None:
        reply = repository.get_reply(session, phrase_in.reply_id, keeper.shop)
        if reply is None:
            raise _reply_not_found(phrase_in.reply_id)
    categories = phrase_in.categories
    if categories is None and reply is not None and reply.category not in (None, "other"):
        categories = [str(reply.category)]
    candidate = Phrase(
        id="shop.new.0",
        stage=phrase_in.stage,
        style=phrase_in.style,
        text=text,
        when=Conditions(categories=categories),
        source=Source(doc="shop", quote="saved phrase"),
        origin="shop",
    )
    problems = check_phrase(candidate)
    if problems:
        raise InvalidInput(
            "phrase_invalid",
            f"话术不能保存：{'；'.join(problems)}（花括号只能用于 {{customer}} 等变量）。",
            f"The phrase cannot be saved: {'; '.join(problems)}.",
        )
    findings = keeper.check(text, reply.customer_text if reply else None).findings
    if findings:
        labels = "、".join(dict.fromkeys(f"{f.label}（{f.span.text}）" for f in findings))
        raise InvalidInput(
            "phrase_has_pitfalls",
            f"这段话术触发了售后误区：{labels}，请修改后再保存。",
            f"The phrase has pitfalls: {', '.join(f.code for f in findings)}; revise it first.",
        )
    row = repository.add_shop_phrase(
        session,
        ShopPhrase(
            shop=keeper.shop,
            stage=phrase_in.stage,
            style=phrase_in.style,
            text=text,
            categories=categories,
            reply_id=reply.id if reply else None,
            created_at=now,
        ),
    )
    refresh_learning(session=session, keeper=keeper)
    return _shop_phrase(row)


def _stage_uses(stages: list[dict[str, object]]) -> list[str]:
    return [str(s["phrase_id"]) for s in stages if s.get("phrase_id")]


def refresh_learning(*, session: Session, keeper: RecordKeeper) -> None:
    """Reload the shop's phrases and the rank penalties learned from edits and feedback."""
    rules = keeper.learning_rules
    since = datetime.now(UTC) - timedelta(days=rules.window_days)
    uses: list[PhraseUse] = []
    for sent_text, ratio, stages in repository.sent_drafts(
        session, keeper.shop, since=since, limit=rules.max_replies
    ):
        heavy = ratio >= rules.heavy_edit_ratio
        for stage in stages:
            phrase_id = stage.get("phrase_id")
            if phrase_id:
                rewritten = heavy and str(stage.get("text", "")) not in sent_text
                uses.append(PhraseUse(phrase_id=str(phrase_id), rewritten=rewritten))
    for stages in repository.unhelpful_drafts(
        session, keeper.shop, since=since, limit=rules.max_replies
    ):
        uses.extend(PhraseUse(phrase_id=p, unhelpful=True) for p in _stage_uses(stages))
    phrases = [_shop_phrase(row) for row in repository.shop_phrases(session, keeper.shop)]
    keeper.learning.replace(phrases, phrase_penalties(uses, rules))


def shop_statistics(*, session: Session, keeper: RecordKeeper, days: int, now: datetime) -> Stats:
    """The shop's record over the last `days` days."""
    since = now - timedelta(days=days)
    offers = repository.offers_since(session, keeper.shop, since)
    replies = repository.replies_since(session, keeper.shop, since)
    open_count, overdue = repository.count_open_commitments(session, keeper.shop, now)
    return build_stats(
        offers=[(o.id, o.category, o.emotion, o.created_at) for o in offers],
        replies=[
            (r.offer_id, r.edit_distance, [*r.caught_codes, *r.finding_codes], r.created_at)
            for r in replies
        ],
        followups_open=open_count,
        followups_overdue=overdue,
        advice=keeper.advice,
        category_labels=keeper.category_labels,
        days=days,
        since=since,
        zone=keeper.zone,
    )
