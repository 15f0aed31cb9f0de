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
