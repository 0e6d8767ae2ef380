"""Plain reads for other capabilities' services (they check access and audit themselves)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from painpath.assessments.models import Flag, QuestionnaireResponse

__all__ = ["latest_item_answer", "open_urgent_flags", "score_series"]


def latest_item_answer(
    patient_id: int, instrument_id: str, item_id: str
) -> tuple[date, int] | None:
    """(local day, answer value) of ``item_id`` in the patient's most recent response to the
    instrument; None if there is no response or that item was left unanswered."""
    from painpath.clinical.instruments import get_instrument  # noqa: PLC0415

    latest = (
        QuestionnaireResponse.objects.filter(patient_id=patient_id, instrument=instrument_id)
        .order_by("-completed_at", "-pk")
        .values_list("day", "answers")
        .first()
    )
    if latest is None:
        return None
    day, answers = latest
    position = get_instrument(instrument_id).item_ids.index(item_id)
    value = answers[position] if position < len(answers) else None
    return None if value is None else (day, int(value))


def score_series(patient_id: int, instrument_id: str) -> list[tuple[date, float]]:
    """(local day, score) of every scorable response to the instrument, oldest first."""
    rows = (
        QuestionnaireResponse.objects.filter(
            patient_id=patient_id, instrument=instrument_id, score__isnull=False
        )
        .order_by("completed_at", "pk")
        .values_list("day", "score")
    )
    return [(day, float(value)) for day, value in rows if value is not None]


def open_urgent_flags(patient_ids: list[int]) -> dict[int, list[str]]:
    """Open (not yet reviewed) urgent flag labels per patient, in one query. A flag linked to
    an alert is not counted: the alert carries its state (and ranks the patient itself)."""
    found: dict[int, list[str]] = defaultdict(list)
    rows = (
        Flag.objects.filter(
            patient_id__in=patient_ids,
            urgent=True,
            reviewed_at__isnull=True,
            alert__isnull=True,
        )
        .order_by("patient_id", "-raised_at")
        .values_list("patient_id", "label")
    )
    for patient_id, label in rows:
        if label not in found[patient_id]:
            found[patient_id].append(label)
    return dict(found)
