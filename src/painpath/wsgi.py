"""WSGI entry point for gunicorn (``painpath serve``): bodies are read first, with a deadline
(painpath.core.request_body), so a slow client cannot hold a server thread for long."""

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

from painpath.core.request_body import ReadBodyFirst

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "painpath.settings")
application = ReadBodyFirst(
    get_wsgi_application(),
    timeout=settings.BODY_TIMEOUT_SECONDS,
    max_bytes=settings.LARGEST_ACCEPTED_BODY_BYTES,
)
