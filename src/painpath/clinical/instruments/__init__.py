"""Validated pain, mood and risk instruments as data, with exact generic scoring.

Each instrument is one TOML file under ``data/`` naming its sources, licence, recall period,
items (with LOINC codes where verified), answer options, scoring rule, missing-item rule,
subscales, bands, flags and change thresholds. :func:`score` interprets any of them::

    >>> from painpath.clinical.instruments import score
    >>> score("phq9", [1, 1, 1, 1, 1, 0, 0, 0, 0]).to_dict()["band"]
    'mild'

Licensed wording (BPI, ODI, ORT, PROMIS, PCS, PSEQ, TSK-11, STarT Back, DN4, PEG) is *not*
shipped: those files carry neutral short labels (``full_text = false``). A clinic that holds
a licence loads the wording from its own overlay: set ``PAINPATH_INSTRUMENT_TEXT_DIR`` to a
directory holding ``<instrument id>.toml`` files; :func:`get_instrument` applies it. Format::

    instrument = "bpi_sf"                 # must equal the file's instrument id
    holder = "MD Anderson licence 2025-123, Example Pain Clinic"   # required
    instructions = "..."                  # optional
    [items.worst]                         # item ids as in data/bpi_sf.toml
    text = "Please rate your pain by ..."
    [items.worst.options]                 # optional: relabel options by value
    "0" = "No pain"
    "10" = "Pain as bad as you can imagine"

An overlay can only change words, never values, points, items or scoring; an unknown item
or option value is a :class:`TextOverlayError`. Use :func:`load_text_overlay` and
:func:`apply_text_overlay` directly to apply an overlay from elsewhere.
"""

from ._errors import (
    AnswerError,
    DefinitionError,
    InstrumentError,
    TextOverlayError,
    UnknownInstrumentError,
)
from ._model import (
    Band,
    ChangeThreshold,
    Flag,
    Instrument,
    Item,
    Option,
    ScoreResult,
    ScoringRule,
    Source,
    Subscale,
)
from ._overlay import TEXT_DIR_ENV, apply_text_overlay, load_text_overlay
from ._registry import get_instrument, instrument_ids, list_instruments
from ._scoring import SEXES, is_whole_number, parse_answers, score, validate_answers

__all__ = [
    "SEXES",
    "TEXT_DIR_ENV",
    "AnswerError",
    "Band",
    "ChangeThreshold",
    "DefinitionError",
    "Flag",
    "Instrument",
    "InstrumentError",
    "Item",
    "Option",
    "ScoreResult",
    "ScoringRule",
    "Source",
    "Subscale",
    "TextOverlayError",
    "UnknownInstrumentError",
    "apply_text_overlay",
    "get_instrument",
    "instrument_ids",
    "is_whole_number",
    "list_instruments",
    "load_text_overlay",
    "parse_answers",
    "score",
    "validate_answers",
]
