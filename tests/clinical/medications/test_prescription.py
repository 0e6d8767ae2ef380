"""The prescription model: frequency, duration, activity and the errors of bad fields."""

from datetime import date

import pytest

from painpath.clinical.medications import (
    Prescription,
    PrescriptionError,
    UnknownMedicationError,
    resolve_prescription,
)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"times_per_day": 3}, 3),
        ({"every_hours": 6}, 4),
        ({"every_hours": 8}, 3),
        ({"as_needed": True, "max_doses_per_day": 6}, 6),
    ],
)
def test_administrations_per_day(kwargs, expected):
    assert Prescription(drug="oxycodone", dose=5, **kwargs).administrations_per_day() == expected


def test_patch_has_a_rate_and_no_frequency():
    patch = Prescription(drug="fentanyl", dose=25, unit="mcg/h", release="er_la")
    assert patch.is_patch
    assert patch.administrations_per_day() is None


@pytest.mark.parametrize(
    ("indication", "for_oud"), [("oud", True), ("chronic", False), ("acute", False)]
)
def test_for_oud_is_the_opioid_use_disorder_indication(indication, for_oud):
    line = Prescription(drug="methadone", dose=30, times_per_day=1, indication=indication)
    assert line.for_oud is for_oud


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"dose": 0, "times_per_day": 1}, "field 'dose': must be a finite number > 0, got 0"),
        ({"dose": -5, "times_per_day": 1}, "field 'dose': must be a finite number > 0, got -5"),
        (
            {"dose": float("nan"), "times_per_day": 1},
            "field 'dose': must be a finite number > 0, got nan",
        ),
        ({"dose": True, "times_per_day": 1}, "field 'dose': must be a number, got True"),
        (
            {"dose": 5, "unit": "g", "times_per_day": 1},
            "field 'unit': must be one of ('mg', 'mcg/h'), got 'g'",
        ),
        (
            {"dose": 5, "times_per_day": 2, "every_hours": 6},
            "field 'times_per_day': give exactly one of 'times_per_day' or 'every_hours'",
        ),
        ({"dose": 5}, "field 'times_per_day': give exactly one of"),
        (
            {"dose": 5, "times_per_day": 0},
            "field 'times_per_day': must be a finite number > 0, got 0",
        ),
        (
            {"dose": 25, "unit": "mcg/h", "times_per_day": 1},
            "field 'times_per_day': a patch (unit 'mcg/h') has a rate, not a frequency",
        ),
        (
            {"dose": 5, "as_needed": True},
            "field 'max_doses_per_day': required for an as-needed prescription",
        ),
        (
            {"dose": 5, "times_per_day": 2, "max_doses_per_day": 4},
            "field 'max_doses_per_day': only for as-needed prescriptions",
        ),
        (
            {"dose": 5, "times_per_day": 2, "days_supply": 0},
            "field 'days_supply': must be a whole number > 0, got 0",
        ),
        (
            {"dose": 5, "times_per_day": 2, "start": date(2026, 1, 5), "end": date(2026, 1, 4)},
            "field 'end': must not be before 'start'",
        ),
        (
            {"dose": 5, "times_per_day": 2, "indication": "cancer"},
            "field 'indication': must be one of ('acute', 'chronic', 'oud'), got 'cancer'",
        ),
        (
            {"dose": 5, "times_per_day": 2, "release": "sr"},
            "field 'release': must be one of ('ir', 'er_la'), got 'sr'",
        ),
    ],
)
def test_bad_fields_are_named(kwargs, message):
    with pytest.raises(PrescriptionError) as info:
        Prescription(drug="oxycodone", **kwargs)
    assert str(info.value).startswith(message)


def test_empty_drug_is_an_error():
    with pytest.raises(PrescriptionError, match="field 'drug': must not be empty"):
        Prescription(drug=" ", dose=5, times_per_day=1)


@pytest.mark.parametrize(
    ("kwargs", "days"),
    [
        ({"days_supply": 7}, 7),
        ({"start": date(2026, 3, 1), "end": date(2026, 3, 7)}, 7),
        ({"start": date(2026, 3, 1), "end": date(2026, 3, 1)}, 1),
        ({"start": date(2026, 3, 1)}, None),
        ({}, None),
    ],
)
def test_duration_days(kwargs, days):
    assert Prescription(drug="oxycodone", dose=5, times_per_day=4, **kwargs).duration_days() == days


@pytest.mark.parametrize(
    ("on", "active"),
    [
        (date(2026, 2, 28), False),
        (date(2026, 3, 1), True),
        (date(2026, 3, 7), True),
        (date(2026, 3, 8), False),
    ],
)
def test_is_active_with_days_supply(on, active):
    rx = Prescription(
        drug="oxycodone", dose=5, times_per_day=4, start=date(2026, 3, 1), days_supply=7
    )
    assert rx.is_active(on) is active


@pytest.mark.parametrize(("on", "active"), [(date(2026, 3, 10), True), (date(2026, 3, 11), False)])
def test_is_active_until_end(on, active):
    rx = Prescription(drug="morphine", dose=5, times_per_day=4, end=date(2026, 3, 10))
    assert rx.is_active(on) is active


def test_resolve_checks_the_formulation():
    with pytest.raises(PrescriptionError) as info:
        resolve_prescription(
            Prescription(drug="tramadol", dose=50, times_per_day=2, release="er_la")
        )
    assert str(info.value) == (
        "field 'release': 'er_la' is not a catalogued formulation of tramadol (accepted: ir)"
    )


def test_resolve_pairs_catalogue_information():
    resolved = resolve_prescription(
        Prescription(drug="OxyCodone", dose=10, times_per_day=2, release="er_la")
    )
    assert resolved.medication.id == "oxycodone"
    assert resolved.medication.rxcui == "7804"


def test_resolve_unknown_drug():
    with pytest.raises(UnknownMedicationError):
        resolve_prescription(Prescription(drug="unobtainium", dose=1, times_per_day=1))


# ---- rules for a prescription being written now ------------------------------------------


def _new(**kwargs):
    from painpath.clinical.medications import validate_new_prescription

    kwargs.setdefault("times_per_day", None if kwargs.get("unit") == "mcg/h" else 2)
    validate_new_prescription(resolve_prescription(Prescription(**kwargs)))


@pytest.mark.parametrize("drug", ["oxycodone", "tramadol", "buprenorphine"])
def test_acute_opioid_needs_a_duration(drug):
    with pytest.raises(PrescriptionError) as info:
        _new(drug=drug, dose=5, indication="acute", start=date(2026, 6, 1))
    assert str(info.value) == (
        "field 'days_supply': an opioid for acute pain needs a duration: give 'days_supply' "
        "or an 'end' date"
    )


@pytest.mark.parametrize(
    "duration", [{"days_supply": 3}, {"start": date(2026, 6, 1), "end": date(2026, 6, 3)}]
)
def test_acute_opioid_with_a_duration_passes(duration):
    _new(drug="oxycodone", dose=5, indication="acute", **duration)


@pytest.mark.parametrize(("drug", "indication"), [("ibuprofen", "acute"), ("oxycodone", "chronic")])
def test_open_ended_is_fine_for_non_opioids_and_chronic_pain(drug, indication):
    _new(drug=drug, dose=5, indication=indication)


@pytest.mark.parametrize("route", ["oral", "", "topical"])
def test_patch_route_must_be_transdermal(route):
    with pytest.raises(PrescriptionError) as info:
        _new(drug="fentanyl", dose=25, unit="mcg/h", release="er_la", route=route)
    assert str(info.value) == (
        f"field 'route': a patch (unit 'mcg/h') is 'transdermal', got {route!r}"
    )


def test_transdermal_patch_passes():
    _new(drug="fentanyl", dose=25, unit="mcg/h", release="er_la", route="Transdermal")
    _new(drug="buprenorphine", dose=10, unit="mcg/h", route="transdermal")
