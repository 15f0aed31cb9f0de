"""How prices shift the new-car mix: a binary logit of battery-electric against combustion.

The year's battery-electric share of new cars without the scenario's prices ``s`` (the reference
case's, or an ``ev_sales_share`` measure's) is the starting point; a price the scenario adds to
running a combustion car moves its log-odds::

    logit(s') = logit(s) + coef_per_keur / 1000 * years_valued * saving

(plus ``coef_per_keur / 1000 x subsidy`` for a purchase subsidy of an electric car) where
``saving`` is the extra running cost of a new combustion car per year, EUR:
``annual_km x (fuel price change x litres per km + extra carbon price x kg CO2 per km / 1000)``.
Buyers count ``years_valued`` years of it as purchase price (Hidrue et al. 2011: about five;
Allcott and Wozny 2014: 0.76 of the discounted fuel cost), and a euro of purchase-price
advantage moves the log-odds by ``coef_per_keur / 1000`` (Munzel et al. 2019: 1,000 EUR of
incentive, 5-7 % more plug-in sales at low shares). Sources and definitions are in
``fleet_parameters.csv``. The electricity price has no lever, so only combustion cars' running
costs move; a share of 0 or 1 (every new car electric after 2035 under the EU CO2 standards)
stays where it is.
"""

from __future__ import annotations

import math

from ..data.typed_parameters import ModelParameters


def running_cost_change(fuel_price_change_eur_per_l: float, carbon_price_eur_per_t: float,
                        l_per_km: float, kg_co2_per_km: float) -> float:
    """Extra running cost of a combustion car per km, EUR (fuel price and carbon price)."""
    return fuel_price_change_eur_per_l * l_per_km + carbon_price_eur_per_t * kg_co2_per_km / 1000.0


def shifted_bev_share(share: float, ice_extra_eur_per_km: float, mp: ModelParameters,
                      subsidy_eur: float = 0.0) -> float:
    """Battery-electric share of new cars once combustion cars cost more to run (or less).

    Parameters
    ----------
    share : float
        The year's share without the scenario's prices, in [0, 1].
    ice_extra_eur_per_km : float
        What the scenario adds to running a combustion car, EUR per km
        (:func:`running_cost_change`; negative when it lowers it).
    mp : ModelParameters
        ``fleet.car.annual_km`` and ``fleet.purchase.*``.
    subsidy_eur : float
        Purchase subsidy of a battery-electric car, EUR (counted one for one as price).
    """
    if (ice_extra_eur_per_km == 0 and subsidy_eur == 0) or share <= 0.0 or share >= 1.0:
        return share
    purchase = mp.fleet.purchase
    advantage_eur = (purchase.years_valued * mp.fleet.car.annual_km * ice_extra_eur_per_km
                     + subsidy_eur)
    log_odds = math.log(share / (1.0 - share)) + purchase.coef_per_keur * advantage_eur / 1000.0
    return 1.0 / (1.0 + math.exp(-log_odds))


__all__ = ["running_cost_change", "shifted_bev_share"]
