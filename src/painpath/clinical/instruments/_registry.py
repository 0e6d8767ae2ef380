"""The registry of shipped instruments: one TOML file per instrument under ``data/``."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from ._errors import UnknownInstrumentError
from ._loader import load_definition
from ._model import Instrument
from ._overlay import apply_text_overlay, load_text_overlay, overlay_path_for

__all__ = ["DATA_DIR", "get_instrument", "instrument_ids", "list_instruments"]

DATA_DIR = Path(__file__).parent / "data"


@cache
def _shipped() -> dict[str, Instrument]:
    definitions = [load_definition(path) for path in sorted(DATA_DIR.glob("*.toml"))]
    return {definition.id: definition for definition in definitions}


def instrument_ids() -> tuple[str, ...]:
    """Ids of every shipped instrument, sorted."""
    return tuple(sorted(_shipped()))


def get_instrument(instrument_id: str, *, licensed_text: bool = True) -> Instrument:
    """The instrument with this id; with ``licensed_text``, a clinic overlay is applied.

    The overlay is read from ``$PAINPATH_INSTRUMENT_TEXT_DIR/<id>.toml`` when that file exists.
    """
    try:
        instrument = _shipped()[instrument_id]
    except KeyError:
        known = ", ".join(instrument_ids())
        raise UnknownInstrumentError(
            f"unknown instrument {instrument_id!r}; known instruments: {known}"
        ) from None
    path = overlay_path_for(instrument_id) if licensed_text else None
    if path is None:
        return instrument
    return apply_text_overlay(instrument, load_text_overlay(path))


def list_instruments(*, licensed_text: bool = True) -> tuple[Instrument, ...]:
    """Every shipped instrument, sorted by id."""
    return tuple(get_instrument(i, licensed_text=licensed_text) for i in instrument_ids())
