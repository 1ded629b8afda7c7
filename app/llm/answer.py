"""The LLM's answer: `{"drafts": [{"style", "text"}]}`, parsed whole or read while it streams."""

import json
import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

MAX_DRAFT_CHARS = 1000
_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$")
_TEXT_KEY = re.compile(r'"text"\s*:\s*"')
_STYLE_VALUE = re.compile(r'"style"\s*:\s*"([a-z_]*)"')
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


class AnswerError(ValueError):
    """The answer cannot be used; `reason` is the fallback reason the agent sees."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class AnswerDraft(BaseModel):
    """One draft as the LLM wrote it."""

    style: str
    text: str


class Answer(BaseModel):
    """The whole answer."""

    drafts: list[AnswerDraft]


def json_object(raw: str) -> Any:
    """The JSON object in an answer, tolerating a Markdown fence or words around it."""
    body = _FENCE.sub("", raw.strip())
    start, end = body.find("{"), body.rfind("}")
    if start < 0 or end < start:
        raise AnswerError("unparsable", f"no JSON object in the answer: {raw[:80]!r}")
    try:
        return json.loads(body[start : end + 1])
    except json.JSONDecodeError as error:
        raise AnswerError("unparsable", f"invalid JSON: {error.msg}") from error


def parse_answer(raw: str, styles: tuple[str, ...]) -> list[AnswerDraft]:
    """The usable drafts of an answer, one per requested style, in the requested order.

    Raises `AnswerError` for anything that is not the JSON shape asked for: prose, a refusal,
    a different shape, unknown styles only, empty or overlong texts.
    """
    try:
        answer = Answer.model_validate(json_object(raw))
    except ValidationError as error:
        raise AnswerError("invalid_shape", 'expected {"drafts": [{"style", "text"}]}') from error
    by_style: dict[str, AnswerDraft] = {}
    for draft in answer.drafts:
        text = draft.text.strip()
        if draft.style in styles and text and draft.style not in by_style:
            by_style[draft.style] = AnswerDraft(style=draft.style, text=text)
    drafts = [by_style[style] for style in styles if style in by_style]
    if not drafts:
        raise AnswerError("invalid_shape", "no draft in a requested style with text")
    too_long = [d.style for d in drafts if len(d.text) > MAX_DRAFT_CHARS]
    if too_long:
        raise AnswerError("invalid_shape", f"draft longer than {MAX_DRAFT_CHARS} characters")
    return drafts


@dataclass
class StreamedDrafts:
    """Reads draft texts out of a JSON answer that is still arriving, for `delta` events.

    Only the `"text"` strings are decoded; the JSON is validated whole when the answer is
    complete, so this reader only has to be right on well-formed answers.
    """

    buffer: str = ""
    shown: list[str] = field(default_factory=list)

    def feed(self, chunk: str) -> list[tuple[int, str, str]]:
        """New text per draft since the last call: `(index, style, text)`."""
        self.buffer += chunk
        deltas = []
        for index, (style, text) in enumerate(self._texts()):
            if index >= len(self.shown):
                self.shown.append("")
            stable = _before_open_placeholder(text)
            if len(stable) > len(self.shown[index]) and stable.startswith(self.shown[index]):
                deltas.append((index, style, stable[len(self.shown[index]) :]))
                self.shown[index] = stable
        return deltas

    def _texts(self) -> list[tuple[str, str]]:
        texts = []
        for match in _TEXT_KEY.finditer(self.buffer):
            object_start = self.buffer.rfind("{", 0, match.start())
            style = _STYLE_VALUE.search(self.buffer, object_start, match.start())
            texts.append(
                (style.group(1) if style else "", _decode_partial(self.buffer, match.end()))
            )
        return texts


def _decode_partial(buffer: str, start: int) -> str:
    """A JSON string's value from `start` up to its closing quote or the end of what arrived."""
    out = []
    position = start
    while position < len(buffer):
        char = buffer[position]
        if char == '"':
            break
        if char != "\\":
            out.append(char)
            position += 1
            continue
        if position + 1 >= len(buffer):
            break  # an escape cut in two: wait for the rest
        code = buffer[position + 1]
        if code == "u":
            unit = _hex4(buffer, position + 2)
            if unit is None:
                break
            if 0xD800 <= unit < 0xDC00:  # a high surrogate: the character needs the low half too
                low = (
                    _hex4(buffer, position + 8)
                    if buffer[position + 6 : position + 8] == "\\u"
                    else None
                )
                if low is None:
                    break
                out.append(chr(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)))
                position += 12
                continue
            out.append(chr(unit))
            position += 6
        else:
            out.append(_ESCAPES.get(code, code))
            position += 2
    return "".join(out)


def _hex4(buffer: str, start: int) -> int | None:
    """The four hex digits at `start`, or None when they have not all arrived (or are not hex)."""
    digits = buffer[start : start + 4]
    return int(digits, 16) if re.fullmatch(r"[0-9a-fA-F]{4}", digits) else None


def _before_open_placeholder(text: str) -> str:
    """Text up to a `[` whose placeholder has not closed yet, so a restored name never flickers."""
    opening = text.rfind("[")
    return text[:opening] if opening >= 0 and "]" not in text[opening:] else text
