"""The prescribing-check contract: pgx_findings(patient_id, drug) -> list[PgxFinding]."""

from __future__ import annotations

import dataclasses

import pytest

from painpath.clinical.medications import load_catalogue
from painpath.genomics.selectors import NOT_VERIFIED, PANEL_DRUGS, PgxFinding, pgx_findings
from tests.genomics.factories import stored_result

pytestmark = pytest.mark.django_db


def test_finding_is_frozen_with_the_contract_fields(world):
    stored_result(world.p1, "CYP2D6", "*4/*4")
    (f,) = pgx_findings(world.p1.pk, "codeine")
    assert isinstance(f, PgxFinding)
    assert [x.name for x in dataclasses.fields(f)] == [
        "drug", "genes", "strength", "action", "recommendation", "source", "actionable",
    ]  # fmt: skip
    with pytest.raises(dataclasses.FrozenInstanceError):
        f.action = "x"  # type: ignore[misc]
    assert f.genes == {
        "CYP2D6": {"diplotype": "*4/*4", "phenotype": "Poor Metabolizer", "activity_score": 0.0}
    }


@pytest.mark.parametrize(
    ("drug", "diplotype", "action", "actionable"),
    [
        ("codeine", "*4/*4", "avoid", True),  # poor
        ("codeine", "*1/*1x2", "avoid", True),  # ultrarapid
        ("tramadol", "*4/*4", "avoid", True),
        ("tramadol", "*1x2/*1", "avoid", True),
        ("codeine", "*1/*1", "use label dose", False),
        ("tramadol", "*1/*4", "use label dose", False),
        ("oxycodone", "*4/*4", "no genotype-based action", False),
    ],
)
def test_cyp2d6_opioids(world, drug, diplotype, action, actionable):
    stored_result(world.p1, "CYP2D6", diplotype)
    (f,) = pgx_findings(world.p1.pk, drug)
    assert (f.action, f.actionable) == (action, actionable)
    assert "PMID 33387367" in f.source


def test_piroxicam_cyp2c9_score_1_is_actionable(world):
    stored_result(world.p1, "CYP2C9", "*1/*3")
    (f,) = pgx_findings(world.p1.pk, "piroxicam")
    assert f.genes["CYP2C9"]["activity_score"] == 1.0
    assert (f.action, f.strength, f.actionable) == ("choose alternative", "moderate", True)
    assert "Theken" in f.source


def test_celecoxib_poor_metabolizer_dose_change(world):
    stored_result(world.p1, "CYP2C9", "*3/*3")
    (f,) = pgx_findings(world.p1.pk, "celecoxib")
    assert f.actionable and f.action.startswith("start at 25-50%")


def test_no_result_says_testing_is_informative(world):
    (f,) = pgx_findings(world.p2.pk, "codeine")
    assert f.actionable is False
    assert "informative" in f.action
    assert "not a statement that standard dosing is appropriate" in f.recommendation


def test_unverified_rows_are_not_advice(world):
    stored_result(world.p1, "CYP2D6", "*4/*4")
    (f,) = pgx_findings(world.p1.pk, "hydrocodone")
    assert (f.strength, f.action, f.actionable) == ("unverified", NOT_VERIFIED, False)
    assert "Avoid" not in f.recommendation and "avoid" not in f.recommendation


def test_latest_result_wins(world):
    stored_result(world.p1, "CYP2D6", "*1/*1")
    stored_result(world.p1, "CYP2D6", "*4/*4")
    (f,) = pgx_findings(world.p1.pk, "codeine")
    assert f.genes["CYP2D6"]["diplotype"] == "*4/*4"


def test_drug_without_cpic_data_gives_empty_list(world):
    assert pgx_findings(world.p1.pk, "gabapentin") == []


def test_catalogue_ids_are_the_names_used():
    catalogue = load_catalogue()
    catalogue_ids = {drug for drug in PANEL_DRUGS if drug in catalogue}
    for drug in ("codeine", "tramadol", "hydrocodone", "oxycodone", "celecoxib", "ibuprofen",
                 "meloxicam", "amitriptyline", "nortriptyline"):  # fmt: skip
        assert drug in catalogue_ids and drug in PANEL_DRUGS
