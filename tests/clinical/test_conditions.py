"""Tests for the condition catalogue, its loader and the code-format validators."""

from __future__ import annotations

import copy
import dataclasses
import tomllib
from importlib import resources
from typing import Any

import pytest

from painpath.clinical.conditions import _P as VERHOEFF_P
from painpath.clinical.conditions import (
    CATEGORIES,
    ConditionDataError,
    UnknownConditionError,
    get_condition,
    is_valid_icd10cm_format,
    is_valid_snomed_concept_id,
    is_valid_snomed_id,
    load_conditions,
    parse_catalogue,
    verhoeff_is_valid,
)

CATALOGUE = load_conditions()
SNOMED_IDS = [c.snomed_id for c in CATALOGUE.conditions if c.snomed_id is not None]
ICD_CODES = [c.icd10cm_code for c in CATALOGUE.conditions]


def _raw() -> dict[str, Any]:
    text = resources.files("painpath.clinical").joinpath("data/conditions.toml").read_text("utf-8")
    return tomllib.loads(text)


def _with_check_digit(body: str) -> str:
    """Append the one digit that makes `body` pass the Verhoeff check."""
    (digit,) = [d for d in "0123456789" if verhoeff_is_valid(body + d)]
    return body + digit


# ------------------------------------------------------------------ Verhoeff


def test_verhoeff_published_example_236_has_check_digit_3() -> None:
    assert verhoeff_is_valid("2363")
    assert _with_check_digit("236") == "2363"


def test_verhoeff_permutation_rows_are_powers_of_the_first() -> None:
    for i in range(1, 8):
        assert VERHOEFF_P[i] == tuple(VERHOEFF_P[i - 1][VERHOEFF_P[1][j]] for j in range(10))


@pytest.mark.parametrize("value", ["", "12a4", "\uff11\uff12\uff13", "-123"])
def test_verhoeff_rejects_non_digits(value: str) -> None:
    assert not verhoeff_is_valid(value)


# ------------------------------------------------------------------ SNOMED CT ids


@pytest.mark.parametrize("sctid", SNOMED_IDS)
def test_every_shipped_snomed_id_is_a_valid_concept_id(sctid: str) -> None:
    assert is_valid_snomed_id(sctid)
    assert is_valid_snomed_concept_id(sctid)


@pytest.mark.parametrize("sctid", SNOMED_IDS)
def test_every_one_digit_change_of_a_shipped_snomed_id_fails(sctid: str) -> None:
    for position, original in enumerate(sctid):
        for digit in "0123456789":
            if digit == original:
                continue
            mutated = sctid[:position] + digit + sctid[position + 1 :]
            assert not is_valid_snomed_id(mutated), mutated


@pytest.mark.parametrize("sctid", SNOMED_IDS)
def test_transposing_adjacent_digits_of_a_shipped_snomed_id_fails(sctid: str) -> None:
    for i in range(len(sctid) - 1):
        if sctid[i] != sctid[i + 1]:
            swapped = sctid[:i] + sctid[i + 1] + sctid[i] + sctid[i + 2 :]
            assert not is_valid_snomed_id(swapped), swapped


@pytest.mark.parametrize(
    ("sctid", "expected"),
    [
        ("404684003", True),  # Clinical finding (HL7 condition-code value set root)
        ("203082006", False),  # fibromyalgia 203082005 with the check digit changed
        ("203082005 ", False),
        ("", False),
        ("20308200S", False),
    ],
)
def test_snomed_id_examples(sctid: str, expected: bool) -> None:
    assert is_valid_snomed_id(sctid) is expected


def test_snomed_id_length_bounds() -> None:
    assert is_valid_snomed_id(_with_check_digit("100" + "00"))  # 6 digits, shortest allowed
    assert not is_valid_snomed_id(_with_check_digit("10" + "00"))  # 5 digits
    eighteen = _with_check_digit("1" * 8 + "1000119" + "10")
    assert len(eighteen) == 18
    assert is_valid_snomed_id(eighteen)
    nineteen = _with_check_digit("1" * 9 + "1000119" + "10")
    assert not is_valid_snomed_id(nineteen)


def test_snomed_id_rejects_leading_zero() -> None:
    assert not is_valid_snomed_id(_with_check_digit("0123400"))


@pytest.mark.parametrize(
    ("partition", "any_component", "concept"),
    [("00", True, True), ("01", True, False), ("02", True, False), ("03", False, False)],
)
def test_snomed_short_format_partitions(partition: str, any_component: bool, concept: bool) -> None:
    sctid = _with_check_digit("12345" + partition)
    assert is_valid_snomed_id(sctid) is any_component
    assert is_valid_snomed_concept_id(sctid) is concept


@pytest.mark.parametrize(
    ("partition", "any_component", "concept"),
    [("10", True, True), ("11", True, False), ("12", True, False), ("13", False, False)],
)
def test_snomed_long_format_partitions(partition: str, any_component: bool, concept: bool) -> None:
    sctid = _with_check_digit("1" + "1000119" + partition)
    assert is_valid_snomed_id(sctid) is any_component
    assert is_valid_snomed_concept_id(sctid) is concept


def test_snomed_long_format_needs_a_seven_digit_namespace() -> None:
    assert not is_valid_snomed_id(_with_check_digit("123456" + "10"))  # 9 digits, 1x partition


# ------------------------------------------------------------------ ICD-10-CM format


@pytest.mark.parametrize("code", ICD_CODES)
def test_every_shipped_icd10cm_code_has_valid_format(code: str) -> None:
    assert is_valid_icd10cm_format(code)


@pytest.mark.parametrize("code", ["D57", "M54.2", "M54.50", "T40.2X1A", "F32.A", "C7A.00"])
def test_icd10cm_format_accepts(code: str) -> None:
    assert is_valid_icd10cm_format(code)


@pytest.mark.parametrize(
    "code",
    ["", "M5450", "m54.50", "M54.", "54.50", "MM4.50", "M54 50", "T40.2X1AA", "M5.50", " M54.50"],
)
def test_icd10cm_format_rejects(code: str) -> None:
    assert not is_valid_icd10cm_format(code)


# ------------------------------------------------------------------ loader


def test_loader_is_cached() -> None:
    assert load_conditions() is load_conditions()


def test_loader_exposes_source_fields() -> None:
    assert "FY2026" in CATALOGUE.icd10cm_edition
    assert "CMS" in CATALOGUE.icd10cm_edition
    assert "2023-03-01" in CATALOGUE.snomed_edition
    assert CATALOGUE.icd10cm_verification
    assert CATALOGUE.snomed_verification
    assert CATALOGUE.catalogue_version
    source_ids = {s.id for s in CATALOGUE.sources}
    assert "vsac_conditions_associated_with_chronic_pain" in source_ids
    assert "cdc_opioid_cds_opioid_misuse_disorders" in source_ids
    for condition in CATALOGUE.conditions:
        assert set(condition.sources) <= source_ids
        assert condition.icd10cm_title
        assert condition.icd10cm_verified_in
        if condition.snomed_id is not None:
            assert condition.snomed_term
            assert condition.snomed_verified_in


def test_catalogue_covers_required_conditions() -> None:
    required = {
        "chronic_low_back_pain",
        "lumbar_radiculopathy",
        "chronic_neck_pain",
        "painful_diabetic_peripheral_neuropathy",
        "postherpetic_neuralgia",
        "fibromyalgia",
        "knee_osteoarthritis",
        "hip_osteoarthritis",
        "chronic_postsurgical_pain",
        "crps_type_1",
        "chronic_migraine",
        "chronic_pain_syndrome",
        "chronic_pain",
        "sickle_cell_disease",
        "opioid_use_disorder",
        "alcohol_use_disorder",
        "opioid_overdose",
        "obstructive_sleep_apnea",
        "major_depressive_disorder",
        "generalized_anxiety_disorder",
        "malignant_neoplasm_active",
        "palliative_care",
    }
    assert set(CATALOGUE.ids()) == required
    assert len(CATALOGUE.ids()) == len(required)


def test_categories() -> None:
    assert {c.category for c in CATALOGUE.conditions} == CATEGORIES
    assert {c.id for c in CATALOGUE.in_category("cdc_exclusion")} == {
        "sickle_cell_disease",
        "malignant_neoplasm_active",
        "palliative_care",
    }


def test_conditions_without_a_verified_snomed_concept_are_explicit() -> None:
    missing = {c.id for c in CATALOGUE.conditions if c.snomed_id is None}
    assert missing == {"chronic_postsurgical_pain", "chronic_migraine"}
    for condition_id in missing:
        assert "could be verified" in get_condition(condition_id).note


@pytest.mark.parametrize(
    ("condition_id", "icd", "title", "sctid"),
    [
        ("chronic_low_back_pain", "M54.50", "Low back pain, unspecified", "278860009"),
        ("fibromyalgia", "M79.7", "Fibromyalgia", "203082005"),
        ("palliative_care", "Z51.5", "Encounter for palliative care", "103735009"),
        ("opioid_use_disorder", "F11.20", "Opioid dependence, uncomplicated", "75544000"),
        (
            "obstructive_sleep_apnea",
            "G47.33",
            "Obstructive sleep apnea (adult) (pediatric)",
            "78275009",
        ),
    ],
)
def test_get_condition_returns_codes(condition_id: str, icd: str, title: str, sctid: str) -> None:
    condition = get_condition(condition_id)
    assert (condition.icd10cm_code, condition.icd10cm_title, condition.snomed_id) == (
        icd,
        title,
        sctid,
    )


def test_retired_low_back_pain_code_is_not_used() -> None:
    assert "M54.5" not in ICD_CODES


def test_get_condition_unknown_id_errors() -> None:
    with pytest.raises(UnknownConditionError, match=r"condition id 'low_back' is unknown") as info:
        get_condition("low_back")
    assert isinstance(info.value, ValueError)
    assert "chronic_low_back_pain" in str(info.value)


def test_condition_code_is_frozen() -> None:
    condition = get_condition("fibromyalgia")
    with pytest.raises(dataclasses.FrozenInstanceError):
        condition.icd10cm_code = "M79.1"  # type: ignore[misc]


# ------------------------------------------------------------------ data validation


def _first_condition(data: dict[str, Any]) -> dict[str, Any]:
    condition: dict[str, Any] = data["conditions"][0]
    return condition


def test_parse_catalogue_accepts_the_shipped_file() -> None:
    assert parse_catalogue(_raw()) == CATALOGUE


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("snomed_id", "278860008", r"'chronic_low_back_pain': snomed_id '278860008' fails"),
        ("icd10cm_code", "M545", r"icd10cm_code 'M545' is not ICD-10-CM format"),
        ("category", "pain", r"category 'pain' not in"),
        ("id", "Chronic-LBP", r"'Chronic-LBP': id must be snake_case"),
        ("sources", ["nowhere"], r"sources \['nowhere'\] are not declared"),
        ("icd10cm_title", "", r"icd10cm_title must be a non-empty string"),
    ],
)
def test_parse_catalogue_rejects_bad_entries(field: str, value: object, message: str) -> None:
    data = copy.deepcopy(_raw())
    _first_condition(data)[field] = value
    with pytest.raises(ConditionDataError, match=message):
        parse_catalogue(data)


def test_parse_catalogue_rejects_duplicate_ids() -> None:
    data = copy.deepcopy(_raw())
    data["conditions"].append(copy.deepcopy(_first_condition(data)))
    with pytest.raises(ConditionDataError, match=r"id 'chronic_low_back_pain': must be unique"):
        parse_catalogue(data)


def test_parse_catalogue_rejects_partial_snomed_fields() -> None:
    data = copy.deepcopy(_raw())
    del _first_condition(data)["snomed_term"]
    with pytest.raises(ConditionDataError, match=r"\['snomed_term'\] missing"):
        parse_catalogue(data)


def test_parse_catalogue_requires_header() -> None:
    data = copy.deepcopy(_raw())
    del data["catalogue"]
    with pytest.raises(ConditionDataError, match=r"\[catalogue\]: must be a table"):
        parse_catalogue(data)
