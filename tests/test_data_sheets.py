"""Checks for cities/<slug>/data_sheet.yaml (format: cities/DATA_SHEETS.md).

Every shipped city has a sheet; every sheet parses, names all fields, and every field is
either sourced (value + unit + year + definition + scope + source) or honestly marked
not_found with what was searched. Shares are fractions and add up; coordinates fall in the
city's grid; currencies are ISO codes.
"""
from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from mobility_sim.city.data_sheet import FIELDS, PT_METRICS, PT_MODES, SPLIT_UNITS

ROOT = Path(__file__).resolve().parents[1]
CITIES = ROOT / "cities"
SLUGS = sorted(p.name for p in CITIES.iterdir() if (p / "city.yaml").exists())

LIST_FIELDS = {"modal_splits", "pt_network"}
REQUIRED = ("value", "unit", "year", "definition", "scope", "source")
SPLIT_REQUIRED = ("year", "unit", "population", "purposes", "scope", "definition", "source")
MODES = ("walk", "bike", "pt", "car", "other")
CURRENCIES = {"EUR", "GBP", "SEK", "DKK", "NOK", "CZK", "HUF", "PLN", "CHF"}
FARE_FIELDS = {"fare_single", "fare_monthly_pass", "fare_revenue_per_trip",
               "parking_centre_per_hour"}
SHARE_FIELDS = {"car_free_households_share", "bus_fleet_zero_emission_share"}


def _load(path: Path):
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module", params=SLUGS)
def sheet(request):
    path = CITIES / request.param / "data_sheet.yaml"
    assert path.exists(), f"no data sheet for shipped city {request.param}"
    return request.param, _load(path)


def _entries(field):
    """A field as a list of entry mappings, or [] when not_found."""
    if isinstance(field, dict) and field.get("status") == "not_found":
        return []
    if isinstance(field, dict):
        return [field]
    assert isinstance(field, list) and field, "a field is a mapping, a non-empty list, or not_found"
    return field


def _num(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def test_all_shipped_cities_have_a_sheet():
    assert len(SLUGS) >= 29
    missing = [s for s in SLUGS if not (CITIES / s / "data_sheet.yaml").exists()]
    assert not missing, missing


def test_header_comment_documents_the_format():
    for slug in SLUGS:
        path = CITIES / slug / "data_sheet.yaml"
        assert path.exists(), slug
        text = path.read_text(encoding="utf-8")
        assert text.startswith("# Data sheet:"), slug
        assert "DATA_SHEETS.md" in text.splitlines()[0], slug


def test_top_level(sheet):
    slug, d = sheet
    assert d["format_version"] == 1
    assert d["city"] == slug
    assert isinstance(d["name"], str) and d["name"]
    assert set(d["fields"]) == set(FIELDS), set(d["fields"]) ^ set(FIELDS)


def test_not_found_fields_say_what_was_searched(sheet):
    _, d = sheet
    for name, f in d["fields"].items():
        if isinstance(f, dict) and "status" in f:
            assert f["status"] == "not_found", name
            assert isinstance(f.get("searched"), str) and len(f["searched"]) > 10, name
            assert "value" not in f, f"{name}: a not_found field carries no value (use hint)"
            assert set(f) <= {"status", "searched", "hint", "hint_value"}, (name, set(f))


def test_found_fields_are_sourced(sheet):
    slug, d = sheet
    for name, f in d["fields"].items():
        if name in LIST_FIELDS:
            continue
        for e in _entries(f):
            for k in REQUIRED:
                assert k in e and e[k] not in (None, ""), f"{slug}.{name}: missing {k}"
            assert isinstance(e["year"], int) and 1990 <= e["year"] <= 2060, (slug, name, e["year"])
            if name != "centre":
                v = e["value"]
                ok = _num(v) or (isinstance(v, list) and v and all(_num(x) for x in v))
                assert ok, (slug, name, v)
            if "url" in e:
                assert re.match(r"https?://", str(e["url"])), (slug, name)


def test_years_and_magnitudes_are_plausible(sheet):
    slug, d = sheet
    f = d["fields"]
    for e in _entries(f["population"]):
        assert 50_000 <= e["value"] <= 12_000_000, (slug, e["value"])
        assert e["year"] >= 2010, (slug, "population older than 2010")
    for e in _entries(f["population_projection"]):
        assert 50_000 <= e["value"] <= 15_000_000
        assert e["year"] >= 2025 and e.get("published", 0) <= e["year"], (slug, e)
    for e in _entries(f["area_km2"]):
        assert 10 <= e["value"] <= 2_500 and e["unit"] == "km2", (slug, e["value"])
    for e in _entries(f["employment_jobs"]):
        assert 10_000 <= e["value"] <= 8_000_000, (slug, e["value"])
    for e in _entries(f["cars_per_1000"]):
        assert 100 <= e["value"] <= 800, (slug, e["value"])
    for e in _entries(f["trip_rate"]):
        assert 1.0 <= e["value"] <= 5.0, (slug, e["value"])
    for e in _entries(f["mean_trip_length"]):
        assert 1.0 <= e["value"] <= 40.0 and e["unit"] == "km", (slug, e)
    for e in _entries(f["transport_ghg_inventory"]):
        assert 1e4 <= e["value"] <= 5e7 and "CO2" in e["unit"], (slug, e)


def test_shares_are_fractions(sheet):
    slug, d = sheet
    for name in SHARE_FIELDS:
        for e in _entries(d["fields"][name]):
            assert 0.0 <= e["value"] <= 1.0, (slug, name, e["value"])


def test_currency_codes(sheet):
    slug, d = sheet
    for name in FARE_FIELDS:
        for e in _entries(d["fields"][name]):
            code = str(e["unit"]).split()[0]
            assert code in CURRENCIES, (slug, name, e["unit"])
            vals = e["value"] if isinstance(e["value"], list) else [e["value"]]
            assert all(x >= 0 for x in vals)


def test_modal_splits(sheet):
    slug, d = sheet
    for s in _entries(d["fields"]["modal_splits"]):
        for k in SPLIT_REQUIRED:
            assert s.get(k) not in (None, ""), (slug, k)
        assert s["unit"] in SPLIT_UNITS, (slug, s["unit"])
        assert s["population"] in {"residents", "all", "workers", "commuters"}, (
            slug, s["population"])
        shares = {m: s.get(m) for m in MODES}
        given = {m: v for m, v in shares.items() if v is not None}
        assert given, f"{slug}: a split gives at least one mode"
        for m, v in given.items():
            assert _num(v) and 0.0 <= v <= 1.0, (slug, s["year"], m, v)
        assert sum(given.values()) <= 1.03, (slug, s["year"], sum(given.values()))
        if all(shares[m] is not None for m in ("walk", "bike", "pt", "car")):
            assert abs(sum(given.values()) - 1.0) <= 0.03, (slug, s["year"], sum(given.values()))


def test_pt_network(sheet):
    slug, d = sheet
    for e in _entries(d["fields"]["pt_network"]):
        for k in REQUIRED:
            assert e.get(k) not in (None, ""), (slug, k)
        assert e["mode"] in PT_MODES, (slug, e["mode"])
        assert e["metric"] in PT_METRICS, (slug, e["metric"])
        assert _num(e["value"]) and e["value"] >= 0
        if e["metric"] == "electrified_share":
            assert e["value"] <= 1.0


def _grid_bbox(slug):
    import json

    import pyarrow.parquet as pq
    md = pq.read_schema(CITIES / slug / "grid.parquet").metadata
    geo = json.loads(md[b"geo"])
    col = geo["primary_column"]
    bbox = geo["columns"][col].get("bbox")
    return bbox


def test_centre_in_grid_bbox(sheet):
    """The centre (sourced value or unsourced hint) lies within the urban-centre grid (+2 km)."""
    slug, d = sheet
    f = d["fields"]["centre"]
    pts = [e["value"] for e in _entries(f)]
    if isinstance(f, dict) and "hint_value" in f:
        pts.append(f["hint_value"])
    assert pts, f"{slug}: centre needs a value or a hint_value"
    bbox = _grid_bbox(slug)
    if bbox is None:
        pytest.skip("grid has no bbox metadata")
    from pyproj import Transformer
    tr = Transformer.from_crs("EPSG:4326", "EPSG:3035", always_xy=True)
    for p in pts:
        assert isinstance(p.get("name"), str) and p["name"]
        x, y = tr.transform(p["lon"], p["lat"])
        inside = (bbox[0] - 2000 <= x <= bbox[2] + 2000
                  and bbox[1] - 2000 <= y <= bbox[3] + 2000)
        assert inside, (slug, p, bbox)


def test_data_sheets_doc_exists():
    doc = (CITIES / "DATA_SHEETS.md").read_text(encoding="utf-8")
    for name in FIELDS:
        assert f"`{name}`" in doc, name
