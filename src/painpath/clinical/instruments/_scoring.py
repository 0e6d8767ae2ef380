"""Generic scoring: validate answers, apply the missing-item rule, compute score, bands, flags."""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from ._errors import AnswerError
from ._model import Instrument, Number, ScoreResult, ScoringMethod
from ._registry import get_instrument

__all__ = ["SEXES", "Answer", "is_whole_number", "parse_answers", "score", "validate_answers"]

Answer = int | None
SEXES = ("female", "male")  # the values an instrument weighted by sex (ORT) is scored for
_WHOLE_NUMBER = re.compile(r"-?[0-9]+")


def is_whole_number(text: str) -> bool:
    """ASCII digits with an optional leading minus. int() would also take "+1", "1_0",
    surrounding spaces and non-ASCII digits; the minus is let through so that a range
    check, not this one, names the allowed values."""
    return _WHOLE_NUMBER.fullmatch(text) is not None


def parse_answers(instrument: Instrument | str, text: str) -> list[Answer]:
    """Parse ``"1,2,,3"`` (published order, empty = missing) into answers, naming bad items."""
    definition = get_instrument(instrument) if isinstance(instrument, str) else instrument
    tokens = [token.strip() for token in text.split(",")]
    _check_count(definition, len(tokens))
    answers: list[Answer] = []
    for position, (item_id, token) in enumerate(zip(definition.item_ids, tokens, strict=True), 1):
        if token == "":
            answers.append(None)
            continue
        if not is_whole_number(token):
            raise AnswerError(
                f"{definition.id} item {item_id} (answer {position}): {token!r} is not a "
                "whole number (digits 0-9 only)"
            )
        answers.append(int(token))
    return answers


def validate_answers(
    instrument: Instrument, answers: Sequence[object], *, sex: str | None = None
) -> list[Answer]:
    """Check count, type, range and sex; return the answers as ints (None = missing)."""
    _check_count(instrument, len(answers))
    if instrument.requires_sex and sex not in SEXES:
        raise AnswerError(
            f"{instrument.id} requires sex 'female' or 'male' (its item weights differ by sex)"
            + ("" if sex is None else f"; got {sex!r}"),
            field="sex",
        )
    checked: list[Answer] = []
    for position, (item, value) in enumerate(zip(instrument.items, answers, strict=True), 1):
        where = f"{instrument.id} item {item.id} (answer {position})"
        if value is None:
            checked.append(None)
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise AnswerError(f"{where}: {value!r} is not a number")
        if value not in item.values:
            allowed = ", ".join(str(v) for v in item.values)
            raise AnswerError(f"{where}: {value!r} is not an allowed value ({allowed})")
        checked.append(int(value))
    return checked


def score(
    instrument: Instrument | str, answers: Sequence[object], *, sex: str | None = None
) -> ScoreResult:
    """Score one form. ``answers`` are option values of the scored items in published order."""
    definition = get_instrument(instrument) if isinstance(instrument, str) else instrument
    values = dict(
        zip(definition.item_ids, validate_answers(definition, answers, sex=sex), strict=True)
    )
    points = {
        item.id: item.option(value).points * item.weight_for(sex or "")
        for item in definition.items
        if (value := values[item.id]) is not None
    }
    rule = definition.scoring
    primary = _compute(
        definition,
        rule.method,
        items=rule.items,
        min_answered=rule.min_answered,
        points=points,
        decimals=rule.decimals,
    )
    subscales: dict[str, Number] = {}
    for subscale in definition.subscales:
        part = _compute(
            definition,
            subscale.method,
            items=subscale.items,
            min_answered=subscale.min_answered,
            points=points,
            decimals=rule.decimals,
        )
        if part is not None:
            subscales[subscale.name] = part
    return ScoreResult(
        instrument=definition.id,
        score=primary,
        band=_band(definition, primary, subscales),
        valid=primary is not None,
        subscales=subscales,
        flags=_flags(definition, primary, values),
        missing=tuple(item_id for item_id, value in values.items() if value is None),
    )


def _check_count(instrument: Instrument, count: int) -> None:
    expected = len(instrument.items)
    if count == expected:
        return
    if count < expected:
        missing = instrument.item_ids[count]
        detail = f"no answer for item {missing}; leave a position empty for a missing item"
    else:
        detail = f"answer {expected + 1} has no item"
    raise AnswerError(f"{instrument.id} takes {expected} answers, got {count} ({detail})")


def _compute(
    instrument: Instrument,
    method: ScoringMethod,
    *,
    items: Sequence[str],
    min_answered: int,
    points: dict[str, int],
    decimals: int,
) -> Number | None:
    answered = [item_id for item_id in items if item_id in points]
    if len(answered) < min_answered or not answered:
        return None
    total = sum(points[item_id] for item_id in answered)
    if method == "sum":
        return total
    if method == "lookup_sum":
        return dict(instrument.scoring.lookup)[total]
    if method == "mean":
        return _round(Fraction(total, len(answered)), decimals)
    most = sum(max(o.points for o in instrument.item(item_id).options) for item_id in answered)
    return _round(Fraction(total * 100, most), decimals)


def _round(value: Fraction, decimals: int) -> float:
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return float(exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))


def _band(
    instrument: Instrument, primary: Number | None, subscales: dict[str, Number]
) -> str | None:
    if primary is None:
        return None
    for band in instrument.bands:
        value = primary if band.on == "score" else subscales.get(band.on)
        if value is not None and band.contains(value):
            return band.label
    return None


def _flags(
    instrument: Instrument, primary: Number | None, values: dict[str, Answer]
) -> tuple[str, ...]:
    raised: list[str] = []
    for flag in instrument.flags:
        if flag.kind == "item_above":
            answer = values.get(flag.item or "")
            if answer is not None and answer > flag.threshold:
                raised.append(flag.label)
        elif primary is not None and primary >= flag.threshold:
            raised.append(flag.label)
    return tuple(raised)
