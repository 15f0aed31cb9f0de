"""The reference case (policies already decided) and targets as cities state them.

Modules
-------
:mod:`.case`
    The reference case of a city's country: EU CO2 standards for new cars and buses as sales
    paths, the grid's projected carbon intensity, the ETS2 carbon price, new-vehicle
    efficiency; each a named element a scenario can switch off.
:mod:`.mixes`
    A country's starting car and bus fleets and latest new-car sales mix from the packaged
    country tables (published shares completed by one stated rule).
:mod:`.backcast`
    The check of the fleet model against history: Norway's car fleet from its new-car sales.
:mod:`.targets`
    A target's base-year emissions anchored to the city's inventory or a national backcast.
"""
