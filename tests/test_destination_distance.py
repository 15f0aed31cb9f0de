"""A distance term of destination choice's own, beside the mode-choice logsum.

The engines' equivalence with the term (fused against reference, both logsum-coefficient paths,
nests and balancing) is tested in ``test_kernel_fused_equivalence.py`` and
``test_kernel_trips_by_destination.py``; here the model's parameters reach the kernels, the
default leaves the model as it was, and a scenario's values are checked with their line.
"""

from __future__ import annotations

import numpy as np
import pytest

from mobility_sim.city import load_city
from mobility_sim.data import read_table
from mobility_sim.exceptions import ScenarioError
from mobility_sim.model.base_year import BaselineModel
from mobility_sim.scenario import load_scenario
from tests.test_scenario_loading import GOOD, write


def test_the_default_is_no_distance_term_and_says_so():
    table = read_table("parameters.csv").set_index("key")
    for purpose in ("commute", "other"):
        row = table.loc[f"destination.distance.{purpose}"]
        assert float(row["value"]) == 0.0
        assert "assumption" in row["source"] and "ActivitySim" in row["source"]
    model = BaselineModel.build(load_city("york"), calibrated=True)
    np.testing.assert_array_equal(model.params.dest_distance_coef, [0.0, 0.0])


def test_a_distance_term_set_in_the_parameters_shortens_the_citys_trips():
    city = load_city("york")
    lengths = []
    for coef in (0.0, -0.2):
        model = BaselineModel.build(city, {"destination.distance.other": coef},
                                    calibrated=True)
        assert model.params.dest_distance_coef[1] == coef
        out = model.run()
        lengths.append(float(out.pkm[:, 1].sum() / out.trips[:, 1].sum()))
    assert lengths[1] < 0.9 * lengths[0]


def test_scenario_distance_parameters_are_checked_with_their_line(tmp_path, small_city):
    text = GOOD.replace("measures:\n", "parameters: {destination.distance.other: 0.1, "
                                       "destination.distance.commute: -0.1, "
                                       "destination.scale.commute: 0}\nmeasures:\n")
    with pytest.raises(ScenarioError) as err:
        load_scenario(write(tmp_path, text), city=small_city)
    joined = "\n".join(err.value.problems)
    assert ("s.yaml:4: parameters.destination.distance.other: destination.distance.other is a "
            "marginal utility in 1/km and must be <= 0") in joined
    assert ("s.yaml:4: parameters.destination.distance.commute: destination.distance.commute = "
            "-0.1 needs destination.scale.commute above 0 (got 0)") in joined
