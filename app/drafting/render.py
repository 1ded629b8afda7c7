"""Filling a phrase's variables and putting a reply into the customer's script."""

import re
import string
from collections.abc import Mapping

HONORIFICS = ("先生", "女士", "小姐", "同学", "老师", "阿姨", "叔叔", "哥", "姐")
CANTONESE_MARKS = re.compile(r"[唔咗嘅㗎冇喺咩啲嚟哋]")


def honorific(customer_name: str | None) -> str:
    """How to address the customer: 王先生 / 王女士 when given, 亲 otherwise."""
    name = (customer_name or "").strip()
    if not name or len(name) > 12 or re.search(r"[{}<>\n]", name):
        return "亲"
    return name


def fill(text: str, values: Mapping[str, str]) -> str:
    """The phrase with its variables filled; `KeyError` names a variable with no value."""
    formatter = string.Formatter()
    return formatter.vformat(text, (), dict(values))


def drop_leading_address(text: str, address: str) -> str:
    """Later stages do not repeat the customer's name: "亲，…亲，…" reads like a bot."""
    for separator in ("，", ",", "、", " "):
        prefix = address + separator
        if text.startswith(prefix):
            return text[len(prefix) :]
    return text
