"""WSGI entry point for gunicorn (``painpath serve``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "painpath.settings")
application = get_wsgi_application()

# Load the URL configuration (every app's routers) now rather than on the first request, so
# its objects are frozen with the rest of start-up (see painpath.core.server_gc).
from django.urls import get_resolver  # noqa: E402

from painpath.core.server_gc import tune_for_server  # noqa: E402

get_resolver().url_patterns  # noqa: B018 - importing the URL modules is the point
tune_for_server()
