"""The synthetic cohort: SYNTHETIC people for the demo and the tests, deterministic by seed.

Nothing here describes a real person. Every record it makes is meant to be stored with
``synthetic=True`` and shown as synthetic; MRNs start with ``SYN-`` and clinic names say
"(synthetic)".

What it generates (same ``seed`` and ``as_of`` give the same cohort, byte for byte):

- Clinics: a main clinic (America/New_York) that holds most patients and a small second
  clinic (Europe/London) whose patients the first clinic's staff must never see.
- Staff: one administrator per clinic; in the main clinic two pain physicians, a nurse, a
  psychologist and a physiotherapist; one physician in the second clinic.
- Care teams with overlapping membership (the nurse and the psychologist sit on several), so
  a clinician sees exactly the union of their teams' patients.
- Patients: adults (age drawn around 52, 18-90), about 60% female, each with one or two pain
  conditions coded in ICD-10-CM and SNOMED CT from the condition catalogue
  (``painpath.clinical.conditions``) and, for some, comorbidities (depression, anxiety,
  sleep apnoea) from the same catalogue. The first patients of each clinic get log-ins.

The proportions are illustrative choices for a plausible demo panel, not epidemiological
facts. Later capabilities extend this module (diaries, medications, wearables, genotypes)
so the demo always shows every capability.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from faker import Faker

from painpath.clinical.conditions import ConditionCode, get_condition

__all__ = [
    "Cohort",
    "SynthClinic",
    "SynthCondition",
    "SynthPatient",
    "SynthStaff",
    "SynthTeam",
    "generate_cohort",
]

SYNTHETIC_MRN_PREFIX = "SYN-"

# (condition id in the catalogue, relative weight, care team key) — illustrative mix.
_PAIN_CONDITIONS: tuple[tuple[str, float, str], ...] = (
    ("chronic_low_back_pain", 0.26, "spine"),
    ("lumbar_radiculopathy", 0.10, "spine"),
    ("chronic_neck_pain", 0.08, "spine"),
    ("painful_diabetic_peripheral_neuropathy", 0.09, "neuro"),
    ("postherpetic_neuralgia", 0.05, "neuro"),
    ("crps_type_1", 0.03, "neuro"),
    ("fibromyalgia", 0.12, "widespread"),
    ("chronic_migraine", 0.05, "widespread"),
    ("knee_osteoarthritis", 0.12, "joints"),
    ("hip_osteoarthritis", 0.05, "joints"),
    ("chronic_postsurgical_pain", 0.05, "joints"),
)
# (condition id, share of patients with it)
_COMORBIDITIES: tuple[tuple[str, float], ...] = (
    ("major_depressive_disorder", 0.28),
    ("generalized_anxiety_disorder", 0.18),
    ("obstructive_sleep_apnea", 0.10),
)
_TEAMS: dict[str, str] = {
    "spine": "Spine and back pain",
    "neuro": "Neuropathic pain",
    "widespread": "Widespread pain and headache",
    "joints": "Joints and post-surgical pain",
}


@dataclass(frozen=True)
class SynthClinic:
    key: str
    name: str
    slug: str
    timezone: str


@dataclass(frozen=True)
class SynthStaff:
    username: str
    first_name: str
    last_name: str
    role: str  # "clinician" or "admin"
    profession: str
    clinic_key: str


@dataclass(frozen=True)
class SynthCondition:
    code: ConditionCode
    onset: date


@dataclass(frozen=True)
class SynthPatient:
    clinic_key: str
    mrn: str
    given_name: str
    family_name: str
    date_of_birth: date
    sex: str
    conditions: tuple[SynthCondition, ...]
    team_keys: tuple[str, ...]
    username: str | None = None


@dataclass(frozen=True)
class SynthTeam:
    clinic_key: str
    key: str
    name: str
    member_usernames: tuple[str, ...]


@dataclass(frozen=True)
class Cohort:
    seed: int
    as_of: date
    clinics: tuple[SynthClinic, ...]
    staff: tuple[SynthStaff, ...]
    teams: tuple[SynthTeam, ...]
    patients: tuple[SynthPatient, ...] = field(default_factory=tuple)


_CLINICS = (
    SynthClinic("main", "Riverside Pain Clinic (synthetic)", "riverside", "America/New_York"),
    SynthClinic("second", "Harbour Pain Centre (synthetic)", "harbour", "Europe/London"),
)
# username, first, last, role, profession, clinic, teams they sit on
_STAFF: tuple[tuple[str, str, str, str, str, str, tuple[str, ...]], ...] = (
    ("admin", "Alex", "Morgan", "admin", "", "main", ()),
    ("dr.rivera", "Elena", "Rivera", "clinician", "physician", "main", ("spine", "joints")),
    ("dr.okafor", "Chidi", "Okafor", "clinician", "physician", "main", ("neuro", "widespread")),
    ("nurse.chen", "Mei", "Chen", "clinician", "nurse", "main", ("spine", "neuro")),
    (
        "psych.novak",
        "Jana",
        "Novak",
        "clinician",
        "psychologist",
        "main",
        ("spine", "neuro", "widespread", "joints"),
    ),
    (
        "physio.haddad",
        "Omar",
        "Haddad",
        "clinician",
        "physiotherapist",
        "main",
        ("spine", "joints"),
    ),
    ("admin.harbour", "Sam", "Price", "admin", "", "second", ()),
    (
        "dr.walsh",
        "Fiona",
        "Walsh",
        "clinician",
        "physician",
        "second",
        ("spine", "neuro", "widespread", "joints"),
    ),
)
PATIENT_LOGINS_PER_CLINIC = 3
SECOND_CLINIC_SHARE = 0.15


def _age(rng: random.Random) -> int:
    return min(90, max(18, round(rng.gauss(52, 14))))


def _date_of_birth(rng: random.Random, as_of: date) -> date:
    age = _age(rng)
    return as_of - timedelta(days=int(age * 365.25) + rng.randrange(365))


def _pick_pain_conditions(rng: random.Random) -> list[tuple[str, str]]:
    ids = [c[0] for c in _PAIN_CONDITIONS]
    weights = [c[1] for c in _PAIN_CONDITIONS]
    team_of = {c[0]: c[2] for c in _PAIN_CONDITIONS}
    first = rng.choices(ids, weights)[0]
    picked = [first]
    if rng.random() < 0.3:  # a second pain diagnosis is common in a pain clinic
        second = rng.choices(ids, weights)[0]
        if second != first:
            picked.append(second)
    return [(cid, team_of[cid]) for cid in picked]


def _onset(rng: random.Random, as_of: date, dob: date) -> date:
    earliest = max(dob + timedelta(days=18 * 365), as_of - timedelta(days=15 * 365))
    span = max(1, (as_of - timedelta(days=120) - earliest).days)
    return earliest + timedelta(days=rng.randrange(span))


def _patient(
    rng: random.Random, fake: Faker, *, clinic: SynthClinic, number: int, as_of: date
) -> SynthPatient:
    sex = "female" if rng.random() < 0.6 else "male"
    given = fake.first_name_female() if sex == "female" else fake.first_name_male()
    dob = _date_of_birth(rng, as_of)
    conditions: list[SynthCondition] = []
    teams: list[str] = []
    for cid, team in _pick_pain_conditions(rng):
        conditions.append(SynthCondition(get_condition(cid), _onset(rng, as_of, dob)))
        if team not in teams:
            teams.append(team)
    for cid, share in _COMORBIDITIES:
        if rng.random() < share:
            conditions.append(SynthCondition(get_condition(cid), _onset(rng, as_of, dob)))
    return SynthPatient(
        clinic_key=clinic.key,
        mrn=f"{SYNTHETIC_MRN_PREFIX}{number:06d}",
        given_name=given,
        family_name=fake.last_name(),
        date_of_birth=dob,
        sex=sex,
        conditions=tuple(conditions),
        team_keys=tuple(teams),
    )


def generate_cohort(*, n_patients: int = 60, seed: int = 7, as_of: date) -> Cohort:
    """A whole synthetic clinic population; ``as_of`` anchors ages and onsets."""
    if n_patients < 1:
        raise ValueError("n_patients must be at least 1")
    rng = random.Random(seed)
    fake = Faker("en_US")
    fake.seed_instance(seed)

    staff = tuple(
        SynthStaff(username, first, last, role, profession, clinic)
        for username, first, last, role, profession, clinic, _teams in _STAFF
    )
    teams = tuple(
        SynthTeam(
            clinic.key,
            key,
            name,
            tuple(s[0] for s in _STAFF if s[5] == clinic.key and key in s[6]),
        )
        for clinic in _CLINICS
        for key, name in _TEAMS.items()
    )
    n_second = max(1, round(n_patients * SECOND_CLINIC_SHARE)) if n_patients > 1 else 0
    patients: list[SynthPatient] = []
    logins = {c.key: 0 for c in _CLINICS}
    for number in range(1, n_patients + 1):
        clinic = _CLINICS[1] if number > n_patients - n_second else _CLINICS[0]
        patient = _patient(rng, fake, clinic=clinic, number=number, as_of=as_of)
        if logins[clinic.key] < PATIENT_LOGINS_PER_CLINIC:
            logins[clinic.key] += 1
            suffix = "" if clinic.key == "main" else f".{clinic.slug}"
            patient = SynthPatient(
                **{**patient.__dict__, "username": f"patient{logins[clinic.key]}{suffix}"}
            )
        patients.append(patient)
    return Cohort(
        seed=seed,
        as_of=as_of,
        clinics=_CLINICS,
        staff=staff,
        teams=teams,
        patients=tuple(patients),
    )
