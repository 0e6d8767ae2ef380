"""Licensed wording a clinic holds, loaded from its own TOML overlay onto the shipped structure."""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ._errors import TextOverlayError
from ._model import Instrument, Item, Option

__all__ = ["TEXT_DIR_ENV", "apply_text_overlay", "load_text_overlay", "overlay_path_for"]

TEXT_DIR_ENV = "PAINPATH_INSTRUMENT_TEXT_DIR"


def overlay_path_for(instrument_id: str) -> Path | None:
    """The clinic's overlay file for this instrument, if the env var points at one."""
    directory = os.environ.get(TEXT_DIR_ENV)
    if not directory:
        return None
    path = Path(directory) / f"{instrument_id}.toml"
    return path if path.is_file() else None


def load_text_overlay(path: Path) -> dict[str, Any]:
    """Read an overlay file; raises :class:`TextOverlayError` when it is not valid TOML."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise TextOverlayError(f"{path.name}: not valid TOML ({exc})") from exc


def apply_text_overlay(instrument: Instrument, overlay: Mapping[str, Any]) -> Instrument:
    """Return a copy of ``instrument`` carrying the overlay's wording; structure is unchanged.

    Every item and option named must exist, so a stale overlay fails loudly instead of
    silently showing the wrong words next to the wrong answer values.
    """
    name = instrument.id
    if overlay.get("instrument") != name:
        raise TextOverlayError(
            f"overlay for {name}: field 'instrument' must be {name!r}, "
            f"got {overlay.get('instrument')!r}"
        )
    if not str(overlay.get("holder", "")).strip():
        raise TextOverlayError(f"overlay for {name}: field 'holder' (the licence held) is required")
    texts = overlay.get("items", {})
    unknown = sorted(set(texts) - set(instrument.item_ids))
    if unknown:
        raise TextOverlayError(f"overlay for {name}: unknown items {', '.join(unknown)}")
    items = tuple(_apply_item(name, item, texts.get(item.id, {})) for item in instrument.items)
    return dataclasses.replace(
        instrument,
        items=items,
        instructions=overlay.get("instructions", instrument.instructions),
        licensed_text_loaded=True,
    )


def _apply_item(name: str, item: Item, spec: Mapping[str, Any]) -> Item:
    labels = {str(key): str(value) for key, value in spec.get("options", {}).items()}
    allowed = {str(value) for value in item.values}
    unknown = sorted(set(labels) - allowed)
    if unknown:
        raise TextOverlayError(
            f"overlay for {name}: item {item.id} has no option values {', '.join(unknown)}"
        )
    options = tuple(
        Option(
            value=option.value,
            label=labels.get(str(option.value), option.label),
            points=option.points,
            loinc=option.loinc,
        )
        for option in item.options
    )
    text = spec.get("text", item.text)
    return dataclasses.replace(item, text=None if text is None else str(text), options=options)
