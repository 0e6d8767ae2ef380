"""What ``POST /fhir/QuestionnaireResponse`` answers: a Bundle with the score Observation and,
when the answers signal a risk of self-harm, the crisis panel as a Communication.

Why a Bundle, always. The crisis panel must be the next thing the patient sees, so a patient
app that submits through FHIR has to receive it in the answer to that very request, where it
cannot be overlooked. An Observation has no place for it: an extension may be ignored by
design, and a header is not read by FHIR clients. A Bundle of type ``collection`` carries
both resources as FHIR defines them. It is the shape of every answer (not only of a crisis),
so an app parses one shape and a crisis cannot arrive in a form it never tested:

- ``entry[0]``: the score Observation (also at ``GET /fhir/Observation/score-{id}``);
- ``entry[1]``, only when the answers signal a crisis: a ``Communication`` to the patient,
  category ``alert`` (communication-category), priority ``stat``, ``about`` the response.
  Show it at once, before anything else. Its ``payload`` is the panel in reading order:
  texts (``contentString``) and the lines to call (``contentReference`` to a contained
  ``HealthcareService`` per line, whose ``telecom`` is the number to dial and whose
  reference ``display`` is the number as written with its name; the clinic as a contained
  ``Organization``, also the ``sender``). ``text`` is the same panel as XHTML, for generic
  FHIR viewers. ``language`` is the panel's (the patient's, where the wording exists).

The lines, wording and their sources are those of the JSON API's ``crisis`` field
(``painpath.clinical.crisis_lines``).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from html import escape
from typing import Any, Protocol

from fhir.resources.R4B.bundle import Bundle

from painpath.clinical.crisis_lines import ShownLine

__all__ = ["CRISIS_CATEGORY", "CrisisPanelLike", "crisis_communication", "submission_bundle"]

CRISIS_CATEGORY = "http://terminology.hl7.org/CodeSystem/communication-category"
XHTML = "http://www.w3.org/1999/xhtml"


class CrisisPanelLike(Protocol):
    """The panel as ``painpath.patients.crisis`` builds it (read-only attributes)."""

    @property
    def language(self) -> str: ...
    @property
    def texts(self) -> Mapping[str, str]: ...
    @property
    def clinic_name(self) -> str: ...
    @property
    def clinic_phone(self) -> str: ...
    @property
    def clinic_phone_display(self) -> str: ...
    @property
    def instructions(self) -> str: ...
    @property
    def lines(self) -> Sequence[ShownLine]: ...
    @property
    def lines_on_file(self) -> bool: ...


def _line_text(line: ShownLine) -> str:
    return f"{line.number} {line.name}" + (f": {line.how}" if line.how else "")


def _service(index: int, line: ShownLine) -> dict[str, Any]:
    service: dict[str, Any] = {
        "resourceType": "HealthcareService",
        "id": f"line-{index}",
        "category": [{"text": line.kind}],
        "name": line.name,
        "telecom": [{"system": "phone", "value": line.dial, "rank": index}],
    }
    if line.how:
        service["comment"] = line.how
    return service


def _narrative(panel: CrisisPanelLike, ordered: list[ShownLine]) -> str:
    texts = panel.texts
    items = [
        f'<li><a href="tel:{escape(line.dial)}">{escape(line.number)}</a> {escape(line.name)}'
        + (f": {escape(line.how)}" if line.how else "")
        + "</li>"
        for line in ordered
    ]
    if not any(line.kind == "emergency" for line in ordered):
        items.insert(0, f"<li>{escape(texts['generic_emergency'])}</li>")
    if panel.clinic_phone:
        items.append(
            f'<li><a href="tel:{escape(panel.clinic_phone)}">'
            f"{escape(panel.clinic_phone_display)}</a> {escape(panel.clinic_name)}</li>"
        )
    parts = [
        f"<h1>{escape(texts['heading'])}</h1>",
        f"<p>{escape(texts['danger'])}</p>",
        f"<ul>{''.join(items)}</ul>",
    ]
    if not panel.lines_on_file:
        parts.append(f"<p>{escape(texts['no_lines'])}</p>")
    parts.append(f"<p>{escape(texts['intro'])}</p>")
    if panel.instructions:
        parts.append(f"<h2>{escape(texts['clinic_heading'])}: {escape(panel.clinic_name)}</h2>")
        parts.append(f"<p>{escape(panel.instructions)}</p>")
    parts.append(f"<p>{escape(texts['team_told'])}</p>")
    lang = escape(panel.language)
    return f'<div xmlns="{XHTML}" lang="{lang}" xml:lang="{lang}">{"".join(parts)}</div>'


def crisis_communication(
    panel: CrisisPanelLike,
    *,
    patient_id: int,
    response_id: int,
    sent: datetime,
    synthetic: bool,
) -> dict[str, Any]:
    """The crisis panel as a Communication to the patient (see the module docstring)."""
    texts = panel.texts
    ordered = sorted(panel.lines, key=lambda line: line.kind != "emergency")  # emergency first
    payload: list[dict[str, Any]] = [
        {"contentString": texts["heading"]},
        {"contentString": texts["danger"]},
    ]
    if not any(line.kind == "emergency" for line in ordered):
        payload.append({"contentString": texts["generic_emergency"]})
    for index, line in enumerate(ordered, 1):
        payload.append(
            {"contentReference": {"reference": f"#line-{index}", "display": _line_text(line)}}
        )
    clinic: dict[str, Any] = {
        "resourceType": "Organization",
        "id": "clinic",
        "name": panel.clinic_name,
    }
    if panel.clinic_phone:
        clinic["telecom"] = [{"system": "phone", "value": panel.clinic_phone}]
        display = f"{panel.clinic_phone_display} {panel.clinic_name}"
        payload.append({"contentReference": {"reference": "#clinic", "display": display}})
    if not panel.lines_on_file:
        payload.append({"contentString": texts["no_lines"]})
    payload.append({"contentString": texts["intro"]})
    if panel.instructions:
        heading = f"{texts['clinic_heading']}: {panel.clinic_name}"
        payload.append({"contentString": f"{heading}\n{panel.instructions}"})
    payload.append({"contentString": texts["team_told"]})
    body: dict[str, Any] = {
        "resourceType": "Communication",
        "id": f"crisis-{response_id}",
        "language": panel.language,
        "text": {"status": "generated", "div": _narrative(panel, ordered)},
        "contained": [clinic, *(_service(i, line) for i, line in enumerate(ordered, 1))],
        "status": "completed",
        "category": [
            {"coding": [{"system": CRISIS_CATEGORY, "code": "alert"}], "text": "crisis panel"}
        ],
        "priority": "stat",
        "subject": {"reference": f"Patient/{patient_id}"},
        "about": [{"reference": f"QuestionnaireResponse/{response_id}"}],
        "recipient": [{"reference": f"Patient/{patient_id}"}],
        "sender": {"reference": "#clinic"},
        "sent": sent.isoformat(),
        "payload": payload,
    }
    if synthetic:
        body["meta"] = {"tag": [{"code": "synthetic", "display": "SYNTHETIC record"}]}
    return body


def submission_bundle(
    *,
    observation: dict[str, Any],
    observation_url: str,
    communication: dict[str, Any] | None,
    timestamp: datetime,
) -> dict[str, Any]:
    """The answer to a submitted QuestionnaireResponse: a ``collection`` Bundle, validated."""
    entries: list[dict[str, Any]] = [{"fullUrl": observation_url, "resource": observation}]
    if communication is not None:
        # not stored as a resource of its own: a fresh id names it within this Bundle
        entries.append({"fullUrl": f"urn:uuid:{uuid.uuid4()}", "resource": communication})
    body = {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": timestamp.isoformat(),
        "entry": entries,
    }
    return Bundle.model_validate(body).model_dump(mode="json", exclude_none=True)
