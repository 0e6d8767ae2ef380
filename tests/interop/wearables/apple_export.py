"""Writes a synthetic Apple Health export (export.xml, optionally zipped) for the tests."""

from __future__ import annotations

import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

TZ = timezone(timedelta(hours=1))
HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE HealthData [
<!ELEMENT HealthData (ExportDate,Me,(Record|Workout)*)>
<!ATTLIST Record type CDATA #REQUIRED unit CDATA #IMPLIED value CDATA #IMPLIED>
]>
<HealthData locale="en_US">
 <ExportDate value="2026-03-10 08:00:00 +0100"/>
 <Me HKCharacteristicTypeIdentifierBiologicalSex="HKBiologicalSexFemale"/>
"""


def _d(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S %z")


def write_export(
    path: Path, *, minutes: int, start: datetime | None = None, zipped: bool = False
) -> Path:
    start = start or datetime(2026, 3, 1, 8, 0, tzinfo=TZ)
    xml = path / "export.xml"
    with xml.open("w", encoding="utf-8") as out:
        out.write(HEAD)
        for i in range(minutes):
            t = start + timedelta(minutes=i)
            out.write(
                f' <Record type="HKQuantityTypeIdentifierHeartRate" sourceName="Watch" unit="count/min" '
                f'creationDate="{_d(t)}" startDate="{_d(t)}" endDate="{_d(t)}" value="{60 + i % 30}"/>\n'
                f' <Record type="HKQuantityTypeIdentifierStepCount" sourceName="Phone" unit="count" '
                f'creationDate="{_d(t)}" startDate="{_d(t)}" endDate="{_d(t + timedelta(minutes=1))}" value="{i % 50}"/>\n'
            )
        night = start.replace(hour=0) + timedelta(days=1)
        out.write(
            f' <Record type="HKCategoryTypeIdentifierSleepAnalysis" sourceName="Watch" startDate="{_d(night)}" '
            f'endDate="{_d(night + timedelta(hours=2))}" value="HKCategoryValueSleepAnalysisAsleepDeep"/>\n'
            f' <Record type="HKCategoryTypeIdentifierSleepAnalysis" sourceName="Watch" startDate="{_d(night)}" '
            f'endDate="{_d(night + timedelta(hours=8))}" value="HKCategoryValueSleepAnalysisInBed"/>\n'
            f' <Record type="HKQuantityTypeIdentifierHeartRateVariabilitySDNN" sourceName="Watch" unit="ms" '
            f'startDate="{_d(night)}" endDate="{_d(night + timedelta(minutes=1))}" value="40">\n'
            "  <HeartRateVariabilityMetadataList>\n"
            '   <InstantaneousBeatsPerMinute bpm="75" time="12:00:00.00 AM"/>\n'
            '   <InstantaneousBeatsPerMinute bpm="74" time="12:00:00.80 AM"/>\n'
            '   <InstantaneousBeatsPerMinute bpm="73" time="12:00:01.62 AM"/>\n'
            "  </HeartRateVariabilityMetadataList>\n"
            " </Record>\n"
            ' <Record type="HKQuantityTypeIdentifierBodyMass" sourceName="Scale" unit="kg" '
            f'startDate="{_d(start)}" endDate="{_d(start)}" value="70"/>\n'
            "</HealthData>\n"
        )
    if not zipped:
        return xml
    archive = path / "export.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(xml, "apple_health_export/export.xml")
    xml.unlink()
    return archive
