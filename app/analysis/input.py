"""Checks on a customer message before it is analysed: clear errors, never a crash later."""

import unicodedata

from app.analysis.schemas import ContextMessage
from app.errors import InvalidInput

_ALLOWED_CONTROLS = {"\n", "\r", "\t"}


def check_text(text: str, *, max_chars: int, field: str = "text") -> str:
    """Return `text` if it is a usable message, else raise `InvalidInput` naming the problem."""
    if not text.strip():
        raise InvalidInput(
            "text_empty",
            f"消息内容（{field}）为空，请粘贴客户发来的消息。",
            f"The message ({field}) is empty; paste the customer's message.",
        )
    if len(text) > max_chars:
        raise InvalidInput(
            "text_too_long",
            f"消息内容（{field}）共 {len(text)} 个字符，超过上限 {max_chars}，请截取客户最新的消息。",
            f"The message ({field}) has {len(text)} characters, over the limit of {max_chars}; "
            "send the customer's latest message only.",
        )
    for position, char in enumerate(text):
        category = unicodedata.category(char)
        if (category == "Cc" and char not in _ALLOWED_CONTROLS) or category == "Cs":
            raise InvalidInput(
                "text_control_characters",
                f"消息内容（{field}）第 {position + 1} 个字符是不可见的控制字符 U+{ord(char):04X}，"
                "请重新复制客户的消息。",
                f"The message ({field}) has an invisible control character U+{ord(char):04X} at "
                f"position {position + 1}; copy the customer's message again.",
            )
    return text


def check_optional_text(text: str | None, *, max_chars: int, field: str) -> str | None:
    """An optional text field: None when absent or blank, else checked like a message."""
    if text is None or not text.strip():
        return None
    return check_text(text, max_chars=max_chars, field=field)


def check_context(
    context: list[ContextMessage] | None, *, max_messages: int, max_chars: int
) -> list[ContextMessage]:
    """Earlier messages of the conversation, each checked like the message itself."""
    messages = context or []
    if len(messages) > max_messages:
        raise InvalidInput(
            "context_too_long",
            f"对话上下文有 {len(messages)} 条消息，超过上限 {max_messages} 条，请只保留最近的消息。",
            f"The context has {len(messages)} messages, over the limit of {max_messages}; "
            "keep the most recent ones.",
        )
    for index, message in enumerate(messages):
        if message.text.strip():
            check_text(message.text, max_chars=max_chars, field=f"context[{index}].text")
    return [message for message in messages if message.text.strip()]
