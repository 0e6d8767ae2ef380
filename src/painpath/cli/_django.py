"""Start Django for commands that need the database, with the right settings profile."""

from __future__ import annotations

import os


def setup_django(env: str | None = None) -> None:
    """Configure Django once; ``env`` sets PAINPATH_ENV unless the caller already set it.

    A configuration mistake (no SECRET_KEY in production, a bad PAINPATH_ENV) is reported as
    a one-line command error, not a traceback.
    """
    if env is not None:
        os.environ.setdefault("PAINPATH_ENV", env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "painpath.settings")
    import django
    from django.core.exceptions import ImproperlyConfigured

    from painpath.cli import CliError

    try:
        django.setup()
    except ImproperlyConfigured as exc:
        raise CliError(f"configuration: {exc}") from None
