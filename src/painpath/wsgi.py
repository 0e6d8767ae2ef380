"""WSGI entry point for gunicorn (``painpath serve``): bodies are read first, with a deadline
(painpath.core.request_body), so a slow client cannot hold a server thread for long."""

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

from painpath.core.request_body import ReadBodyFirst

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "painpath.settings")
django_application = get_wsgi_application()

# Load the URL configuration (every app's routers) now rather than on the first request, so
# its objects are frozen with the rest of start-up (see painpath.core.server_gc).
from django.urls import get_resolver  # noqa: E402

from painpath.core.server_gc import tune_for_server  # noqa: E402

get_resolver().url_patterns  # noqa: B018 - importing the URL modules is the point
application = ReadBodyFirst(
    django_application,
    timeout=settings.BODY_TIMEOUT_SECONDS,
    max_bytes=settings.LARGEST_ACCEPTED_BODY_BYTES,
)
tune_for_server()
