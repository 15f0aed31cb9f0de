"""What measures cost and what they are worth: unit costs, cost rules, appraisal.

``appraise_run(loaded, results, contributions)`` is the one entry point: it reads the published
unit costs (``mobility_sim/data/measure_unit_costs.csv``) and appraisal parameters
(``appraisal_parameters.csv``), turns each measure into cost lines by its type's rule
(:mod:`.rules`), and appraises them (:mod:`.appraisal`). ``docs/costs.md`` explains it all.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import AnalysisError
from .appraisal import Appraisal, abated_output, appraise, cobenefit_value
from .prices import PRICE_YEAR, Prices
from .rules import CostContext, cost_lines
from .unit_costs import UnitCosts

__all__ = ["PRICE_YEAR", "Appraisal", "Prices", "UnitCosts", "abated_output", "appraise",
           "appraise_run", "cobenefit_value", "cost_context"]


def cost_context(loaded: Any, results: Any) -> CostContext:
    """Return what the cost rules read of ``loaded``'s city and the run ``results``."""
    import shapely

    from ..model.inputs import cell_layers
    from ..model.parameters import resolve_parameters
    from ..model.traffic import street_density

    city = loaded.city
    p = resolve_parameters(city, loaded.scenario.parameters, calibration=False)
    layers = cell_layers(city, p)
    cell_km2 = (city.meta.cell_size_m / 1000.0) ** 2
    grid = city.grid
    density = street_density(city, p)[0]

    def line_km(measure: Any) -> float:
        wkt = getattr(measure.line, "wkt", None)
        return float(shapely.from_wkt(wkt).length) / 1000.0 if wkt else 0.0

    headway = np.asarray(layers.pt_headway_min, float)
    return CostContext(
        units=UnitCosts.for_country(city.meta.country),
        years=loaded.scenario.years.as_list(), cell_km2=cell_km2,
        street_km=density * cell_km2, population=grid["population"].to_numpy(float),
        cycle_infra_share=np.asarray(layers.bike_infra, float),
        parking_eur_per_hour=np.asarray(layers.parking_eur_per_hour, float),
        pt_service_weight=np.where(headway > 0, 1.0 / np.maximum(headway, 1e-9), 0.0),
        params={k: float(v) for k, v in dict(p).items()
                if isinstance(v, (int, float, np.floating))},
        summary=results.summary,
        reference=results.reference if not results.reference.empty else results.summary,
        zones=results.zones, fleet=results.fleet, modes=results.modes, line_km=line_km,
        country=city.meta.country,
        reference_on=bool(getattr(loaded.scenario.reference, "freight_co2_standards", True)),
        jobs=grid["jobs"].to_numpy(float),
        stop_distance_m=np.asarray(layers.pt_stop_distance_m, float))


def appraise_run(loaded: Any, results: Any, contributions: pd.DataFrame | None = None, *,
                 discount_rate: float | None = None, output: str | None = None) -> Appraisal:
    """Appraise the measures of a run (costs; with ``contributions``, EUR per tonne too).

    Parameters
    ----------
    loaded : LoadedScenario
        The scenario the run was made from.
    results : Results
        Its results (with the reference case: ``simulate.run`` keeps it by default).
    contributions : pandas.DataFrame, optional
        Shapley contributions of its measures (:class:`~mobility_sim.analysis.attribution.
        Attribution` ``.contributions``).
    discount_rate : float, optional
        Social discount rate (default: the European Commission's, ``appraisal_parameters.csv``).
    output : str, optional
        The abated output (default: territorial well-to-wheel CO2e when the run has it).
    """
    from ..scenario.base import distinct_names
    from ..scenario.levers import intensity

    prices = Prices.load()
    rate = prices.discount_rate() if discount_rate is None else discount_rate
    if not 0.0 <= rate < 1.0:
        raise AnalysisError(f"--discount-rate {rate:g}: give a real social discount rate as a "
                            "share between 0 and 1, e.g. 0.03 for 3 %")
    ctx = cost_context(loaded, results)
    measures = list(loaded.scenario.measures)
    names = distinct_names([m.display_label for m in measures])
    lines = [cost_lines(m, mask, ctx) for m, mask in zip(measures, loaded.masks, strict=True)]
    population = float(results.summary["population"].iloc[0])
    area_type = "metropolitan" if population >= 500_000 else "urban"
    return appraise(measures, names, lines, intensity, ctx.years, discount_rate=rate,
                    prices=prices, country=loaded.city.meta.country, area_type=area_type,
                    contributions=contributions, output=output)
