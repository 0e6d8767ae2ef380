"""Template variables every page needs."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from painpath import __version__


def site(request: HttpRequest) -> dict[str, object]:
    return {"painpath_version": __version__, "painpath_env": settings.ENV}
