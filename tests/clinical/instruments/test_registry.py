"""The registry and data files: ids, provenance, licence handling, LOINC shape, overlays."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from painpath.clinical import instruments
from painpath.clinical.instruments import (
    TextOverlayError,
    apply_text_overlay,
    get_instrument,
    instrument_ids,
    list_instruments,
)

EXPECTED_IDS = (
    "bpi_sf",
    "dn4",
    "gad7",
    "nrs",
    "odi",
    "ort",
    "pcs",
    "peg",
    "phq9",
    "promis_pi_4a",
    "pseq",
    "startback",
    "tsk11",
)
ANSWER_COUNTS = {
    "phq9": 9,
    "gad7": 7,
    "bpi_sf": 11,
    "peg": 3,
    "odi": 10,
    "pcs": 13,
    "pseq": 10,
    "tsk11": 11,
    "promis_pi_4a": 4,
    "nrs": 1,
    "startback": 9,
    "ort": 10,
    "dn4": 10,
}
LOINC = re.compile(r"^(LA)?\d{1,6}-\d$")


def test_all_thirteen_instruments_are_registered() -> None:
    assert instrument_ids() == EXPECTED_IDS


@pytest.mark.parametrize(("instrument", "count"), sorted(ANSWER_COUNTS.items()))
def test_answer_counts_match_the_issue(instrument: str, count: int) -> None:
    assert len(get_instrument(instrument).items) == count


@pytest.mark.usefixtures("no_overlay")
@pytest.mark.parametrize("instrument", EXPECTED_IDS)
def test_every_definition_names_sources_and_licence(instrument: str) -> None:
    definition = get_instrument(instrument)
    assert definition.sources
    assert all(s.citation and s.supports for s in definition.sources)
    assert definition.source == definition.sources[0].citation
    assert definition.licence
    assert definition.scoring.missing_rule


@pytest.mark.usefixtures("no_overlay")
@pytest.mark.parametrize("instrument", EXPECTED_IDS)
def test_wording_is_shipped_only_where_licence_allows(instrument: str) -> None:
    definition = get_instrument(instrument)
    texts = [item.text for item in definition.items]
    if definition.full_text_shipped:
        assert all(texts)
    else:
        assert texts == [None] * len(texts)
        assert definition.instructions is None
    assert definition.full_text_shipped == (instrument in {"phq9", "gad7"})


@pytest.mark.parametrize("instrument", EXPECTED_IDS)
def test_loinc_codes_are_well_formed(instrument: str) -> None:
    definition = get_instrument(instrument)
    codes = [definition.loinc_panel, definition.loinc_score]
    codes += [item.loinc for item in definition.items]
    codes += [option.loinc for item in definition.items for option in item.options]
    codes += [subscale.loinc for subscale in definition.subscales]
    assert all(LOINC.match(code) for code in codes if code is not None)


def test_phq9_loinc_codes() -> None:
    phq9 = get_instrument("phq9")
    assert (phq9.loinc_panel, phq9.loinc_score) == ("44249-1", "44261-6")
    assert phq9.item("phq9_9").loinc == "44260-8"
    assert [o.loinc for o in phq9.item("phq9_1").options] == [
        "LA6568-5",
        "LA6569-3",
        "LA6570-1",
        "LA6571-9",
    ]


def test_change_thresholds_are_available() -> None:
    nrs = get_instrument("nrs")
    assert {(c.kind, c.value, c.direction) for c in nrs.change_thresholds} == {
        ("percent", 30.0, "decrease"),
        ("percent", 50.0, "decrease"),
        ("absolute", 2.0, "decrease"),
    }
    assert get_instrument("bpi_sf").change_thresholds[0].applies_to == "interference"


def test_published_change_thresholds_name_their_source() -> None:
    def rules(instrument_id: str) -> set[tuple[object, ...]]:
        return {
            (c.kind, c.value, c.direction, c.applies_to, c.band_change, c.source)
            for c in get_instrument(instrument_id).change_thresholds
        }

    assert rules("odi") == {
        ("absolute", 10.0, "decrease", "score", False, "Ostelo et al. 2008"),
        ("percent", 30.0, "decrease", "score", False, "Ostelo et al. 2008"),
    }
    assert rules("phq9") == {("absolute", 5.0, "decrease", "score", False, "Löwe et al. 2004")}
    assert rules("pseq") == {
        (
            "absolute",
            7.0,
            "increase",
            "score",
            True,
            "ePPOC reference manual (as reported by measurely.com.au)",
        )
    }
    assert get_instrument("gad7").change_thresholds == ()  # none verified: none shipped
    cited = " ".join(s.citation for s in get_instrument("odi").sources)
    assert "Spine. 2008;33(1):90-94" in cited
    cited = " ".join(s.citation for s in get_instrument("phq9").sources)
    assert "Med Care. 2004;42(12):1194-1201" in cited


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('applies_to = "nope"\n', "change threshold applies to unknown score 'nope'"),
        ('band_change = "yes"\n', "change threshold band_change must be true or false"),
        ("band_change = true\n", "band_change needs bands on the primary score"),  # NRS: none
    ],
)
def test_change_threshold_shape_is_checked(tmp_path: Path, extra: str, message: str) -> None:
    from painpath.clinical.instruments import DefinitionError
    from painpath.clinical.instruments._loader import load_definition

    source = (Path(instruments.__file__).parent / "data" / "nrs.toml").read_text()
    head, sep, tail = source.partition("[[change_thresholds]]\n")
    (tmp_path / "nrs.toml").write_text(head + sep + extra + tail, encoding="utf-8")
    with pytest.raises(DefinitionError) as caught:
        load_definition(tmp_path / "nrs.toml")
    assert str(caught.value) == f"nrs.toml: {message}"


def test_public_surface_is_complete() -> None:
    public = {name for name in dir(instruments) if not name.startswith("_")}
    public -= {"annotations"}
    assert set(instruments.__all__) == public


def test_list_instruments_returns_definitions() -> None:
    assert tuple(i.id for i in list_instruments()) == EXPECTED_IDS


def write_overlay(directory: Path, name: str, body: str) -> None:
    (directory / f"{name}.toml").write_text(body, encoding="utf-8")


def test_clinic_overlay_loads_licensed_wording(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_overlay(
        tmp_path,
        "bpi_sf",
        'instrument = "bpi_sf"\nholder = "Example clinic licence 42"\n'
        'instructions = "Licensed instructions"\n'
        '[items.worst]\ntext = "Licensed worst-pain wording"\n'
        '[items.worst.options]\n"0" = "Licensed zero anchor"\n',
    )
    monkeypatch.setenv("PAINPATH_INSTRUMENT_TEXT_DIR", str(tmp_path))
    bpi = get_instrument("bpi_sf")
    assert bpi.licensed_text_loaded
    assert bpi.instructions == "Licensed instructions"
    assert bpi.item("worst").text == "Licensed worst-pain wording"
    assert bpi.item("worst").options[0].label == "Licensed zero anchor"
    assert bpi.item("worst").options[0].points == 0
    assert bpi.item("least").text is None
    assert get_instrument("bpi_sf", licensed_text=False).item("worst").text is None
    assert not get_instrument("odi").licensed_text_loaded  # no file for odi


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            'instrument = "odi"\nholder = "x"\n',
            "overlay for bpi_sf: field 'instrument' must be 'bpi_sf', got 'odi'",
        ),
        (
            'instrument = "bpi_sf"\n',
            "overlay for bpi_sf: field 'holder' (the licence held) is required",
        ),
        (
            'instrument = "bpi_sf"\nholder = "x"\n[items.worse]\ntext = "t"\n',
            "overlay for bpi_sf: unknown items worse",
        ),
        (
            'instrument = "bpi_sf"\nholder = "x"\n[items.worst.options]\n"11" = "t"\n',
            "overlay for bpi_sf: item worst has no option values 11",
        ),
    ],
)
def test_bad_overlay_is_rejected(body: str, message: str) -> None:
    with pytest.raises(TextOverlayError) as caught:
        apply_text_overlay(get_instrument("bpi_sf", licensed_text=False), tomllib.loads(body))
    assert str(caught.value) == message
