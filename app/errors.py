"""Typed errors that carry their HTTP status and render the contract's error shape."""

from dataclasses import dataclass


@dataclass
class HuashuError(Exception):
    """An error an agent can read: a stable code, a Chinese and an English message."""

    code: str
    message: str
    message_en: str
    status: int = 400

    def to_body(self) -> dict[str, dict[str, str]]:
        """The `{"error": {...}}` body of the HTTP contract."""
        return {
            "error": {"code": self.code, "message": self.message, "message_en": self.message_en}
        }


class InvalidInput(HuashuError):
    """The request is well-formed JSON but a value is unusable."""

    def __init__(self, code: str, message: str, message_en: str, status: int = 422) -> None:
        super().__init__(code, message, message_en, status)


class MalformedRequest(HuashuError):
    """The request body is not JSON, not UTF-8, or missing."""

    def __init__(self, code: str, message: str, message_en: str, status: int = 400) -> None:
        super().__init__(code, message, message_en, status)
