"""External zones: residents' trips leave the grid, non-residents' trips come in (issue 20).

The zones are placed and sized from published figures (FUA populations, commuting counts);
the kernel gives them destination and mode choice like any cell, never a trip between two of
them; their defaults are medians of the shipped cities' published figures.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from mobility_sim.kernels.fused import demand_fused
from mobility_sim.kernels.spec import BIKE, CAR_MODES, EBIKE, PT, PURPOSES, WALK

from mobility_sim.city import load_city
from mobility_sim.city.data_sheet import load_data_sheet
from mobility_sim.city.surroundings import LARGER_UNIT, city_surroundings
from mobility_sim.data import parameters, read_table
from mobility_sim.model.base_year import BaselineModel
from mobility_sim.model.external import external_zones
from mobility_sim.model.inputs import cell_layers
from mobility_sim.model.parameters import resolve_parameters

COMMUTE = PURPOSES.index("commute")


@pytest.fixture(scope="module")
def helsinki(repo_root):
    return load_city(repo_root / "cities" / "helsinki")


@pytest.fixture(scope="module")
def helsinki_model(helsinki):
    return BaselineModel.build(helsinki, calibrated=True)


def test_zones_sit_beyond_the_grid_edge_in_every_sector(helsinki):
    p = resolve_parameters(helsinki)
    zones = external_zones(helsinki, cell_layers(helsinki, p), p)
    assert zones is not None and zones.count == 8
    x, y = helsinki.grid["x"].to_numpy(), helsinki.grid["y"].to_numpy()
    for zx, zy in zip(zones.x, zones.y, strict=True):
        nearest_km = np.hypot(x - zx, y - zy).min() / 1000.0
        assert nearest_km >= zones.beyond_km  # beyond the edge by at least beyond_km


def test_outside_population_is_the_published_fua_population_minus_the_grid(helsinki):
    fua = read_table("functional_urban_areas.csv")
    rows = fua[(fua["city"] == "helsinki") & (fua["quantity"] == "fua_population")]
    latest = float(rows.sort_values("year")["value"].iloc[-1])
    grid = float(helsinki.grid["population"].sum())
    assert helsinki.meta.surroundings is not None
    assert helsinki.meta.surroundings.outside_population == pytest.approx(latest - grid, abs=1)
    p = resolve_parameters(helsinki)
    zones = external_zones(helsinki, cell_layers(helsinki, p), p)
    assert zones.outside_population.sum() == pytest.approx(latest - grid, abs=1)


def test_residents_leave_and_non_residents_come_in(helsinki_model):
    out = helsinki_model.run()
    flows = helsinki_model.flows
    assert flows is not None
    assert flows.outbound_trips.sum() > 0 and flows.inbound_trips.sum() > 0
    # nobody walks or cycles across the edge
    for m in (WALK, BIKE, EBIKE):
        assert flows.outbound_trips[:, m].sum() == 0 and flows.inbound_trips[:, m].sum() == 0
    assert flows.inbound_trips[:, list(CAR_MODES)].sum() > 0
    assert flows.inbound_trips[:, PT].sum() > 0
    # the grid's outputs are its residents' trips only; arrivals include the non-residents
    n = helsinki_model.city.n_cells
    assert out.trips.shape[2] == n
    produced = out.trips.sum() + flows.inbound_trips.sum()
    arrived = out.trips_to.sum() + flows.outbound_trips.sum()
    assert arrived == pytest.approx(produced, rel=1e-9)


def test_the_published_out_commuting_share_is_reproduced(helsinki_model):
    # commute is balanced to destination totals: the share of the grid's commute trips that
    # leave it is out_commute_share (Statistics Finland: 73,000 of 314,600, scaled to the grid)
    model = helsinki_model
    inputs, params = model.inputs, model.params
    commute = demand_fused(inputs, params, purposes=[COMMUTE])
    n = model.city.n_cells
    residents = float(inputs.productions(params.trip_rate, COMMUTE)[:, :n].sum())
    leaving = float(commute.trips_to[n:].sum())
    assert leaving / residents == pytest.approx(model.external.out_commute_share, rel=1e-4)


def test_switching_external_zones_off_closes_the_grid(helsinki):
    model = BaselineModel.build(helsinki, {"external.enabled": 0.0}, calibrated=True)
    assert model.external is None and model.inputs.n_cells == helsinki.n_cells
    model.run()
    assert model.flows is None


def _shipped_surroundings(repo_root):
    rows = []
    for slug in pd.read_csv(repo_root / "mobility_sim" / "data" / "cities.csv")["slug"]:
        city = load_city(repo_root / "cities" / slug)
        sheet = load_data_sheet(repo_root / "cities" / slug)
        published = sheet.latest("population") if sheet is not None else None
        muni = ((float(published.value), "") if published is not None
                and isinstance(published.value, int | float) else None)
        s = city_surroundings(slug, float(city.grid["population"].sum()), muni)
        rows.append((slug, float(city.grid["population"].sum()), s))
    return rows


def test_the_defaults_are_the_medians_of_the_published_figures(repo_root):
    # parameters.csv says: medians over the shipped cities with published figures
    rows = _shipped_surroundings(repo_root)
    ratio = [s.outside_population / g for _, g, s in rows
             if s is not None and s.outside_population is not None]
    entering = [s.entering_share for _, _, s in rows if s is not None and s.entering_share]
    out_share = [s.out_commute_share for _, _, s in rows if s is not None and s.out_commute_share]
    p = parameters()
    assert len(ratio) == 26 and len(entering) == 9 and len(out_share) == 12
    assert p["external.outside_population_ratio"] == pytest.approx(np.median(ratio), abs=0.005)
    assert p["external.entering_share"] == pytest.approx(np.median(entering), abs=0.005)
    assert p["external.out_commute_share"] == pytest.approx(np.median(out_share), abs=0.005)


def test_counts_for_a_larger_unit_than_the_city_are_not_used():
    for slug in LARGER_UNIT:
        s = city_surroundings(slug, 1e6, (1e6, "test"))
        assert s is None or (s.entering_share is None and s.out_commute_share is None)
