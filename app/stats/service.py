"""`build_stats`: counts per day, how drafts were used, pitfalls caught, and 004's prevention."""

from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from app.replies.schemas import CountByDay, PreventionAdvice, Stats
from app.stats.advice import Advice

TOP_CATEGORIES_WITH_ADVICE = 3

OfferRow = tuple[int, str, str, datetime]  # id, category, emotion, created_at
ReplyRow = tuple[int | None, int | None, list[str], datetime]  # offer, edit distance, pitfalls, at


def _days(since: datetime, days: int, zone: ZoneInfo) -> list[str]:
    first = since.astimezone(zone).date()
    return [(first + timedelta(days=n)).isoformat() for n in range(days + 1)]


def _by_day(rows: list[tuple[str, datetime]], days: list[str], zone: ZoneInfo) -> list[CountByDay]:
    per_day: dict[str, Counter[str]] = {day: Counter() for day in days}
    for code, at in rows:
        day = at.astimezone(zone).date().isoformat()
        per_day.setdefault(day, Counter())[code] += 1
    return [CountByDay(day=day, counts=dict(per_day[day])) for day in sorted(per_day)]


def build_stats(
    *,
    offers: list[OfferRow],
    replies: list[ReplyRow],
    followups_open: int,
    followups_overdue: int,
    advice: Advice,
    category_labels: dict[str, str],
    days: int,
    since: datetime,
    zone: ZoneInfo,
) -> Stats:
    """The statistics of one window from its offers and replies."""
    day_list = _days(since, days, zone)
    categories = Counter(category for _, category, _, _ in offers)
    emotions = Counter(emotion for _, _, emotion, _ in offers)
    best_edit: dict[int, int] = {}
    written = 0
    pitfalls: Counter[str] = Counter()
    for offer_id, distance, codes, _ in replies:
        pitfalls.update(codes)
        if offer_id is None or distance is None:
            written += 1
            continue
        best_edit[offer_id] = min(distance, best_edit.get(offer_id, distance))
    outcomes = {"unedited": 0, "edited": 0, "discarded": 0, "written": written}
    for offer_id, _, _, _ in offers:
        if offer_id not in best_edit:
            outcomes["discarded"] += 1
        else:
            outcomes["unedited" if best_edit[offer_id] == 0 else "edited"] += 1
    prevention: list[PreventionAdvice] = []
    seen: set[str] = set()
    for category, count in categories.most_common():
        entry = advice.for_category(category)
        if entry is None or entry.problem in seen:
            continue
        seen.add(entry.problem)
        prevention.append(
            PreventionAdvice(
                category=category,
                label=category_labels.get(category, category),
                count=count,
                causes=entry.causes,
                handling=entry.handling,
                prevention=entry.prevention,
                source=f"004 {entry.problem}：{entry.quote_prevention}",
            )
        )
        if len(prevention) == TOP_CATEGORIES_WITH_ADVICE:
            break
    return Stats(
        days=days,
        since=since,
        messages=len(offers),
        replies=len(replies),
        categories=dict(categories.most_common()),
        emotions=dict(emotions.most_common()),
        categories_by_day=_by_day([(c, at) for _, c, _, at in offers], day_list, zone),
        emotions_by_day=_by_day([(e, at) for _, _, e, at in offers], day_list, zone),
        outcomes=outcomes,
        pitfalls=dict(pitfalls.most_common()),
        followups_open=followups_open,
        followups_overdue=followups_overdue,
        prevention=prevention,
    )
