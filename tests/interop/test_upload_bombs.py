"""Hostile uploads through the real import code (create_import, then run_import as the worker
runs it), each in a child process whose address space is limited to 512 MB: every job ends
"failed" with the limit it hit as the reason, stores nothing, and leaves no file behind. A
bomb that got past its bound would end in MemoryError instead (or be killed), and the test
would fail on the reason. The bombs are built here, small on disk and big when read.

Before these bounds (measured on the 2-core test machine, in the same kind of child process
with a 3 GB limit): the 200 KB deep-JSON file hit MemoryError at 3 GB in 10 s; a zip with an
8 MiB attribute took 2.7 s and with a 32 MiB one 43 s; the 2 MB zip of 1 GiB of whitespace was
read whole (10 s, 1.35 GB resident); the 1 MB gzip VCF of one endless line used 2.1 GB; the
2 MB gzip VCF of 20 million records took 74 s.
"""

from __future__ import annotations

import gzip
import json
import shutil
import socket
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tests.devices.server_process import start_server
from tests.interop.bombs import GiB, MiB, apple_zip, deep_json, gzip_vcf
from tests.interop.sandbox import child_env, run_child

LIMIT_MB = 512

Run = Callable[..., dict[str, Any]]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated scratch database with a clinician and their patient (made once)."""
    folder = tmp_path_factory.mktemp("sandbox")
    db = folder / "template.sqlite3"
    run_child(["setup"], child_env(db, folder / "var"), timeout=600)
    return db


@pytest.fixture(scope="module")
def bombs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("bombs")


@pytest.fixture
def sandbox(template: Path, tmp_path: Path) -> Run:
    for part in template.parent.glob(f"{template.name}*"):  # the database and its WAL
        shutil.copy(part, tmp_path / part.name.replace("template", "db"))
    db = tmp_path / "db.sqlite3"

    def run(app: str, fmt: str, path: Path, **env: str) -> dict[str, Any]:
        result = run_child(
            ["run", app, fmt, str(path), str(LIMIT_MB)], child_env(db, tmp_path / "var", **env)
        )
        print(f"{path.name} ({path.stat().st_size} bytes on disk): {result}")
        return result

    return run


def assert_refused(result: dict[str, Any], reason: str) -> None:
    assert result["status"] == "failed", result
    assert reason in result["error"], result
    assert "MemoryError" not in result["error"]
    assert result["peak_rss_mb"] < LIMIT_MB
    assert result["stored"] == 0
    assert result["files_left"] == 0  # the upload is deleted with the job's end


def test_deep_json_is_refused_before_ijson_reads_it(sandbox: Run, bombs: Path) -> None:
    path = deep_json(bombs / "deep.json")  # 200 KB: 100,000 "[" then 100,000 "]"
    assert_refused(sandbox("devices", "open_mhealth", path), "JSON nested deeper than 64 levels")


def test_a_long_xml_attribute_is_refused_before_expat_rescans_it(sandbox: Run, bombs: Path) -> None:
    # 8 MiB of sourceName in an 8 KB zip: within the zip's expansion limit, past the tag limit.
    path = apple_zip(bombs / "attribute.zip", attribute=8 * MiB)
    assert path.stat().st_size < 64 * 1024
    assert_refused(sandbox("devices", "apple_health", path), "an XML tag")


def test_the_probes_192_mib_attribute_is_refused_by_the_zips_expansion(
    sandbox: Run, bombs: Path
) -> None:
    path = apple_zip(bombs / "attribute192.zip", attribute=192 * MiB)
    assert_refused(sandbox("devices", "apple_health", path), "export.xml would expand to 192 MiB")


def test_a_zip_of_1_gib_of_whitespace_is_refused(sandbox: Run, bombs: Path) -> None:
    path = apple_zip(bombs / "whitespace.zip", whitespace=GiB)
    assert path.stat().st_size < 3 * MiB
    assert_refused(sandbox("devices", "apple_health", path), "would expand to 1024 MiB")


def test_whitespace_within_the_expansion_limit_is_stopped_by_the_text_limit(
    sandbox: Run, bombs: Path
) -> None:
    path = apple_zip(bombs / "whitespace32.zip", whitespace=32 * MiB)
    assert_refused(sandbox("devices", "apple_health", path), "text between two tags")


def test_a_gzip_vcf_of_one_endless_line_is_refused(sandbox: Run, bombs: Path) -> None:
    path = gzip_vcf(bombs / "line.vcf.gz", long_line=GiB)  # about 1 MB on disk
    assert path.stat().st_size < 2 * MiB
    assert_refused(sandbox("genomics", "vcf", path), "a line is longer than 1 MiB")


def test_a_gzip_vcf_of_20_million_records_is_refused(sandbox: Run, bombs: Path) -> None:
    path = gzip_vcf(bombs / "records.vcf.gz", records=20_000_000)  # about 2 MB on disk
    assert_refused(sandbox("genomics", "vcf", path), "more than 2,000,000 records")


def test_a_gzip_vcf_expanding_past_its_limit_is_refused(sandbox: Run, bombs: Path) -> None:
    # Lines of 64 KiB: neither a long line nor many records, only too much once expanded.
    path = bombs / "expands.vcf.gz"
    gzip_vcf(path, records=0)
    # A second gzip member, as bgzip writes many.
    with path.open("ab") as out, gzip.GzipFile(fileobj=out, mode="wb", compresslevel=9) as member:
        line = b"chr10\t1\t.\tA\t" + b"C" * (64 * 1024) + b"\t.\tPASS\t.\tGT\t0/1\n"
        for _ in range(80 * MiB // len(line)):
            member.write(line)
    limit = {"PAINPATH_PGX_MAX_EXPANDED_BYTES": str(64 * MiB)}  # the default is 512 MiB
    assert_refused(sandbox("genomics", "vcf", path, **limit), "expands to more than 64 MiB")


def test_a_deep_lab_json_is_refused(sandbox: Run, bombs: Path) -> None:
    path = deep_json(bombs / "lab.json")
    assert_refused(sandbox("genomics", "lab-file", path), "JSON nested deeper than 16 levels")


def _post_headers_only(url: str, path: str, length: int) -> tuple[int, bytes]:
    """Announce a ``length``-byte multipart upload, send 1 KiB of it, read the answer."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as conn:
        conn.sendall(
            f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
            "Content-Type: multipart/form-data; boundary=b\r\n"
            f"Content-Length: {length}\r\nConnection: close\r\n\r\n".encode()
            + b'--b\r\nContent-Disposition: form-data; name="file"; filename="big.vcf"\r\n\r\n'
            + b"#" * 1024
        )
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


def test_an_oversize_upload_is_refused_before_its_body_is_read(tmp_path: Path) -> None:
    # A real server (gunicorn) with 512 MB of address space: a 300 MiB upload is refused
    # from its headers, with the error body, and nothing is written anywhere.
    server = start_server(f"sqlite:///{tmp_path / 'db.sqlite3'}", tmp_path, memory_mb=LIMIT_MB)
    try:
        pid = server.patient_id
        status, body = _post_headers_only(
            server.url, f"/api/v1/genomics/patients/{pid}/uploads", 300 * MiB
        )
        assert status == 413
        error = json.loads(body)["error"]
        assert error["code"] == "too_large" and error["fields"][0]["field"] == "file"
        assert "256 MiB" in error["message"]
        status, body = _post_headers_only(server.url, f"/devices/patients/{pid}/upload/", 300 * MiB)
        assert status == 413 and b"File too large" in body
        with urllib.request.urlopen(f"{server.url}/login/", timeout=10) as page:  # noqa: S310
            assert page.status == 200  # the server is still serving
    finally:
        server.stop()
    assert not list(tmp_path.rglob("upload-*"))
