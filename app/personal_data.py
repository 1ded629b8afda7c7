"""Personal data in free text: found by the guard, masked before text leaves the service.

004 (客户数据库): customers' numbers are never shown in full, and nothing personal is sent to a
third party. The same patterns serve both uses so what the guard flags is what the LLM never sees.
"""

import re
from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["phone", "id_card", "bank_card", "email", "address"]

# Mainland mobile numbers, Taiwan mobiles (0912-345-678) and Hong Kong's eight digits written
# 4+4 ("9123 4567"). Eight digits run together are a phone only after a word that says so: alone
# they could be many things.
_PHONE_CUES = "电话|電話|手机|手機|号码|號碼|致电|致電|联系|聯繫|聯絡|联络|tel|whatsapp|call"
PHONE = re.compile(
    r"(?<![\d*])1[3-9]\d{9}(?![\d*])"
    r"|(?<![\d*])09\d{2}[- ]?\d{3}[- ]?\d{3}(?![\d*])"
    # not one group of a longer run ("SF1423 7788 0912" is a tracking number)
    r"|(?<![\d*.:/-])(?<!\d )[2-9]\d{3}[ -]\d{4}(?![\d*.:/-])(?! \d)"
    rf"|(?i:{_PHONE_CUES})[^\d\n]{{0,6}}?(?P<number>(?<![\d*])[2-9]\d{{7}}(?![\d*]))"
)
# Mainland resident ID (18 characters), Taiwan 身分證字號 (a letter, 1 or 2, eight digits) and
# Hong Kong identity card (one or two letters, six digits, the check digit in brackets).
ID_CARD = re.compile(
    r"(?<![\d*])\d{17}[\dxX](?![\d*])"
    r"|(?<![A-Za-z\d*])[A-Za-z][12]\d{8}(?![\d*])"
    r"|(?<![A-Za-z\d*])[A-Za-z]{1,2}\d{6}\s?[(（][\dAa][)）]"
)
# Cards (4+4+4+4 digits and longer), Hong Kong accounts (bank-branch-account, 012-345-678901-2)
# and any long digit run after a word for a bank account (帳號, 户口).
_ACCOUNT_CUES = "账号|帳號|账户|帳戶|户口|戶口|户头|戶頭|account"
BANK_CARD = re.compile(
    r"(?<![\d*])(?:\d{4}[ -]?){3}\d{4}(?:\d{0,3})(?![\d*])"
    r"|(?<![\d*-])\d{3}-\d{3}-\d{5,9}(?:-\d{1,3})?(?![\d*])"
    rf"|(?i:{_ACCOUNT_CUES})[^\d\n]{{0,6}}?(?P<number>(?<![\d*])\d[\d -]{{8,22}}\d(?![\d*]))"
)
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# A street address: optional province/city/district, a road-like name with a house number, then
# building, unit and room parts. Chinese addresses have no separators, so the road and number anchor it.
_CJK = "\u4e00-\u9fff"
ADDRESS = re.compile(
    rf"(?:[{_CJK}]{{2,8}}(?:省|自治区))?(?:[{_CJK}]{{1,8}}市)?(?:[{_CJK}]{{1,8}}(?:区|县))?"
    rf"[{_CJK}\d]{{1,12}}(?:路|街|大道|巷|弄|胡同|村)\d+(?:号|弄)"
    rf"(?:[{_CJK}\d]{{0,10}}?\d+(?:号楼|栋|幢|座|单元|楼|层|室|号))*"
)

# Most specific first: an ID number contains 11 digits that would also look like a phone number.
PATTERNS: tuple[tuple[Kind, re.Pattern[str]], ...] = (
    ("email", EMAIL),
    ("id_card", ID_CARD),
    ("bank_card", BANK_CARD),
    ("phone", PHONE),
    ("address", ADDRESS),
)
ALL_KINDS: tuple[Kind, ...] = tuple(kind for kind, _ in PATTERNS)
NUMBER_KINDS: tuple[Kind, ...] = ("phone", "id_card", "bank_card")
MIN_NUMBER_DIGITS = 7
PLACEHOLDER_NAMES: dict[Kind, str] = {
    "phone": "手机号",
    "id_card": "身份证号",
    "bank_card": "银行卡号",
    "email": "邮箱",
    "address": "地址",
}
PLACEHOLDER = re.compile(r"\[(?:手机号|身份证号|银行卡号|邮箱|地址)\d+\]")
# Long digit runs right after these words are order or tracking numbers the agent needs, not
# personal data (a Taobao order number has 18–19 digits, like an ID or a bank card).
ORDER_CUES = ("订单", "单号", "运单", "快递单", "物流单", "訂單", "單號", "order")
ORDER_CUE_WINDOW = 8


def number_span(match: re.Match[str]) -> tuple[int, int]:
    """Where the personal data is in a match: the `number` group when a cue word led to it."""
    if match.re.groupindex.get("number") and match.group("number") is not None:
        return match.span("number")
    return match.span()


def find_personal_data(
    text: str, kinds: tuple[Kind, ...] = ALL_KINDS
) -> list[tuple[Kind, int, int]]:
    """(kind, start, end) of personal data in `text`, most specific kind first, never overlapping
    and never an order number."""
    found: list[tuple[Kind, int, int]] = []
    # Every number kind has at least seven digits (a Hong Kong ID): most replies have fewer.
    enough_digits = sum(map(str.isdigit, text)) >= MIN_NUMBER_DIGITS
    for kind, pattern in PATTERNS:
        if kind not in kinds or (kind in NUMBER_KINDS and not enough_digits):
            continue
        for match in pattern.finditer(text):
            start, end = number_span(match)
            if is_order_number(kind, text, start, end):
                continue
            if any(a < end and start < b for _, a, b in found):
                continue  # an ID number holds eleven digits that also look like a phone
            found.append((kind, start, end))
    return sorted(found, key=lambda item: item[1])


def is_order_number(kind: Kind, text: str, start: int, end: int) -> bool:
    """ID- or card-shaped digits, or eight digits, right after 订单号/单号 are an order or
    tracking number (a mobile number's eleven digits never are)."""
    eight_digits = sum(char.isdigit() for char in text[start:end]) == 8
    if kind not in ("id_card", "bank_card") and not (kind == "phone" and eight_digits):
        return False
    before = text[max(0, start - ORDER_CUE_WINDOW) : start].lower()
    return any(cue in before for cue in ORDER_CUES)


def partly_hidden(number: str) -> str:
    """The form 004 allows in a reply: first three and last four digits, the rest starred."""
    digits = re.sub(r"[ -]", "", number)
    return digits[:3] + "*" * max(len(digits) - 7, 4) + digits[-4:]


@dataclass
class Masking:
    """Placeholders put in place of personal data, and what each stands for."""

    originals: dict[str, str] = field(default_factory=dict)
    kinds: dict[str, Kind] = field(default_factory=dict)

    def mask(self, text: str) -> str:
        """`text` with every piece of personal data replaced by a numbered placeholder.

        The same value gets the same placeholder across every text masked with this object, so a
        phone number in the context and in the message stay one `[手机号1]`.
        """
        pieces, last = [], 0
        for kind, start, end in find_personal_data(text):
            pieces += [text[last:start], self._placeholder(kind, text[start:end])]
            last = end
        return "".join([*pieces, text[last:]])

    def restore(self, text: str) -> str:
        """Placeholders back to what the agent may see: numbers partly hidden, the rest in full."""

        def original(match: re.Match[str]) -> str:
            token = match.group()
            value = self.originals.get(token)
            if value is None:
                return token
            return partly_hidden(value) if self.kinds[token] in NUMBER_KINDS else value

        return PLACEHOLDER.sub(original, text)

    def _placeholder(self, kind: Kind, value: str) -> str:
        for token, known in self.originals.items():
            if known == value and self.kinds[token] == kind:
                return token
        count = sum(1 for k in self.kinds.values() if k == kind) + 1
        token = f"[{PLACEHOLDER_NAMES[kind]}{count}]"
        self.originals[token] = value
        self.kinds[token] = kind
        return token
