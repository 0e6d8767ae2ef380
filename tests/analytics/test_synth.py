"""The synthetic cohort: deterministic, plausible, coded, and always labelled synthetic."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from painpath.analytics.synth import SYNTHETIC_MRN_PREFIX, generate_cohort
from painpath.clinical.conditions import is_valid_icd10cm_format, is_valid_snomed_id

AS_OF = date(2026, 11, 1)


def test_same_seed_same_cohort_and_other_seed_differs():
    assert generate_cohort(n_patients=30, seed=3, as_of=AS_OF) == generate_cohort(
        n_patients=30, seed=3, as_of=AS_OF
    )
    assert (
        generate_cohort(n_patients=30, seed=4, as_of=AS_OF).patients
        != generate_cohort(n_patients=30, seed=3, as_of=AS_OF).patients
    )


def test_everyone_is_recognisably_synthetic():
    cohort = generate_cohort(n_patients=50, seed=1, as_of=AS_OF)
    assert all(p.mrn.startswith(SYNTHETIC_MRN_PREFIX) for p in cohort.patients)
    assert all("(synthetic)" in c.name for c in cohort.clinics)
    assert len({p.mrn for p in cohort.patients}) == 50


def test_demographics_are_adult_and_plausible():
    cohort = generate_cohort(n_patients=400, seed=2, as_of=AS_OF)
    ages = [(AS_OF - p.date_of_birth).days / 365.25 for p in cohort.patients]
    assert min(ages) >= 18 and max(ages) < 92
    assert 45 <= sum(ages) / len(ages) <= 60
    female = sum(p.sex == "female" for p in cohort.patients) / 400
    assert 0.5 <= female <= 0.7


def test_every_patient_has_a_coded_pain_condition_with_past_onset():
    cohort = generate_cohort(n_patients=200, seed=5, as_of=AS_OF)
    kinds = Counter()
    for p in cohort.patients:
        pain = [c for c in p.conditions if c.code.category == "pain_condition"]
        assert pain, p.mrn
        for c in p.conditions:
            assert is_valid_icd10cm_format(c.code.icd10cm_code)
            assert c.code.snomed_id is None or is_valid_snomed_id(c.code.snomed_id)
            assert p.date_of_birth < c.onset < AS_OF
        kinds.update(c.code.id for c in pain)
    # the mix the demo promises
    for needed in (
        "chronic_low_back_pain",
        "fibromyalgia",
        "knee_osteoarthritis",
        "painful_diabetic_peripheral_neuropathy",
        "chronic_postsurgical_pain",
    ):
        assert kinds[needed] > 0, needed


def test_care_teams_overlap_and_cover_every_patient():
    cohort = generate_cohort(n_patients=60, seed=7, as_of=AS_OF)
    membership = Counter(u for t in cohort.teams for u in t.member_usernames)
    assert membership["nurse.chen"] >= 2 and membership["psych.novak"] >= 2
    team_keys = {(t.clinic_key, t.key) for t in cohort.teams if t.member_usernames}
    for p in cohort.patients:
        assert p.team_keys and all((p.clinic_key, k) in team_keys for k in p.team_keys)


def test_second_clinic_and_patient_logins():
    cohort = generate_cohort(n_patients=60, seed=7, as_of=AS_OF)
    by_clinic = Counter(p.clinic_key for p in cohort.patients)
    assert by_clinic["second"] == 9 and by_clinic["main"] == 51
    logins = [p.username for p in cohort.patients if p.username]
    assert logins == [
        "patient1",
        "patient2",
        "patient3",
        "patient1.harbour",
        "patient2.harbour",
        "patient3.harbour",
    ]


def test_bad_size_is_refused():
    with pytest.raises(ValueError, match="n_patients"):
        generate_cohort(n_patients=0, seed=1, as_of=AS_OF)
