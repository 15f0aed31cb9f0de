"""The typed lever builder mirrors YearLevers field by field, neutral until a measure acts."""

from __future__ import annotations

from dataclasses import fields

import numpy as np

from mobility_sim.scenario.levers import LeverBuilder, YearLevers, year_levers

#: Builder fields that are inputs of the build, not lever values.
BUILD_INPUTS = {"n_cells", "baseline_bus_bev_sales", "reference_grid_gco2e"}
#: YearLevers fields given to :meth:`LeverBuilder.freeze`.
FREEZE_ARGS = {"year", "active"}


def test_builder_has_exactly_the_lever_fields():
    builder = {f.name for f in fields(LeverBuilder)} - BUILD_INPUTS
    levers = {f.name for f in fields(YearLevers)} - FREEZE_ARGS
    assert builder == levers


def test_no_measure_gives_neutral_levers():
    lv = year_levers([], [], 2030, 4, 0.2)
    neutral = {f.name: f.default for f in fields(YearLevers) if f.name not in
               {"year", "bev_sales_share", "headway_factor", "active"}}
    for name, default in neutral.items():
        assert getattr(lv, name) == default, name
    np.testing.assert_array_equal(lv.headway_factor, np.ones(4))
    assert lv.bev_sales_share == 0.2 and lv.active == {}


def test_a_zone_that_spares_its_residents_gives_them_levers_of_their_own():
    # an outer zone charging everyone, then an inner ban sparing its residents (cells 0-1):
    # the residents meet the outer charge in full and the inner ban at their share; zones
    # written before the sparing one are in their levers too
    from mobility_sim.scenario.measures_car import LowEmissionZone

    def zone(**extra):
        return LowEmissionZone.model_validate({"type": "low_emission_zone", "label": "z",
                                               "start": 2026, "area": {"zone": "centre"},
                                               **extra})

    outer, inner = np.array([1, 1, 1, 0], bool), np.array([1, 1, 0, 0], bool)
    builder = LeverBuilder(n_cells=4, bev_sales_share=0.2)
    zone(rule="charge", charge_eur_per_trip=10.0, compliance=1.0).contribute(builder, 1.0, outer)
    assert builder.zone_residents is None  # nobody spared yet
    zone(compliance=0.8, residents_discount=0.75).contribute(builder, 1.0, inner)
    levers = builder.freeze(2030, {})
    np.testing.assert_array_equal(levers.zone_residents, inner)
    np.testing.assert_allclose(levers.ice_dest_avail, [0.2, 0.2, 1.0, 1.0])
    np.testing.assert_allclose(levers.resident_ice_dest_avail, [0.8, 0.8, 1.0, 1.0])
    np.testing.assert_allclose(levers.ice_dest_charge_eur, [10.0, 10.0, 10.0, 0.0])
    np.testing.assert_allclose(levers.resident_ice_dest_charge_eur, [10.0, 10.0, 10.0, 0.0])
