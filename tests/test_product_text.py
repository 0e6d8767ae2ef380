"""Product text (code, data files, templates, the README) states facts and policy; it never
points to the project's own issue tracker."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = ROOT / "src" / "painpath"
TEXT_SUFFIXES = {".py", ".toml", ".html", ".json", ".txt", ".md", ".csv", ".js", ".css"}
# "issue 3", "issue #9", "painpath issue", "the issue asked", "issue case", "(issue 10 item 5)"
ISSUE_REFERENCE = re.compile(
    r"\bissues?\s*#?\d+|\bpainpath issues?\b|\bthe issue\b|\bissue case", re.IGNORECASE
)


def _product_files() -> list[Path]:
    files = [p for p in PRODUCT.rglob("*") if p.is_file() and p.suffix in TEXT_SUFFIXES]
    return [*files, ROOT / "README.md"]


def test_the_pattern_finds_what_it_should_and_not_issued_tokens():
    for said in ("painpath issue 3", "as the issue asked", "Issue case 2", "(issue 10 item 5)"):
        assert ISSUE_REFERENCE.search(said), said
    for fine in ("API tokens are issued", "every issue of the batch", "issue_token(user)"):
        assert not ISSUE_REFERENCE.search(fine), fine


def test_no_product_text_refers_to_a_project_issue():
    files = _product_files()
    assert len(files) > 100 and ROOT / "src/painpath/assessments/data/policy.toml" in files
    found = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for path in files
        for n, line in enumerate(path.read_text("utf-8", errors="replace").splitlines(), 1)
        if ISSUE_REFERENCE.search(line)
    ]
    assert found == []
