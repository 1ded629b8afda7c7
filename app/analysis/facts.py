"""Facts named in a message: order numbers, amounts of money, durations, product words."""

import re
from collections.abc import Iterable

from app.analysis.normalize import NormalizedText
from app.analysis.schemas import Amount, Duration, EvidenceSpan, Facts

_DIGIT_VALUES = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
    "七": 7, "八": 8, "九": 9,
}  # fmt: skip
_DIGITS = "".join(_DIGIT_VALUES)
_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
_NUMBER = rf"(?:\d+(?:\.\d+)?|[{_DIGITS}十百千万半几]+)"

_ORDER_ID = re.compile(
    r"(?:订单编号|订单号?|(?:快递|运单|物流)?单号|order(?:\s*(?:no\.?|id|number))?)\s*(?:是|为|:|#)?\s*([a-z0-9-]{6,30})"
    r"|(?<![\d.])(\d{12,20})(?![\d.])"
)
_TRACKING_PREFIX = re.compile(r"(?:快递|运单|物流)单?号?\s*(?:是|为|:)?\s*$")
_AMOUNT = re.compile(
    rf"(?:[¥$]\s*({_NUMBER}))|(?:({_NUMBER})\s*(k|w|千|万)?\s*(?:元|块钱|块|rmb|人民币|大洋|蚊|米(?![a-z]))|"
    rf"(?:花了|价值|价格|总价|付了|实付)\s*({_NUMBER})\s*(k|w|千|万)?\s*(?:元|块钱|块)?)"
    # "4299买的", "那台7800的相机": a price named without a currency word.
    r"|(?<![\d.])(\d{3,6})(?=\s*(?:买的|买了|拍的|入手|的(?:手机|电脑|笔记本|相机|电视|冰箱|空调|洗衣机|沙发|床垫|包|表|耳机|平板)))"
    r"|(?:那台|这台|一台|那部|这部|那个|这个)\s*(\d{3,6})(?=的)"
    # "赔您100", "补60": a sum paid out, named without a currency word.
    r"|(?<=[补赔转])(?:您|你|给您|给你)?\s*(\d+)(?![\d.%年月日天号个件次小分秒元块蚊])"
)
_DURATION = re.compile(
    rf"({_NUMBER})\s*(?:个)?(多)?\s*(小时|钟头|天|日|礼拜|星期|周|月|年)(?:多)?"
    r"|(昨天|前天|大前天|上周|上星期|上个?礼拜|上个?月|去年|半个月|半年)"
)
# "15天内发货", "七天无理由": a deadline or a policy, not how old the order is.
_DEADLINE_AFTER = re.compile(r"\s*(?:之内|以内|内|无理由|无条件|退换|鉴赏|包退|包换|保修|质保)")
_RELATIVE_DAYS = {
    "昨天": 1.0, "前天": 2.0, "大前天": 3.0, "上周": 7.0, "上星期": 7.0, "上礼拜": 7.0,
    "上个礼拜": 7.0, "上月": 30.0, "上个月": 30.0, "去年": 365.0, "半个月": 15.0,
    "半年": 182.0,
}  # fmt: skip
_UNIT_DAYS = {
    "小时": 1 / 24, "钟头": 1 / 24, "天": 1.0, "日": 1.0, "礼拜": 7.0, "星期": 7.0,
    "周": 7.0, "月": 30.0, "年": 365.0,
}  # fmt: skip


def parse_number(token: str) -> float | None:
    """Arabic or Chinese numeral to a number ("十五" → 15, "两千" → 2000, "半" → 0.5)."""
    if not token:
        return None
    try:
        return float(token)
    except ValueError:
        pass
    if token == "半":
        return 0.5
    if token == "几":
        return 3.0
    total = 0.0
    current = 0.0
    for char in token:
        if char in _DIGIT_VALUES:
            current = float(_DIGIT_VALUES[char])
        elif char in _UNITS:
            unit = _UNITS[char]
            if unit == 10000:
                total = (total + (current or 1.0)) * unit
            else:
                total += (current or 1.0) * unit
            current = 0.0
        elif char == "几":
            current = 3.0
        else:
            return None
    return total + current


def _multiplier(suffix: str | None) -> float:
    return {"k": 1000.0, "千": 1000.0, "w": 10000.0, "万": 10000.0}.get(suffix or "", 1.0)


def _spans(norm: NormalizedText, pairs: Iterable[tuple[int, int]]) -> list[EvidenceSpan]:
    return [norm.span(start, end) for start, end in pairs]


# "一块擦银布", "补那一块": 块 after a small spelled-out number and before a noun counts pieces.
# Money reads on: "一块钱", "两块的", "几块而已".
_PIECE_NUMBERS = frozenset(("一", "两", "几", "半"))
_AFTER_MONEY_KUAI = frozenset("钱的吧哦呢啦了啊呀嘛哈呗左给也都还就而多补红现优运券以内不差邮")


def _counts_pieces(folded: str, match: re.Match[str]) -> bool:
    if not match.group().endswith("块") or match.group(2) not in _PIECE_NUMBERS:
        return False
    following = folded[match.end() : match.end() + 1]
    return "\u4e00" <= following <= "\u9fff" and following not in _AFTER_MONEY_KUAI


def find_amounts(folded: str) -> list[tuple[float, tuple[int, int]]]:
    """Sums of money in folded text, with their folded spans ("299元", "3k块", "花了两千")."""
    found = []
    for match in _AMOUNT.finditer(folded):
        if _counts_pieces(folded, match):
            continue
        number = (
            match.group(1)
            or match.group(2)
            or match.group(4)
            or match.group(6)
            or match.group(7)
            or match.group(8)
        )
        value = parse_number(number) if number else None
        if value is not None:
            found.append((value * _multiplier(match.group(3) or match.group(5)), match.span()))
    return found


def extract_facts(norm: NormalizedText, product_spans: Iterable[tuple[int, int]]) -> Facts:
    """Order and tracking numbers, amounts, durations and product words of the folded text."""
    text = norm.text
    order_ids: list[EvidenceSpan] = []
    tracking: list[EvidenceSpan] = []
    for match in _ORDER_ID.finditer(text):
        group = 1 if match.group(1) else 2
        start, end = match.span(group)
        if group == 2 and re.fullmatch(r"1[3-9]\d{9}", match.group(2)):
            continue
        if not any(ch.isdigit() for ch in match.group(group)):
            continue
        is_tracking = _TRACKING_PREFIX.search(text[max(0, start - 10) : start]) is not None
        (tracking if is_tracking else order_ids).append(norm.span(start, end))

    amounts = [Amount(value=value, span=norm.span(*span)) for value, span in find_amounts(text)]

    durations: list[Duration] = []
    for match in _DURATION.finditer(text):
        if match.group(4):
            days = _RELATIVE_DAYS[match.group(4)]
        else:
            value = parse_number(match.group(1))
            if value is None:
                continue
            days = value * _UNIT_DAYS[match.group(3)]
        duration = Duration(
            days=round(days, 3),
            span=norm.span(*match.span()),
            is_deadline=_DEADLINE_AFTER.match(text, match.end()) is not None,
        )
        duration._folded_span = match.span()
        durations.append(duration)

    return Facts(
        order_ids=order_ids,
        tracking_ids=tracking,
        amounts=amounts,
        durations=durations,
        products=_spans(norm, product_spans),
        days_since_purchase=max((d.days for d in durations if not d.is_deadline), default=None),
    )
