"""Questionnaire flags: which ones signal a crisis (instrument data), and their link to the
alert that carries their state (see painpath.alerts.links for the semantics).

``unlinked_crisis_flags`` and ``link_flags`` are called by the alert evaluation through its
adapter (painpath.alerts.inputs), inside its transaction; they check no access themselves.
"""

from __future__ import annotations

from functools import cache

from painpath.assessments.models import Flag, QuestionnaireResponse
from painpath.clinical.instruments import UnknownInstrumentError, get_instrument

__all__ = ["crisis_labels", "link_flags", "signals_crisis", "unlinked_crisis_flags"]


@cache
def crisis_labels(instrument_id: str) -> frozenset[str]:
    """Labels of the instrument's flags that the instrument data marks as a crisis."""
    try:
        definition = get_instrument(instrument_id)
    except UnknownInstrumentError:
        return frozenset()
    return frozenset(f.label for f in definition.flags if f.crisis)


def signals_crisis(response: QuestionnaireResponse) -> bool:
    """Whether the response raised a crisis flag (a risk of self-harm)."""
    return bool(crisis_labels(response.instrument) & set(response.flags or ()))


def unlinked_crisis_flags(patient_id: int, instrument_id: str) -> list[Flag]:
    """The patient's crisis flags of the instrument not yet linked to an alert, locked for
    the caller's transaction."""
    return list(
        Flag.objects.select_for_update()
        .filter(patient_id=patient_id, instrument=instrument_id, crisis=True, alert__isnull=True)
        .order_by("raised_at", "pk")
    )


def link_flags(flag_ids: list[int], alert_id: int) -> int:
    return Flag.objects.filter(pk__in=flag_ids, alert__isnull=True).update(alert_id=alert_id)
