"""Crisis and emergency telephone lines by country, from data/crisis_lines.toml (each line with
the page it was checked in), and painpath's wording of the crisis panel per language.

Pure data in, data out: :func:`load_crisis_lines` reads and checks the file once;
:func:`lines_for` picks a country's lines in a language, with the clinic's own lines added or
put in place of the file's (what a clinic configures in Django admin).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from importlib import resources
from typing import Any, Final

__all__ = [
    "KINDS",
    "PANEL_KEYS",
    "ClinicLine",
    "CrisisCatalogue",
    "CrisisDataError",
    "CrisisLine",
    "ShownLine",
    "dial_digits",
    "lines_for",
    "load_crisis_lines",
    "parse_crisis_lines",
]

KINDS: Final = ("emergency", "crisis")  # shown in this order: emergency first
PANEL_KEYS: Final = (
    "heading",
    "intro",
    "danger",
    "clinic_heading",
    "lines_heading",
    "call",
    "team_told",
    "generic_emergency",
    "no_lines",
    "emergency_name",
)
DEFAULT_LANGUAGE: Final = "en"
MAX_FILE_BYTES: Final = 256 * 1024

_COUNTRY_RE: Final = re.compile(r"^[A-Z]{2}$")
_ID_RE: Final = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
_LANG_RE: Final = re.compile(r"^[a-z]{2}$")
# What a person reads (digits in groups) and what a phone dials (digits only, no prefix).
_NUMBER_RE: Final = re.compile(r"^[0-9]+(?: [0-9]+)*$")
_DIAL_RE: Final = re.compile(r"^\+?[0-9]{2,15}$")


class CrisisDataError(ValueError):
    """The crisis-lines file breaks a rule (names the entry and the rule)."""


@dataclass(frozen=True, slots=True)
class CrisisLine:
    """One line as the file states it: texts per language, where it was checked."""

    id: str
    country: str
    kind: str  # "crisis" or "emergency"
    number: str  # as a person reads it, e.g. "116 123"
    dial: str  # digits to dial (tel: URI), e.g. "116123"
    names: Mapping[str, str]  # empty for an emergency line (the panel names those)
    how: Mapping[str, str]
    source_url: str
    checked: date
    checked_via: str


@dataclass(frozen=True, slots=True)
class ClinicLine:
    """A clinic's own line (Django admin): added, or shown in place of ``replaces``."""

    name: str
    number: str
    dial: str
    kind: str
    how: str = ""
    language: str = ""  # "" = shown whatever the patient's language
    replaces: str = ""  # id of a file line of the clinic's country, or ""


@dataclass(frozen=True, slots=True)
class ShownLine:
    """A line as the panel shows it, in one language (``language`` says which)."""

    id: str
    kind: str
    name: str
    number: str
    dial: str
    how: str
    language: str  # of the name
    how_language: str
    source_url: str  # "" for a clinic's own line
    checked: date | None
    from_clinic: bool


@dataclass(frozen=True, slots=True)
class CrisisCatalogue:
    version: str
    last_checked: date
    panel: Mapping[str, Mapping[str, str]]  # language -> key -> text
    lines: tuple[CrisisLine, ...]

    @property
    def countries(self) -> frozenset[str]:
        return frozenset(line.country for line in self.lines)

    def panel_texts(self, language: str) -> dict[str, str]:
        """painpath's wording in ``language``; keys it lacks come from English."""
        return {**self.panel[DEFAULT_LANGUAGE], **self.panel.get(language, {})}

    def line(self, line_id: str) -> CrisisLine | None:
        return next((line for line in self.lines if line.id == line_id), None)


def dial_digits(number: str) -> str:
    """The dialable form of a number as written ("+1 (212) 555-0100" -> "+12125550100")."""
    return ("+" if number.strip().startswith("+") else "") + re.sub(r"\D", "", number)


def _texts(entry: Mapping[str, Any], key: str, where: str, *, required: bool) -> dict[str, str]:
    raw = entry.get(key, {})
    if not isinstance(raw, dict) or (required and not raw):
        raise CrisisDataError(f"{where}: '{key}' must be a table of language -> text")
    texts: dict[str, str] = {}
    for lang, text in raw.items():
        if not _LANG_RE.match(lang) or not isinstance(text, str) or not text.strip():
            raise CrisisDataError(f"{where}: '{key}.{lang}' must be a non-empty text")
        texts[lang] = text.strip()
    return texts


def _line(entry: Mapping[str, Any], index: int, *, today: date) -> CrisisLine:
    where = f"lines[{index}]"
    line_id = entry.get("id", "")
    if not isinstance(line_id, str) or not _ID_RE.match(line_id):
        raise CrisisDataError(f"{where}: 'id' must be lower-case letters, digits and _")
    where = f"line {line_id!r}"
    country = entry.get("country", "")
    if not isinstance(country, str) or not _COUNTRY_RE.match(country):
        raise CrisisDataError(f"{where}: 'country' must be an ISO 3166-1 alpha-2 code, e.g. US")
    if entry.get("kind") not in KINDS:
        raise CrisisDataError(f"{where}: 'kind' must be one of {', '.join(KINDS)}")
    number, dial = str(entry.get("number", "")), str(entry.get("dial", ""))
    if not _NUMBER_RE.match(number) or len(number) > 24:
        raise CrisisDataError(f"{where}: 'number' must be digits in groups, e.g. '116 123'")
    if not _DIAL_RE.match(dial) or dial_digits(number) != dial:
        raise CrisisDataError(f"{where}: 'dial' must be the digits of 'number' ({number!r})")
    source_url = str(entry.get("source_url", ""))
    if not source_url.startswith("https://"):
        raise CrisisDataError(f"{where}: 'source_url' must be an https address")
    checked = entry.get("checked")
    if not isinstance(checked, str):
        raise CrisisDataError(f"{where}: 'checked' must be a date YYYY-MM-DD")
    try:
        checked_on = date.fromisoformat(checked)
    except ValueError:
        raise CrisisDataError(f"{where}: 'checked' must be a date YYYY-MM-DD") from None
    if checked_on > today:
        raise CrisisDataError(f"{where}: 'checked' is in the future")
    checked_via = str(entry.get("checked_via", "")).strip()
    if not checked_via:
        raise CrisisDataError(f"{where}: 'checked_via' must say what was read")
    return CrisisLine(
        id=line_id,
        country=country,
        kind=entry["kind"],
        number=number,
        dial=dial,
        names=_texts(entry, "name", where, required=entry["kind"] == "crisis"),
        how=_texts(entry, "how", where, required=False),
        source_url=source_url,
        checked=checked_on,
        checked_via=checked_via,
    )


def parse_crisis_lines(text: str, *, today: date) -> CrisisCatalogue:
    """Check and read the file's text; any broken rule raises :class:`CrisisDataError`."""
    if len(text.encode("utf-8")) > MAX_FILE_BYTES:
        raise CrisisDataError(f"the file is larger than {MAX_FILE_BYTES} bytes")
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CrisisDataError(f"not valid TOML: {exc}") from None
    meta = raw.get("catalogue", {})
    panel_raw = raw.get("panel", {})
    if DEFAULT_LANGUAGE not in panel_raw:
        raise CrisisDataError("panel: English ('panel.en') is required")
    panel: dict[str, dict[str, str]] = {}
    for lang, texts in panel_raw.items():
        if not _LANG_RE.match(lang) or not isinstance(texts, dict):
            raise CrisisDataError(f"panel.{lang}: must be a table of texts")
        unknown = set(texts) - set(PANEL_KEYS)
        if unknown:
            raise CrisisDataError(f"panel.{lang}: unknown keys {sorted(unknown)}")
        missing = set(PANEL_KEYS) - set(texts) if lang == DEFAULT_LANGUAGE else set()
        if missing:
            raise CrisisDataError(f"panel.en: missing keys {sorted(missing)}")
        panel[lang] = {k: str(v).strip() for k, v in texts.items()}
    lines = tuple(_line(e, i, today=today) for i, e in enumerate(raw.get("lines", [])))
    seen: set[str] = set()
    for line in lines:
        if line.id in seen:
            raise CrisisDataError(f"line {line.id!r}: the id is used twice")
        seen.add(line.id)
    try:
        version = str(meta["version"])
        last_checked = date.fromisoformat(str(meta["last_checked"]))
    except (KeyError, ValueError):
        raise CrisisDataError(
            "catalogue: 'version' and 'last_checked' (a date) are required"
        ) from None
    return CrisisCatalogue(version=version, last_checked=last_checked, panel=panel, lines=lines)


@cache
def load_crisis_lines() -> CrisisCatalogue:
    """The shipped file (read and checked once per process)."""
    text = (
        resources.files("painpath.clinical")
        .joinpath("data/crisis_lines.toml")
        .read_text(encoding="utf-8")
    )
    return parse_crisis_lines(text, today=datetime.now(UTC).date())


def _pick(texts: Mapping[str, str], language: str) -> tuple[str, str]:
    """(text, its language): the patient's language, else English, else the source's own."""
    for lang in (language, DEFAULT_LANGUAGE):
        if lang in texts:
            return texts[lang], lang
    lang = next(iter(texts), DEFAULT_LANGUAGE)
    return texts.get(lang, ""), lang


def lines_for(
    catalogue: CrisisCatalogue,
    *,
    country: str,
    language: str,
    clinic_lines: Iterable[ClinicLine] = (),
) -> list[ShownLine]:
    """A country's lines in ``language`` (emergency first), with the clinic's own lines: a
    line that ``replaces`` a file line takes its place, the others are added after. A clinic
    line for another language than the patient's is left out."""
    own = [c for c in clinic_lines if c.language in ("", language)]
    replacing = {c.replaces: c for c in own if c.replaces}
    shown: list[ShownLine] = []
    for line in catalogue.lines:
        if line.country != country:
            continue
        clinic = replacing.pop(line.id, None)
        if clinic is not None:
            shown.append(_clinic_shown(clinic, language, line.id))
            continue
        if line.names:
            name, name_lang = _pick(line.names, language)
        else:  # an emergency number: named by painpath's panel wording
            name_lang = language if language in catalogue.panel else DEFAULT_LANGUAGE
            name = catalogue.panel_texts(name_lang)["emergency_name"]
        how, how_lang = _pick(line.how, language) if line.how else ("", name_lang)
        shown.append(
            ShownLine(
                id=line.id,
                kind=line.kind,
                name=name,
                number=line.number,
                dial=line.dial,
                how=how,
                language=name_lang,
                how_language=how_lang,
                source_url=line.source_url,
                checked=line.checked,
                from_clinic=False,
            )
        )
    # replacements of lines the country does not have are shown as additions
    added = [c for c in own if not c.replaces or c.replaces in replacing]
    shown.extend(_clinic_shown(c, language, f"clinic_{i}") for i, c in enumerate(added))
    order = {kind: i for i, kind in enumerate(KINDS)}
    return sorted(shown, key=lambda s: order.get(s.kind, len(KINDS)))


def _clinic_shown(line: ClinicLine, language: str, line_id: str) -> ShownLine:
    return ShownLine(
        id=line_id,
        kind=line.kind,
        name=line.name,
        number=line.number,
        dial=line.dial,
        how=line.how,
        language=line.language or language,
        how_language=line.language or language,
        source_url="",
        checked=None,
        from_clinic=True,
    )
