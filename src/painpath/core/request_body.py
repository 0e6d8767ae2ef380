"""A request body that stops arriving ends its request, instead of holding a server thread.

``ReadBodyFirst`` wraps the WSGI application under gunicorn: it reads the whole body before
Django runs, waiting at most ``BODY_TIMEOUT_SECONDS`` (10 by default) for each piece, and
answers 408 (the JSON error body under /api/) when a client goes quiet, e.g. one that
announces ``Content-Length: 100000`` and sends 10 bytes. The body is kept in memory up to
8 MiB, on disk beyond, so a large upload costs no memory. A body announced larger than
anything the application accepts (``max_bytes``) is not read at all: Django refuses it from its
``Content-Length`` (413) without reading, and waiting for it here would only answer 408 later.

Together with threaded workers (``painpath serve`` runs gunicorn's gthread worker) a slow
client occupies one thread for at most the timeout and never a whole worker. In production a
buffering reverse proxy goes in front (``deploy/nginx/painpath.conf``): it takes whole
requests from slow clients before gunicorn sees them at all.
"""

from __future__ import annotations

import contextlib
import json
import socket
from collections.abc import Callable, Iterable, Iterator
from tempfile import SpooledTemporaryFile
from typing import Any

__all__ = ["ReadBodyFirst"]

_CHUNK = 64 * 1024
_IN_MEMORY = 8 * 1024 * 1024

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def _timed_out(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    message = "The request body did not arrive in time."
    if environ.get("PATH_INFO", "").startswith("/api/"):
        payload = {"error": {"code": "timeout", "message": message, "fields": []}}
        body, content_type = json.dumps(payload).encode(), "application/json"
    else:
        body, content_type = message.encode(), "text/plain; charset=utf-8"
    start_response(
        "408 Request Timeout",
        [("Content-Type", content_type), ("Content-Length", str(len(body)))],
    )
    return [body]


class _ThenClose:
    """The application's response; closing it (the server does) also drops the body."""

    def __init__(self, result: Iterable[bytes], body: SpooledTemporaryFile[bytes]) -> None:
        self.result = result
        self.body = body

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.result)

    def close(self) -> None:
        try:
            close = getattr(self.result, "close", None)
            if close is not None:
                close()
        finally:
            self.body.close()


class ReadBodyFirst:
    def __init__(self, app: WsgiApp, *, timeout: float, max_bytes: int) -> None:
        self.app = app
        self.timeout = timeout
        self.max_bytes = max_bytes

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        sock = environ.get("gunicorn.socket")
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django answers a malformed length itself
        if (
            not isinstance(sock, socket.socket)
            or length <= 0
            or length > self.max_bytes
            or self.timeout <= 0
        ):
            return self.app(environ, start_response)
        body: SpooledTemporaryFile[bytes] = SpooledTemporaryFile(  # noqa: SIM115 - closed by _ThenClose
            max_size=_IN_MEMORY
        )
        stream = environ["wsgi.input"]
        previous = sock.gettimeout()
        sock.settimeout(self.timeout)  # each read of the socket waits at most this long
        try:
            remaining = length
            while remaining > 0:
                chunk = stream.read(min(_CHUNK, remaining))
                if not chunk:
                    break  # the client closed early: the application sees a short body
                body.write(chunk)
                remaining -= len(chunk)
        except TimeoutError:
            body.close()
            with contextlib.suppress(OSError):  # nothing more is read from this client
                sock.shutdown(socket.SHUT_RD)
            return _timed_out(environ, start_response)
        finally:
            sock.settimeout(previous)
        body.seek(0)
        environ["wsgi.input"] = body
        environ["CONTENT_LENGTH"] = str(length - remaining)
        return _ThenClose(self.app(environ, start_response), body)
