"""ReadBodyFirst with a real socket pair: a whole body reaches the application, a stalled one
is answered 408 after the timeout, a short one is passed on as it came."""

from __future__ import annotations

import json
import socket

import pytest

from painpath.core.request_body import ReadBodyFirst


def _app(seen: dict):
    def app(environ, start_response):
        seen["body"] = environ["wsgi.input"].read()
        seen["length"] = environ["CONTENT_LENGTH"]
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    return app


@pytest.fixture
def pair():
    server, client = socket.socketpair()
    yield server, client
    server.close()
    client.close()


def _call(wrapper, server, length: int, path: str = "/api/v1/x"):
    environ = {
        "gunicorn.socket": server,
        "wsgi.input": server.makefile("rb"),
        "CONTENT_LENGTH": str(length),
        "PATH_INFO": path,
    }
    started: list = []
    body = b"".join(wrapper(environ, lambda status, headers: started.append((status, headers))))
    return started[0][0], dict(started[0][1]), body


def test_a_whole_body_reaches_the_application(pair):
    server, client = pair
    seen: dict = {}
    client.sendall(b"x" * 200_000)
    status, _, body = _call(
        ReadBodyFirst(_app(seen), timeout=2, max_bytes=1 << 30), server, 200_000
    )
    assert (status, body) == ("200 OK", b"ok")
    assert seen == {"body": b"x" * 200_000, "length": "200000"}
    assert server.gettimeout() is None  # the socket is as gunicorn left it


def test_a_stalled_body_is_answered_408(pair):
    server, client = pair
    seen: dict = {}
    client.sendall(b"0123456789")  # of 100,000 announced
    status, headers, body = _call(
        ReadBodyFirst(_app(seen), timeout=0.3, max_bytes=1 << 30), server, 100_000
    )
    assert status == "408 Request Timeout"
    assert headers["Content-Type"] == "application/json"
    assert json.loads(body)["error"]["code"] == "timeout"
    assert seen == {}  # the application never ran


def test_outside_the_api_the_408_is_plain_text(pair):
    server, client = pair
    client.sendall(b"0123456789")
    status, headers, body = _call(
        ReadBodyFirst(_app({}), timeout=0.3, max_bytes=1 << 30), server, 100, "/login/"
    )
    assert status.startswith("408") and headers["Content-Type"].startswith("text/plain")
    assert body == b"The request body did not arrive in time."


def test_a_body_cut_short_is_passed_on_as_it_came(pair):
    server, client = pair
    seen: dict = {}
    client.sendall(b"abc")
    client.shutdown(socket.SHUT_WR)
    _call(ReadBodyFirst(_app(seen), timeout=2, max_bytes=1 << 30), server, 10)
    assert seen == {"body": b"abc", "length": "3"}


def test_without_a_gunicorn_socket_nothing_is_read_first():
    seen: dict = {}
    environ = {"wsgi.input": _Stream(b"hello"), "CONTENT_LENGTH": "5", "PATH_INFO": "/"}
    list(ReadBodyFirst(_app(seen), timeout=1, max_bytes=1 << 30)(environ, lambda *a: None))
    assert seen["body"] == b"hello" and isinstance(environ["wsgi.input"], _Stream)


class _Stream:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def read(self, *args) -> bytes:
        data, self.data = self.data, b""
        return data


def test_a_body_larger_than_any_endpoint_accepts_is_not_waited_for(pair):
    # 1 KiB of an announced 300 MiB arrives: the application runs at once (Django answers 413
    # from the Content-Length) instead of the wrapper waiting and answering 408.
    server, client = pair
    client.sendall(b"#" * 1024)

    def refuse(environ, start_response):
        start_response("413 Payload Too Large", [("Content-Type", "text/plain")])
        return [b"too large"]

    status, _, body = _call(
        ReadBodyFirst(refuse, timeout=5, max_bytes=256 << 20), server, 300 << 20
    )
    assert (status, body) == ("413 Payload Too Large", b"too large")
