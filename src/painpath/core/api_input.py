"""What the API accepts at its edge, for every endpoint at once.

- A JSON body is parsed here (``JsonBodyParser``): only ``application/json`` (or a
  ``+json`` type) is read (415 otherwise); a body past ``DATA_UPLOAD_MAX_MEMORY_SIZE`` is 413;
  it must be an object, at most ``MAX_JSON_DEPTH`` levels deep, with no NUL character or lone
  surrogate in any text, no integer outside 64 bits and no NaN/Infinity. Each refusal names
  the field (``care_team_ids.0``) and the rule.
- Query and form values may not hold a NUL character either.
- Every integer a request model reads is bounded to 64 bits (what the database stores), and
  in JSON bodies integers, numbers and booleans are strict: ``true`` is not the id 1, ``"5"``
  is not 5 (``harden_request_models``).

Endpoints that read their body themselves (device sample batches) apply the same rules with
their own streaming parser.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.parser import Parser
from pydantic_core import SchemaValidator

from painpath.core.errors import FieldError, InvalidInput, PayloadTooLarge, UnsupportedMediaType

__all__ = [
    "INT64_MAX",
    "INT64_MIN",
    "MAX_JSON_DEPTH",
    "JsonBodyParser",
    "check_json_value",
    "harden_request_models",
    "is_json_media_type",
]

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
# FHIR Bundles, the deepest bodies the API takes, nest about 12 levels
# (Bundle.entry.resource.item.item.answer.valueCoding ...).
MAX_JSON_DEPTH = 32


def is_json_media_type(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


def _path(parts: tuple[str | int, ...]) -> str:
    return ".".join(str(p) for p in parts) or "body"


def _text_problem(text: str) -> str | None:
    if "\x00" in text:
        return _("Must not contain the NUL character (U+0000).")
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return _("Must be valid Unicode text (a lone surrogate such as \\ud800 is not).")
    return None


def _scalar_problem(item: object) -> str | None:
    if isinstance(item, str):
        return _text_problem(item)
    if isinstance(item, int) and not isinstance(item, bool):
        if not INT64_MIN <= item <= INT64_MAX:
            return _("Must fit in 64 bits (at most 9223372036854775807).")
    elif isinstance(item, float) and not math.isfinite(item):
        return _("Must be a finite number.")
    return None


def _problems(value: Any) -> Iterator[FieldError]:
    """Every rule broken in a decoded JSON value, walked without recursion."""
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(value, ())]
    while stack:
        item, where = stack.pop()
        if len(where) > MAX_JSON_DEPTH:
            message = _("Nested deeper than %d levels.") % MAX_JSON_DEPTH
            yield FieldError(_path(where[:MAX_JSON_DEPTH]), message)
        elif isinstance(item, dict):
            for key, child in item.items():
                problem = _text_problem(key)
                if problem:
                    yield FieldError(_path((*where, key)), problem)
                else:
                    stack.append((child, (*where, key)))
        elif isinstance(item, list):
            stack.extend((child, (*where, i)) for i, child in enumerate(item))
        elif problem := _scalar_problem(item):
            yield FieldError(_path(where), problem)


def check_json_value(value: Any, *, limit: int = 20) -> None:
    """Raise InvalidInput naming up to ``limit`` offending fields of a decoded JSON value."""
    errors: list[FieldError] = []
    for error in _problems(value):
        errors.append(error)
        if len(errors) >= limit:
            break
    if errors:
        raise InvalidInput(_("The request body has invalid values."), fields=errors)


def _refuse_constant(name: str) -> Any:
    raise InvalidInput(
        _("The request body has invalid values."),
        fields=[FieldError("body", _("%s is not a JSON number.") % name)],
    )


class JsonBodyParser(Parser):
    """The one JSON reader of the API (django-ninja calls it for every body and query).

    django-ninja answers any exception raised here with a bare 400; the API's error handler
    renders the PainpathError it carries as its cause instead (``core.api``)."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        content_type = request.META.get("CONTENT_TYPE", "")
        if not is_json_media_type(content_type):
            raise UnsupportedMediaType(
                _("Send the body as JSON."),
                fields=[FieldError("Content-Type", _("Must be application/json."))],
            )
        try:
            raw = request.body
        except RequestDataTooBig:
            raise PayloadTooLarge(
                _("The request body is larger than %d bytes.")
                % settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            ) from None
        try:
            data = json.loads(raw, parse_constant=_refuse_constant)
        except RecursionError:
            raise InvalidInput(
                _("The request body has invalid values."),
                fields=[FieldError("body", _("Nested deeper than %d levels.") % MAX_JSON_DEPTH)],
            ) from None
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InvalidInput(
                _("The request body is not valid JSON."), fields=[FieldError("body", str(exc))]
            ) from None
        if not isinstance(data, dict):
            raise InvalidInput(
                _("The request body must be a JSON object."),
                fields=[FieldError("body", _("Must be a JSON object ({...})."))],
            )
        check_json_value(data)
        return data

    def parse_querydict(
        self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        errors = [
            FieldError(key, problem)
            for key, values in data.lists()
            for value in values
            if isinstance(value, str) and (problem := _text_problem(value))
        ]
        if errors:
            raise InvalidInput(_("The request has invalid fields."), fields=errors)
        return super().parse_querydict(data, list_fields, request)


# --- request models: 64-bit integers everywhere, strict scalars in JSON bodies ----------

_STRICT_IN_JSON = {"int", "float", "bool"}


def _hardened(schema: Any, *, strict: bool) -> Any:
    """A copy of a pydantic core schema with every int validator bounded to 64 bits and,
    if ``strict``, int/float/bool validators that take no coercion (true is not 1)."""
    if isinstance(schema, list):
        return [_hardened(s, strict=strict) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: _hardened(value, strict=strict) for key, value in schema.items()}
    kind = out.get("type")  # a schema's kind; a model's fields dict may have a field "type"
    if not isinstance(kind, str):
        return out
    if kind == "int":
        out["le"] = min(out.get("le", INT64_MAX), INT64_MAX)
        out["ge"] = max(out.get("ge", INT64_MIN), INT64_MIN)
    if strict and kind in _STRICT_IN_JSON:
        out["strict"] = True
    return out


def _model_classes(schema: Any) -> set[type]:
    found: set[type] = set()
    stack = [schema]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            if item.get("type") in ("model", "dataclass") and isinstance(item.get("cls"), type):
                found.add(item["cls"])
            stack.extend(item.values())
    return found


def _compile(schema: Any) -> SchemaValidator:
    # pydantic-core reuses the validator a model class already has ("prebuilt") instead of
    # compiling the schema given for it; hide those while this schema is compiled so that
    # the hardened copy is what runs. Tests check that the rules take effect.
    hidden = {
        cls: cls.__dict__["__pydantic_validator__"]
        for cls in _model_classes(schema)
        if "__pydantic_validator__" in cls.__dict__
    }
    try:
        for cls in hidden:
            delattr(cls, "__pydantic_validator__")
        return SchemaValidator(schema)
    finally:
        for cls, validator in hidden.items():
            setattr(cls, "__pydantic_validator__", validator)  # noqa: B010 - a dunder on a type


def harden_request_models(api: NinjaAPI) -> int:
    """Give every operation's request models a validator built from a hardened copy of their
    schema (see the module docstring): the models are the per-operation wrappers django-ninja
    makes, so the app's own Schema classes, also used for responses, are left as they are.
    Returns how many models were hardened. Run once, after every router is added."""
    count = 0
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in operation.models:
                    strict = model.__ninja_param_source__ == "body"
                    hardened = _compile(_hardened(model.__pydantic_core_schema__, strict=strict))
                    model.__pydantic_validator__ = hardened
                    count += 1
    return count
