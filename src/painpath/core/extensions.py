"""Extension points: lists of dotted paths in settings that capabilities register into."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.module_loading import import_string
from django.utils.safestring import SafeString, mark_safe

__all__ = ["extension_functions", "render_panels"]


@cache
def _load(path: str) -> Callable[..., Any]:
    return import_string(path)  # type: ignore[no-any-return]


def extension_functions(setting: str) -> list[Callable[..., Any]]:
    return [_load(path) for path in getattr(settings, setting)]


def render_panels(setting: str, request: HttpRequest, patient: object) -> list[SafeString]:
    """HTML sections from every registered panel function (each renders its own template)."""
    return [mark_safe(fn(request, patient)) for fn in extension_functions(setting)]  # noqa: S308
