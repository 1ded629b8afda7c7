"""Geometry of the /stats charts; the SVG itself is written in the Jinja template."""

from dataclasses import dataclass

from app.replies.schemas import CountByDay

SERIES_SHOWN = 6  # more series than this are summed as 其他


@dataclass(frozen=True)
class Segment:
    """One rectangle of a bar: a series' share of one day (or of a total)."""

    x: float
    y: float
    width: float
    height: float
    series: int
    label: str
    count: int


@dataclass(frozen=True)
class Series:
    """A legend entry."""

    index: int
    code: str
    label: str
    total: int


@dataclass(frozen=True)
class StackedBars:
    """Stacked bars per day."""

    width: int
    height: int
    plot_top: int
    plot_bottom: int
    max_count: int
    segments: list[Segment]
    series: list[Series]
    ticks: list[tuple[float, str]]
    gridlines: list[tuple[float, int]]


@dataclass(frozen=True)
class HorizontalBar:
    """One labelled bar of a ranking."""

    y: float
    width: float
    label: str
    count: int


@dataclass(frozen=True)
class Ranking:
    """Horizontal bars, largest first."""

    width: int
    height: int
    label_width: int
    bars: list[HorizontalBar]


def stacked_by_day(
    days: list[CountByDay], labels: dict[str, str], *, width: int = 640, height: int = 220
) -> StackedBars:
    """Bars per day stacked by code; the biggest codes get their own colour."""
    totals: dict[str, int] = {}
    for day in days:
        for code, count in day.counts.items():
            totals[code] = totals.get(code, 0) + count
    ranked = sorted(totals, key=lambda code: (-totals[code], code))
    shown = ranked[:SERIES_SHOWN]
    series = [Series(i, code, labels.get(code, code), totals[code]) for i, code in enumerate(shown)]
    rest = sum(totals[code] for code in ranked[SERIES_SHOWN:])
    if rest:
        series.append(Series(len(series), "_rest", "其他", rest))
    plot_top, plot_bottom, left, right = 12, height - 40, 32, 28
    max_count = max((sum(day.counts.values()) for day in days), default=0) or 1
    slot = (width - left - right) / max(len(days), 1)
    bar = max(slot * 0.7, 1.0)
    scale = (plot_bottom - plot_top) / max_count
    segments = []
    for index, day in enumerate(days):
        x = left + index * slot + (slot - bar) / 2
        y = float(plot_bottom)
        parts = [(s.index, s.label, day.counts.get(s.code, 0)) for s in series if s.code != "_rest"]
        if rest:
            other = sum(c for code, c in day.counts.items() if code not in shown)
            parts.append((len(series) - 1, "其他", other))
        for series_index, label, count in parts:
            if not count:
                continue
            h = count * scale
            y -= h
            segments.append(Segment(x, y, bar, h, series_index, f"{day.day} {label}", count))
    every = max(1, len(days) // 6)
    ticks = [
        (left + i * slot + slot / 2, day.day[5:]) for i, day in enumerate(days) if i % every == 0
    ]
    step = max(1, -(-max_count // 4))
    gridlines = [(plot_bottom - v * scale, v) for v in range(0, max_count + 1, step)]
    return StackedBars(
        width, height, plot_top, plot_bottom, max_count, segments, series, ticks, gridlines
    )


def ranking(
    counts: dict[str, int], labels: dict[str, str], *, width: int = 640, limit: int = 8
) -> Ranking:
    """Horizontal bars of the largest counts, each under its label (labels keep the full width,
    so long Chinese labels stay readable on a phone)."""
    top = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]
    label_width, row = 0, 54
    largest = max((count for _, count in top), default=0) or 1
    room = width - label_width - 48
    bars = [
        HorizontalBar(i * row + 4, max(count / largest * room, 2.0), labels.get(code, code), count)
        for i, (code, count) in enumerate(top)
    ]
    return Ranking(width, max(len(bars), 1) * row + 8, label_width, bars)


def share(
    counts: dict[str, int], order: list[tuple[str, str]], *, width: int = 640
) -> list[Segment]:
    """One bar split by share: `order` gives (code, label) left to right."""
    total = sum(counts.get(code, 0) for code, _ in order) or 1
    x = 0.0
    segments = []
    for index, (code, label) in enumerate(order):
        count = counts.get(code, 0)
        w = count / total * width
        if count:
            segments.append(Segment(x, 0, w, 28, index, label, count))
        x += w
    return segments
