"""The prescribing-check contract: pgx_findings(patient_id, drug) -> list[PgxFinding]."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from table_gap import drop_cpic_row

from painpath.clinical import pgx
from painpath.clinical.medications import load_catalogue
from painpath.genomics.selectors import (
    NOT_VERIFIED,
    PANEL_DRUGS,
    PgxFinding,
    first_and_more,
    pgx_findings,
)
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


def test_unverified_rows_are_not_advice(world, monkeypatch):
    # Every drug in scope has a CPIC-checked table; a phenotype pair no checked row covers (here
    # the row removed from the loaded table) gets an unverified recommendation from the real
    # recommend(), and that must never be shown as advice.
    row = drop_cpic_row(monkeypatch, "clomipramine", lambda r: r["when"] == {
        "CYP2D6": ["Poor Metabolizer"], "CYP2C19": ["Normal Metabolizer"]})  # fmt: skip
    assert row["action"] == "avoid" and row["recommendation"].startswith("Avoid clomipramine use")
    stored_result(world.p1, "CYP2D6", "*4/*4")
    stored_result(world.p1, "CYP2C19", "*1/*1")
    rec = pgx.recommend("clomipramine", {"CYP2D6": pgx.phenotype("CYP2D6", "*4/*4"),
                                         "CYP2C19": pgx.phenotype("CYP2C19", "*1/*1")})  # fmt: skip
    assert (rec.verified, rec.strength, rec.action) == (False, "unverified", "consult guideline")
    (f,) = pgx_findings(world.p1.pk, "clomipramine")
    assert (f.strength, f.action, f.actionable) == ("unverified", NOT_VERIFIED, False)
    assert "Avoid" not in f.recommendation and "avoid" not in f.recommendation
    assert f.recommendation == "Not verified — consult the CPIC guideline."
    assert f.source == rec.source and "Verified from" not in f.source


def test_unverified_finding_keeps_only_the_testing_is_informative_sentence(world, monkeypatch):
    drop_cpic_row(monkeypatch, "amitriptyline", lambda r: r["when"]["CYP2D6"] == [
        "Poor Metabolizer"] and "No Result" in r["when"]["CYP2C19"])  # fmt: skip
    stored_result(world.p1, "CYP2D6", "*4/*4")  # no CYP2C19 on file
    (f,) = pgx_findings(world.p1.pk, "amitriptyline")
    assert (f.strength, f.action, f.actionable) == ("unverified", NOT_VERIFIED, False)
    assert f.recommendation == (
        "Not verified — consult the CPIC guideline. No CYP2C19 result on file; CYP2C19 testing "
        "is informative."
    )


def test_tertiary_amine_tca_is_checked_advice(world):
    stored_result(world.p1, "CYP2D6", "*4/*4")
    stored_result(world.p1, "CYP2C19", "*1/*1")
    (f,) = pgx_findings(world.p1.pk, "clomipramine")
    assert (f.strength, f.action, f.actionable) == ("optional", "avoid", True)


@pytest.mark.parametrize(
    "case",
    [
        ("hydrocodone", "CYP2D6", "*4/*4", "optional", "use label dose", False),
        ("nortriptyline", "CYP2D6", "*4/*4", "strong", "avoid", True),
        ("amitriptyline", "CYP2D6", "*1x2/*1", "strong", "avoid", True),  # CYP2C19 not on file
        ("ondansetron", "CYP2D6", "*1x2/*1", "moderate", "choose alternative", True),
        ("citalopram", "CYP2C19", "*2/*2", "moderate",
         "reduce starting dose 50% or choose alternative", True),
        ("meloxicam", "CYP2C9", "*3/*3", "moderate", "choose alternative", True),
        ("tenoxicam", "CYP2C9", "*1/*3", "optional", "choose alternative", True),
    ],
)  # fmt: skip
def test_checked_tables_drive_alerts(world, case):
    drug, gene, diplotype, strength, action, actionable = case
    stored_result(world.p1, gene, diplotype)
    (f,) = pgx_findings(world.p1.pk, drug)
    assert (f.strength, f.action, f.actionable) == (strength, action, actionable)
    assert "not verified" not in f.recommendation


def test_latest_result_wins(world):
    stored_result(world.p1, "CYP2D6", "*1/*1")
    stored_result(world.p1, "CYP2D6", "*4/*4")
    (f,) = pgx_findings(world.p1.pk, "codeine")
    assert f.genes["CYP2D6"]["diplotype"] == "*4/*4"


def test_latest_is_by_report_date_not_entry_time(world):
    newer_report = stored_result(world.p1, "CYP2D6", "*4/*4", report_date=date(2025, 3, 1))
    stored_result(world.p1, "CYP2D6", "*1/*1", report_date=date(2019, 6, 1))  # entered later
    undated = stored_result(world.p1, "CYP2D6", "*1x2/*1")  # no report date: counts as older
    assert undated.entered_at >= newer_report.entered_at
    (f,) = pgx_findings(world.p1.pk, "codeine")
    assert f.genes["CYP2D6"]["diplotype"] == "*4/*4"


def test_same_report_date_falls_back_to_entry_time(world):
    stored_result(world.p1, "CYP2C9", "*1/*1", report_date=date(2025, 3, 1))
    stored_result(world.p1, "CYP2C9", "*3/*3", report_date=date(2025, 3, 1))
    (f,) = pgx_findings(world.p1.pk, "celecoxib")
    assert f.genes["CYP2C9"]["diplotype"] == "*3/*3"


def test_uncertain_vcf_call_says_so_with_alternatives(world):
    stored_result(world.p1, "CYP2C19", "*1/*17", source_kind="vcf", uncertain=True,
                  alternatives=["*1/*4"], missing_positions=["chr10:94762706"])  # fmt: skip
    (f,) = pgx_findings(world.p1.pk, "citalopram")
    assert (f.action, f.actionable) == ("choose alternative", True)  # Rapid Metabolizer
    assert "Uncertain call: CYP2C19 *1/*17 (Rapid Metabolizer) is not certain" in f.recommendation
    assert "*1/*4 (Intermediate Metabolizer: use label dose)" in f.recommendation


def test_certain_call_has_no_uncertainty_note(world):
    stored_result(world.p1, "CYP2C19", "*1/*17", source_kind="vcf")
    (f,) = pgx_findings(world.p1.pk, "citalopram")
    assert "Uncertain" not in f.recommendation


def test_every_catalogue_drug_with_cpic_data_gets_a_finding(world):
    catalogue = load_catalogue()
    covered = [drug for drug in PANEL_DRUGS if drug in catalogue]
    assert {"codeine", "amitriptyline", "nortriptyline", "meloxicam", "celecoxib"} <= set(covered)
    for drug in covered:
        (f,) = pgx_findings(world.p1.pk, drug)
        assert f.drug == drug and not f.actionable  # nothing on file yet
        assert "informative" in f.action or f.action == "no genotype-based action"  # oxycodone


def test_drug_without_cpic_data_gives_empty_list(world):
    assert pgx_findings(world.p1.pk, "gabapentin") == []


def test_catalogue_ids_are_the_names_used():
    catalogue = load_catalogue()
    catalogue_ids = {drug for drug in PANEL_DRUGS if drug in catalogue}
    for drug in ("codeine", "tramadol", "hydrocodone", "oxycodone", "celecoxib", "ibuprofen",
                 "meloxicam", "amitriptyline", "nortriptyline"):  # fmt: skip
        assert drug in catalogue_ids and drug in PANEL_DRUGS


def test_source_label_is_the_drugs_guideline_short():
    f = PgxFinding("codeine", {}, "strong", "avoid", "text", "source", True)
    assert f.source_label == "CPIC, Crews 2021 (PMID 33387367)"
    assert f.source_label == pgx.drug_guideline("codeine").label


@pytest.mark.parametrize(
    ("n", "expected"),
    [(0, ""), (1, "<0>"), (3, "<0>, <1>, <2>"), (4, "<0>, <1>, <2> and 1 more"),
     (7, "<0>, <1>, <2> and 4 more")],
)  # fmt: skip
def test_first_and_more_renders_only_what_it_shows(n, expected):
    rendered = []

    def render(i):
        rendered.append(i)
        return f"<{i}>"

    assert first_and_more(list(range(n)), shown=3, more="and %d more", render=render) == expected
    assert rendered == list(range(min(n, 3)))  # the rest are counted, not rendered


def test_uncertain_call_lists_five_alternatives_and_counts_the_rest(world):
    alternatives = ["*1/*2", "*1/*3", "*1/*4", "*1/*9", "*2/*17", "*2/*2", "*3/*3"]
    stored_result(world.p1, "CYP2C19", "*1/*1", source_kind="vcf", uncertain=True,
                  alternatives=alternatives)  # fmt: skip
    (f,) = pgx_findings(world.p1.pk, "citalopram")
    assert "*2/*17 (Intermediate Metabolizer: use label dose) and 2 more (see the result)" in (
        f.recommendation
    )
    assert "*2/*2" not in f.recommendation and "*3/*3" not in f.recommendation
