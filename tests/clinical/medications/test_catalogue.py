"""The medication catalogue: coverage of the classes, verified codes, lookups, data checks."""

import pytest

from painpath.clinical import medications
from painpath.clinical.medications import (
    UnknownMedicationError,
    get_medication,
    load_catalogue,
)
from painpath.clinical.medications._catalogue import _parse
from painpath.clinical.mme import load_table

# RxCUIs as checked against the sources named in data/catalogue.toml.
VERIFIED_RXCUI = {
    "codeine": "2670",
    "fentanyl": "4337",
    "hydrocodone": "5489",
    "hydromorphone": "3423",
    "methadone": "6813",
    "morphine": "7052",
    "oxycodone": "7804",
    "oxymorphone": "7814",
    "tapentadol": "787390",
    "tramadol": "10689",
    "buprenorphine": "1819",
    "naloxone": "7242",
    "naltrexone": "7243",
    "acetaminophen": "161",
    "ibuprofen": "5640",
    "naproxen": "7258",
    "meloxicam": "41493",
    "diclofenac": "3355",
    "celecoxib": "140587",
    "gabapentin": "25480",
    "pregabalin": "187832",
    "duloxetine": "72625",
    "venlafaxine": "39786",
    "amitriptyline": "704",
    "nortriptyline": "7531",
    "carisoprodol": "2101",
    "cyclobenzaprine": "21949",
    "methocarbamol": "6845",
    "baclofen": "1292",
    "tizanidine": "57258",
    "alprazolam": "596",
    "clonazepam": "2598",
    "lorazepam": "6470",
    "zolpidem": "39993",
    "flurbiprofen": "4502",
    "diazepam": "3322",
    "oxazepam": "7781",
    "clobazam": "21241",
    "lidocaine": "6387",
}


def test_public_surface_is_exported():
    for name in medications.__all__:
        assert hasattr(medications, name), name


@pytest.mark.parametrize(("drug", "rxcui"), sorted(VERIFIED_RXCUI.items()))
def test_rxcui_matches_verified_code(drug, rxcui):
    assert load_catalogue()[drug].rxcui == rxcui


def test_catalogue_holds_exactly_the_verified_medicines():
    assert set(load_catalogue()) == set(VERIFIED_RXCUI)


@pytest.mark.parametrize(
    "drug_class",
    [
        "opioid",
        "nsaid",
        "acetaminophen",
        "gabapentinoid",
        "snri",
        "tricyclic",
        "muscle_relaxant",
        "benzodiazepine",
        "sedative_hypnotic",
        "topical",
        "overdose_reversal",
        "oud_medication",
    ],
)
def test_every_class_the_issue_names_is_represented(drug_class):
    assert any(m.has_class(drug_class) for m in load_catalogue().values())


def test_buprenorphine_and_methadone_are_oud_medications():
    assert get_medication("buprenorphine").has_class("oud_medication")
    assert get_medication("methadone").has_class("oud_medication")
    assert not get_medication("buprenorphine").is_opioid_analgesic


def test_every_cdc2022_opioid_is_catalogued_as_opioid_analgesic():
    table = load_table("cdc2022")
    for drug in table.factors:
        assert get_medication(drug).is_opioid_analgesic, drug
    catalogued = {m.id for m in load_catalogue().values() if m.is_opioid_analgesic}
    assert catalogued == set(table.factors)


@pytest.mark.parametrize(
    ("drug", "releases"),
    [
        ("methadone", {"er_la"}),
        ("fentanyl", {"er_la"}),
        ("oxycodone", {"ir", "er_la"}),
        ("codeine", {"ir"}),
        ("tramadol", {"ir"}),
    ],
)
def test_opioid_formulations(drug, releases):
    assert get_medication(drug).releases == releases


CNS_DEPRESSANTS = {
    # benzodiazepines
    "alprazolam",
    "clobazam",
    "clonazepam",
    "diazepam",
    "lorazepam",
    "oxazepam",
    # Z-drug
    "zolpidem",
    # skeletal muscle relaxants
    "baclofen",
    "carisoprodol",
    "cyclobenzaprine",
    "methocarbamol",
    "tizanidine",
}


def test_benzodiazepines_z_drugs_and_muscle_relaxants_are_cns_depressants():
    flagged = {m.id for m in load_catalogue().values() if m.cns_depressant}
    assert flagged == CNS_DEPRESSANTS
    classes = {"benzodiazepine", "sedative_hypnotic", "muscle_relaxant"}
    assert all(load_catalogue()[d].classes & classes for d in flagged)
    # every benzodiazepine and muscle relaxant is flagged; gabapentinoids have their own rule
    for medication in load_catalogue().values():
        if medication.classes & classes:
            assert medication.cns_depressant, medication.id
        if medication.has_class("gabapentinoid"):
            assert not medication.cns_depressant


def test_entries_added_in_2026_2_say_how_their_code_was_checked():
    for drug in CNS_DEPRESSANTS - {"clobazam", "diazepam", "oxazepam"} | {"flurbiprofen"}:
        check = load_catalogue()[drug].rxcui_check
        assert load_catalogue()[drug].rxcui in check, drug
    assert "LOWER CONFIDENCE" in load_catalogue()["tizanidine"].rxcui_check


def test_buprenorphine_is_an_opioid_but_not_an_analgesic_the_tables_convert():
    bup = get_medication("buprenorphine")
    assert bup.is_opioid and not bup.is_opioid_analgesic
    assert get_medication("methadone").is_opioid
    assert not get_medication("naloxone").is_opioid
    assert not get_medication("naltrexone").is_opioid


def test_every_medication_names_a_source_with_a_citation():
    for medication in load_catalogue().values():
        assert medication.rxcui.isdigit()
        assert medication.rxcui_source.citation


def test_rxcuis_are_unique():
    codes = [m.rxcui for m in load_catalogue().values()]
    assert len(codes) == len(set(codes))


@pytest.mark.parametrize("name", ["Paracetamol", "ACETAMINOPHEN", " acetaminophen "])
def test_find_accepts_alias_and_any_case(name):
    assert get_medication(name).id == "acetaminophen"


def test_unknown_drug_is_an_error_naming_it():
    with pytest.raises(UnknownMedicationError) as info:
        get_medication("oxycontin")
    assert str(info.value) == "unknown drug 'oxycontin': not in the painpath medication catalogue"


_HEADER = 'version = "t"\n[sources.s]\ncitation = "c"\nurl = "u"\n'


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            '[[medication]]\nid = "x"\nname = "x"\nrxcui = "1"\nrxcui_source = "nope"\n'
            'classes = ["nsaid"]\n',
            "medication 'x': unknown rxcui_source 'nope'",
        ),
        (
            '[[medication]]\nid = "x"\nname = "x"\nrxcui = "1"\nrxcui_source = "s"\n'
            'classes = ["nsaid"]\nreleases = ["ir"]\n',
            "medication 'x': releases are for opioids only",
        ),
    ],
)
def test_catalogue_data_errors(body, message):
    with pytest.raises(ValueError, match=message):
        _parse(_HEADER + body)
