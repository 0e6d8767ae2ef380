"""The crisis-lines data file (no database): every line sourced and dated, the numbers the
issue names present exactly, bad files refused with the entry and the rule, and the choice of
lines per country, language and clinic."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from painpath.clinical.crisis_lines import (
    MAX_FILE_BYTES,
    PANEL_KEYS,
    ClinicLine,
    CrisisDataError,
    dial_digits,
    lines_for,
    load_crisis_lines,
    parse_crisis_lines,
)

TODAY = datetime.now(UTC).date()


def _numbers(country: str) -> dict[str, str]:
    return {x.id: x.number for x in load_crisis_lines().lines if x.country == country}


def test_the_shipped_file_has_the_lines_the_issue_names_exactly() -> None:
    assert _numbers("US") == {"us_988": "988", "us_911": "911"}
    assert _numbers("GB") == {"gb_samaritans": "116 123", "gb_nhs_111": "111", "gb_999": "999"}
    catalogue = load_crisis_lines()
    assert catalogue.line("us_988").names["en"] == "988 Suicide & Crisis Lifeline"
    assert catalogue.line("gb_samaritans").names == {"en": "Samaritans"}


def test_every_shipped_line_names_where_and_when_it_was_checked() -> None:
    catalogue = load_crisis_lines()
    assert catalogue.lines, "no lines at all"
    for line in catalogue.lines:
        assert line.source_url.startswith("https://"), line.id
        assert date(2026, 1, 1) <= line.checked <= TODAY, line.id
        assert len(line.checked_via) > 40, line.id  # says what was actually read
        assert dial_digits(line.number) == line.dial, line.id
        assert line.kind in {"crisis", "emergency"}
        if line.kind == "crisis":
            assert line.names, line.id
    # every country has an emergency number and a crisis line
    for country in catalogue.countries:
        kinds = {x.kind for x in catalogue.lines if x.country == country}
        assert kinds == {"crisis", "emergency"}, country
    assert set(catalogue.panel["en"]) == set(PANEL_KEYS)
    assert set(catalogue.panel["es"]) == set(PANEL_KEYS)  # the panel is whole in Spanish


GOOD_LINE = """
[[lines]]
id = "xx_help"
country = "XX"
kind = "crisis"
number = "116 123"
dial = "116123"
name = { en = "Help line" }
source_url = "https://example.org/help"
checked = "2026-01-02"
checked_via = "the example page"
"""


def _file(lines: str = GOOD_LINE, panel_extra: str = "") -> str:
    panel = "\n".join(f'{k} = "{k} text"' for k in PANEL_KEYS)
    return (
        '[catalogue]\nversion = "t"\nlast_checked = "2026-01-02"\n'
        f"[panel.en]\n{panel}\n{panel_extra}\n{lines}"
    )


def test_a_well_formed_file_parses() -> None:
    catalogue = parse_crisis_lines(_file(), today=date(2026, 2, 1))
    assert [x.id for x in catalogue.lines] == ["xx_help"]
    assert catalogue.countries == {"XX"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('number = "116 123"', 'number = "116-123"'), "'number' must be digits in groups"),
        (('dial = "116123"', 'dial = "116124"'), "'dial' must be the digits of 'number'"),
        (('kind = "crisis"', 'kind = "hotline"'), "'kind' must be one of"),
        (('country = "XX"', 'country = "usa"'), "ISO 3166-1 alpha-2"),
        (
            ("https://example.org/help", "http://example.org/help"),
            "'source_url' must be an https address",
        ),
        (('checked = "2026-01-02"', 'checked = "2026-03-01"'), "'checked' is in the future"),
        (('checked = "2026-01-02"', 'checked = "last week"'), "'checked' must be a date"),
        (('checked_via = "the example page"', 'checked_via = ""'), "'checked_via' must say"),
        (('name = { en = "Help line" }', 'name = { en = "" }'), "'name.en' must be a non-empty"),
        (('name = { en = "Help line" }', ""), "'name' must be a table"),
    ],
)
def test_a_bad_line_is_refused_naming_the_line_and_the_rule(change, message) -> None:
    old, new = change
    with pytest.raises(CrisisDataError, match=message) as raised:
        parse_crisis_lines(_file(GOOD_LINE.replace(old, new)), today=date(2026, 2, 1))
    assert "xx_help" in str(raised.value) or "lines[0]" in str(raised.value)


def test_an_emergency_number_needs_no_name() -> None:
    line = GOOD_LINE.replace('kind = "crisis"', 'kind = "emergency"').replace(
        'name = { en = "Help line" }\n', ""
    )
    catalogue = parse_crisis_lines(_file(line), today=date(2026, 2, 1))
    shown = lines_for(catalogue, country="XX", language="en")
    assert shown[0].name == "emergency_name text"  # painpath's wording names it


def test_file_level_rules() -> None:
    with pytest.raises(CrisisDataError, match="used twice"):
        parse_crisis_lines(_file(GOOD_LINE + GOOD_LINE), today=date(2026, 2, 1))
    with pytest.raises(CrisisDataError, match="unknown keys"):
        parse_crisis_lines(_file(panel_extra='surprise = "x"'), today=date(2026, 2, 1))
    with pytest.raises(CrisisDataError, match=r"panel.en: missing keys \['call'\]"):
        parse_crisis_lines(_file().replace('call = "call text"\n', ""), today=date(2026, 2, 1))
    with pytest.raises(CrisisDataError, match="not valid TOML"):
        parse_crisis_lines("[[lines]\n", today=date(2026, 2, 1))
    with pytest.raises(CrisisDataError, match="larger than"):
        parse_crisis_lines("#" * (MAX_FILE_BYTES + 1), today=date(2026, 2, 1))


def test_lines_come_emergency_first_in_the_patients_language_where_the_source_gives_it():
    catalogue = load_crisis_lines()
    english = lines_for(catalogue, country="US", language="en")
    assert [x.number for x in english] == ["911", "988"]
    assert english[0].name == "Emergency services"
    spanish = lines_for(catalogue, country="US", language="es")
    assert spanish[0].name == "Servicios de emergencia"
    assert spanish[1].name == "Línea 988 de Prevención del Suicidio y Crisis"
    assert spanish[1].language == "es"
    assert spanish[1].how_language == "en"  # the source gave the how-to in English only
    samaritans = lines_for(catalogue, country="GB", language="es")[1]
    assert (samaritans.name, samaritans.language) == ("Samaritans", "en")
    assert lines_for(catalogue, country="FR", language="en") == []


def test_a_clinic_replaces_or_adds_lines_for_its_language() -> None:
    catalogue = load_crisis_lines()
    local = ClinicLine(
        name="County crisis team",
        number="212 555 0150",
        dial="2125550150",
        kind="crisis",
        replaces="us_988",
    )
    extra_es = ClinicLine(
        name="Línea de la clínica",
        number="212 555 0151",
        dial="2125550151",
        kind="crisis",
        language="es",
    )
    unknown = ClinicLine(
        name="Replaces nothing",
        number="212 555 0152",
        dial="2125550152",
        kind="crisis",
        replaces="no_such_line",
    )
    english = lines_for(
        catalogue, country="US", language="en", clinic_lines=[local, extra_es, unknown]
    )
    assert [(x.name, x.from_clinic) for x in english] == [
        ("Emergency services", False),
        ("County crisis team", True),  # in place of the 988 line
        ("Replaces nothing", True),  # a replacement of an unknown line is still shown
    ]
    assert english[1].source_url == "" and english[1].checked is None
    spanish = lines_for(catalogue, country="US", language="es", clinic_lines=[extra_es])
    assert [x.number for x in spanish] == ["911", "988", "212 555 0151"]


def test_dial_digits_keeps_only_what_a_phone_dials() -> None:
    assert dial_digits("+1 (212) 555-0100") == "+12125550100"
    assert dial_digits("116 123") == "116123"
