"""The body map (regions, SNOMED CT codes, SVG shapes) and pain descriptors, from data/."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

__all__ = ["BodyMap", "Quality", "Region", "body_map"]

DATA = Path(__file__).with_name("data") / "body_map.toml"


@dataclass(frozen=True)
class Region:
    id: str
    label: str
    view: str
    snomed: str
    snomed_display: str
    verified_in: str
    shape: dict[str, object]
    side: str | None = None

    @property
    def svg_tag(self) -> str:
        return "ellipse" if self.shape["kind"] == "ellipse" else "rect"

    @property
    def svg_attrs(self) -> dict[str, object]:
        s = self.shape
        if s["kind"] == "ellipse":
            return {"cx": s["cx"], "cy": s["cy"], "rx": s["rx"], "ry": s["ry"]}
        return {"x": s["x"], "y": s["y"], "width": s["w"], "height": s["h"], "rx": s.get("r", 0)}


@dataclass(frozen=True)
class Quality:
    id: str
    label: str


@dataclass(frozen=True)
class BodyMap:
    version: str
    regions: tuple[Region, ...]
    qualities: tuple[Quality, ...]
    laterality: dict[str, tuple[str, str]]  # side -> (SNOMED code, display)
    sources: dict[str, str]

    def region(self, region_id: str) -> Region:
        for region in self.regions:
            if region.id == region_id:
                return region
        raise KeyError(region_id)

    @property
    def region_ids(self) -> frozenset[str]:
        return frozenset(r.id for r in self.regions)

    @property
    def quality_ids(self) -> frozenset[str]:
        return frozenset(q.id for q in self.qualities)

    def view(self, name: str) -> tuple[Region, ...]:
        return tuple(r for r in self.regions if r.view == name)


@cache
def body_map() -> BodyMap:
    raw = tomllib.loads(DATA.read_text(encoding="utf-8"))
    regions = tuple(
        Region(
            id=r["id"],
            label=r["label"],
            view=r["view"],
            snomed=r["snomed"],
            snomed_display=r["snomed_display"],
            verified_in=r["verified_in"],
            shape=dict(r["shape"]),
            side=r.get("side"),
        )
        for r in raw["regions"]
    )
    return BodyMap(
        version=raw["map"]["version"],
        regions=regions,
        qualities=tuple(Quality(q["id"], q["label"]) for q in raw["qualities"]["items"]),
        laterality={k: (v["code"], v["display"]) for k, v in raw["laterality"].items()},
        sources={s["id"]: s["citation"] for s in raw["sources"]},
    )
