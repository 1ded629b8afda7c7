"""One place that turns every failure into the contract's `{"error": {...}}` shape."""

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.errors import HuashuError

logger = logging.getLogger("huashu")

_STATUS_MESSAGES: dict[int, tuple[str, str, str]] = {
    404: ("not_found", "没有这个地址，请检查接口路径。", "No such path; check the endpoint."),
    405: (
        "method_not_allowed",
        "该接口不支持这种请求方法。",
        "This endpoint does not accept that method.",
    ),
    413: ("body_too_large", "请求体过大。", "The request body is too large."),
    415: ("unsupported_media_type", "请求体必须是 JSON。", "The request body must be JSON."),
}


def _render(error: HuashuError) -> JSONResponse:
    return JSONResponse(status_code=error.status, content=error.to_body())


def _field_name(location: tuple[Any, ...]) -> str:
    parts = [str(part) for part in location if part != "body"]
    return ".".join(parts) or "body"


def validation_error(errors: list[dict[str, Any]]) -> HuashuError:
    """The first problem of a request body, named for an agent and for a developer."""
    first = errors[0] if errors else {"type": "unknown", "loc": ("body",)}
    kind = str(first.get("type", ""))
    location = tuple(first.get("loc", ("body",)))
    field = _field_name(location)
    if kind == "json_invalid":
        return HuashuError(
            "invalid_json",
            "请求体不是有效的 JSON（可能含有乱码或二进制内容），请检查格式和编码（UTF-8）。",
            "The request body is not valid JSON (it may hold binary or garbled bytes); "
            "send UTF-8 JSON.",
            400,
        )
    if kind == "missing" and field == "body":
        return HuashuError(
            "body_missing",
            '缺少请求体，请发送 JSON，例如 {"text": "客户消息"}。',
            'The request body is missing; send JSON such as {"text": "customer message"}.',
            400,
        )
    if kind == "missing":
        return HuashuError(
            "field_missing",
            f"缺少字段 {field}。",
            f"The field {field} is missing.",
            422,
        )
    if kind in ("model_attributes_type", "dict_type") and field == "body":
        return HuashuError(
            "body_not_object",
            '请求体必须是 JSON 对象，例如 {"text": "客户消息"}。',
            'The request body must be a JSON object such as {"text": "customer message"}.',
            422,
        )
    expected = {
        "string_type": ("文本", "a string"),
        "list_type": ("列表", "a list"),
        "int_type": ("整数", "an integer"),
        "int_parsing": ("整数", "an integer"),
        "bool_type": ("布尔值", "a boolean"),
        "model_type": ("对象", "an object"),
        "dict_type": ("对象", "an object"),
        "model_attributes_type": ("对象", "an object"),
        "literal_error": ("允许的取值之一", "one of the allowed values"),
        "enum": ("允许的取值之一", "one of the allowed values"),
    }.get(kind)
    if expected is not None:
        detail = str(first.get("msg", ""))
        return HuashuError(
            "invalid_field",
            f"字段 {field} 的类型或取值不对，应为{expected[0]}。",
            f"The field {field} has the wrong type or value; expected {expected[1]}. {detail}".strip(),
            422,
        )
    return HuashuError(
        "invalid_field",
        f"字段 {field} 不符合要求：{first.get('msg', '')}",
        f"The field {field} is invalid: {first.get('msg', '')}",
        422,
    )


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that render every error in the contract's shape."""

    @app.exception_handler(HuashuError)
    async def huashu_error(_: Request, exc: HuashuError) -> JSONResponse:
        return _render(exc)

    @app.exception_handler(RequestValidationError)
    async def request_invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return _render(validation_error(list(exc.errors())))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code, message, message_en = _STATUS_MESSAGES.get(
            exc.status_code, ("http_error", "请求无法处理。", str(exc.detail))
        )
        return _render(HuashuError(code, message, message_en, exc.status_code))

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        logger.exception("unexpected error", exc_info=exc)
        return _render(
            HuashuError(
                "internal_error",
                "服务内部出错，已记录，请稍后重试。",
                "Internal error; it has been logged. Please retry later.",
                500,
            )
        )
