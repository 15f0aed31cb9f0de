"""Array containers and validation shared by every implementation of the demand model.

Dimensions used throughout: ``S`` segments (:data:`SEGMENTS`), ``P`` purposes
(:data:`PURPOSES`), ``M`` modes (:data:`MODES`), ``N`` grid cells. All arrays are float64 unless
stated; implementations may cast to float32.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields

import numpy as np

#: Modes of the choice model. Car is split into two alternatives by powertrain, so that measures
#: can treat combustion and battery-electric cars apart (low-emission zones, charges, energy
#: cost). The model runs the kernels with each car-available segment split into the owners of
#: either car (``mobility_sim/model/car_owners.py``); a segment that has both (the no-car
#: segments' shared cars) weighs them by the origin availability.
MODES: tuple[str, ...] = ("walk", "bike", "ebike", "pt", "car_ice", "car_ev")
#: Car availability of a segment: residents with a car available in their household, without.
CAR_CLASSES: tuple[str, ...] = ("car_available", "no_car")
#: Income group of a segment, by the country's equivalised net disposable income per person
#: (EU-SILC): the poorest quarter, the middle half, the richest quarter.
INCOME_GROUPS: tuple[str, ...] = ("low", "middle", "high")
#: Population segments: car availability x income group, ``"car_available.low"`` etc. Segments
#: differ by their car availability (which modes they have) and by their cost coefficient
#: (values of time rise with income); see ``DemandParams.cost_coef``. The kernels take any
#: number of segments (the rows of ``segment_share``): the model runs them on its segments with
#: each car-available one split by the car owned (``mobility_sim/model/car_owners.py``).
SEGMENTS: tuple[str, ...] = tuple(f"{c}.{g}" for c in CAR_CLASSES for g in INCOME_GROUPS)
#: Car class (index into :data:`CAR_CLASSES`) of each segment.
SEGMENT_CAR_CLASS: tuple[int, ...] = tuple(c for c in range(len(CAR_CLASSES))
                                           for _ in INCOME_GROUPS)
#: Income group (index into :data:`INCOME_GROUPS`) of each segment.
SEGMENT_INCOME_GROUP: tuple[int, ...] = tuple(g for _ in CAR_CLASSES
                                              for g in range(len(INCOME_GROUPS)))
#: Trip purposes: commute (work and education) and all other trips.
PURPOSES: tuple[str, ...] = ("commute", "other")

WALK, BIKE, EBIKE, PT, CAR_ICE, CAR_EV = range(6)
CAR_MODES: tuple[int, ...] = (CAR_ICE, CAR_EV)


@dataclass(frozen=True)
class DemandInputs:
    """Per-cell inputs of one scenario-year.

    Attributes
    ----------
    x, y : ndarray, shape (N,)
        Cell centres in a projected CRS, metres.
    cell_size : float
        Cell side, metres (sets the intrazonal distance).
    population : ndarray, shape (N,)
        Residents per cell.
    segment_share : ndarray, shape (S, N)
        Share of each cell's residents in each segment; columns sum to 1.
    size : ndarray, shape (P, N)
        Destination size term per purpose (jobs for commute; jobs and residents for other).
    origin_avail : ndarray, shape (S, M, N)
        Availability weight of each mode at the origin, in [0, 1]: e-bike ownership, the fleet
        share of each car powertrain (0 for the no-car segment), 1 where the mode is open to all.
    dest_avail : ndarray, shape (M, N)
        Availability weight of each mode at the destination, in [0, 1]: 0 where PT has no stop,
        ``1 - compliance`` for combustion cars entering a zero-emission zone, 1 otherwise.
    origin_time : ndarray, shape (M, N)
        Out-of-vehicle minutes at the origin (PT walk to the stop plus wait).
    dest_time : ndarray, shape (M, N)
        Out-of-vehicle minutes at the destination (PT walk from the stop; car parking search).
    dest_cost : ndarray, shape (P, M, N)
        Money cost per person trip at the destination, EUR (parking; zone charges: for cars,
        the vehicle's charge shared by its occupants).
    car_speed : ndarray, shape (N,)
        Car speed in each cell, km/h; a trip uses the harmonic mean of origin and destination.
    pt_speed : ndarray, shape (N,)
        Public transport in-vehicle speed in each cell, km/h (a new tram line raises it along
        its route); a trip uses the harmonic mean of origin and destination, like cars.
    bike_infra : ndarray, shape (N,)
        Share of streets with protected cycle infrastructure, in [0, 1].
    cordon : ndarray of bool, shape (N,)
        Cells inside a charging cordon; car trips crossing its boundary (one end inside, the
        other outside) pay ``DemandParams.cordon_charge``.
    external : ndarray of bool, shape (N,), optional
        Zones outside the modelled area (external zones at the grid's edge standing for the
        rest of the functional urban area): no trip goes from one external zone to another
        (nor within one), so their residents' trips all end inside the area and the area's
        residents may leave it. ``None`` (the default): no external zone.
    trip_factor : ndarray, shape (P, N) or (S, P, N), optional
        Multiplier of each zone's trips by purpose (an external zone sends in only part of its
        residents' trips of a purpose; residents make more or fewer trips as their
        accessibility changes), the same for every segment or by segment. ``None``: 1
        everywhere.
    district : ndarray of int, shape (N,), optional
        Traffic district of each zone, in ``0 .. K-1`` (``K = district.max() + 1``): the kernel
        then also returns the car passenger-km between districts
        (``DemandOutputs.district_car_pkm``), which the road-traffic model loads onto the
        roads. ``None`` (the default): not computed.
    zone_residents : ndarray of bool, shape (N,), optional
        Cells whose residents a low-emission zone spares (a residents' exemption or discount):
        trips from these origins (the home end) meet ``resident_dest_avail`` and
        ``resident_dest_cost`` at their destinations instead of ``dest_avail`` and
        ``dest_cost``. ``None`` (the default): nobody is spared. Never an external zone.
    resident_dest_avail : ndarray, shape (M, N), optional
        The destination availability the spared residents meet (given with
        ``zone_residents``).
    resident_dest_cost : ndarray, shape (P, M, N), optional
        The destination money cost the spared residents meet, EUR per person trip (given with
        ``zone_residents``).
    """

    x: np.ndarray
    y: np.ndarray
    cell_size: float
    population: np.ndarray
    segment_share: np.ndarray
    size: np.ndarray
    origin_avail: np.ndarray
    dest_avail: np.ndarray
    origin_time: np.ndarray
    dest_time: np.ndarray
    dest_cost: np.ndarray
    car_speed: np.ndarray
    pt_speed: np.ndarray
    bike_infra: np.ndarray
    cordon: np.ndarray
    external: np.ndarray | None = None
    trip_factor: np.ndarray | None = None
    district: np.ndarray | None = None
    zone_residents: np.ndarray | None = None
    resident_dest_avail: np.ndarray | None = None
    resident_dest_cost: np.ndarray | None = None

    @property
    def n_cells(self) -> int:
        """Number of grid cells ``N``."""
        return int(self.x.shape[0])

    @property
    def n_districts(self) -> int:
        """Number of traffic districts ``K`` (0 without ``district``)."""
        if self.district is None or np.asarray(self.district).size == 0:
            return 0
        return int(np.max(self.district)) + 1

    def productions(self, trip_rate: np.ndarray, p: int) -> np.ndarray:
        """Trips produced per day by segment and zone for purpose ``p``, shape (S, N).

        ``population x segment_share x trip_rate[p]`` (x ``trip_factor[p]`` or
        ``trip_factor[:, p]`` when given).
        """
        out = self.population[None, :] * self.segment_share * trip_rate[p]
        if self.trip_factor is not None:
            factor = np.asarray(self.trip_factor)
            out = out * (factor[:, p] if factor.ndim == 3 else factor[p][None, :])
        return out

    def external_mask(self) -> np.ndarray:
        """Return the external zones as a boolean array of shape (N,) (all False without any)."""
        if self.external is None:
            return np.zeros(self.n_cells, dtype=bool)
        return np.asarray(self.external, dtype=bool)


class UtilityRangeError(ValueError):
    """An engine's results are not finite: the utilities left the compute dtype's range.

    Only parameters far outside estimated models reach it (nest scales near 0 under strong
    cost damping); the model layer turns it into an error naming those parameters.
    """


@dataclass(frozen=True)
class DemandParams:
    """Scalars and small per-mode arrays of the demand and emission model.

    Attributes
    ----------
    trip_rate : ndarray, shape (P,)
        Trips per resident per day by purpose.
    asc : ndarray, shape (S, P, M)
        Alternative-specific constants.
    time_coef : ndarray, shape (M,)
        Utility per in-vehicle (or walking/cycling) minute.
    ovt_coef : float
        Utility per out-of-vehicle minute (access, egress, wait, parking search).
    cost_coef : ndarray, shape (S, P)
        Utility per EUR by segment and purpose (income groups value money differently).
    infra_coef : ndarray, shape (M,)
        Share of the mode's time disutility saved on fully protected cycle infrastructure, in
        [0, 1] (bike, e-bike; 0 for car and PT): a trip's time weighs ``1 - infra_coef x``
        the mean protected share of its origin and destination cells.
    speed : ndarray, shape (M,)
        Speed of walk, bike and e-bike, km/h (car and PT entries are ignored: they use the
        per-cell speeds of DemandInputs).
    cost_per_km : ndarray, shape (M,)
        Money cost the traveller perceives per km of network distance travelled, EUR/km
        (car energy: the vehicle's cost per vkm shared by its occupants, i.e. times
        ``vkm_per_pkm``; 0 for other modes).
    fare : ndarray, shape (M,)
        Flat money cost per trip (PT fare), EUR.
    cordon_charge : ndarray, shape (M,)
        EUR per person trip crossing the cordon's boundary in either direction, per mode (car
        modes: the vehicle's charge shared by its occupants); a round trip across it is two
        trips, so a scheme charging each entry puts half its charge on each.
    dest_scale : ndarray, shape (P,)
        Coefficient of the mode-choice logsum in destination choice.
    doubly_constrained : ndarray of bool, shape (P,)
        Purposes balanced to destination totals (Furness) rather than origin-constrained only.
    circuity : float
        Network distance over straight-line distance.
    intrazonal_factor : float
        Intrazonal distance as a fraction of the cell side (before circuity).
    vkm_per_pkm : ndarray, shape (M,)
        Vehicle-km per passenger-km (1 / occupancy for cars, 0 where vehicle-km are not
        demand-driven).
    ef_ttw : ndarray, shape (M,)
        Tank-to-wheel kg CO2e per passenger-km.
    ef_wtw : ndarray, shape (M,)
        Well-to-wheel kg CO2e per passenger-km.
    tolerance : float
        Balancing stops when every destination total is within this relative error.
    max_iterations : int
        Most balancing iterations.
    nest : ndarray of int, shape (M,), optional
        Nest of each mode in the mode choice, in ``0 .. K-1`` (a nested logit; see
        :func:`nest_structure`). ``None`` (the default): one nest of every mode with scale 1,
        the multinomial logit.
    nest_scale : ndarray, shape (K,), optional
        Scale (dissimilarity) parameter of each nest, in (0, 1]: 1 makes the nest's modes
        independent alternatives (as in a multinomial logit); lower values make them closer
        substitutes of one another than of the modes of other nests. Given with ``nest``.
    cost_damping : float
        Elasticity of the cost coefficient with respect to trip distance, in (-1, 0]: every
        money cost of a trip (per km, fare, destination cost, cordon charge) weighs
        ``(d_ij / cost_damping_ref_km) ** cost_damping`` times ``cost_coef`` (cost damping;
        distances below the intrazonal one count as it, see :func:`cost_damping_factor`).
        0 (the default): no damping.
    cost_damping_ref_km : float
        Network distance, km, at which the cost coefficient is ``cost_coef`` (> 0).
    cordon_resident_factor : float, optional
        Share of ``cordon_charge`` paid by the cordon's residents: on trips from an origin
        inside the cordon to a destination outside it (the origin is the home end), ``1 -`` the
        scheme's residents' discount (London: 90 %, so 0.1). 1 (the default): residents pay in
        full.
    dest_distance_coef : ndarray, shape (P,), optional
        Utility per network km in destination choice, beside the mode-choice logsum
        (``A_ij = size_j * W_ij ** dest_scale * exp(dest_distance_coef * d_ij)``): the distance
        decay of estimated destination-choice models, which lets the logsum's coefficient stay
        below 1 without trips growing long. ``None`` (the default): none, the logsum alone
        carries the distance decay. Where it is not 0 the purpose's ``dest_scale`` must be
        above 0.
    """

    trip_rate: np.ndarray
    asc: np.ndarray
    time_coef: np.ndarray
    ovt_coef: float
    cost_coef: np.ndarray
    infra_coef: np.ndarray
    speed: np.ndarray
    cost_per_km: np.ndarray
    fare: np.ndarray
    cordon_charge: np.ndarray
    dest_scale: np.ndarray
    doubly_constrained: np.ndarray
    circuity: float
    intrazonal_factor: float
    vkm_per_pkm: np.ndarray
    ef_ttw: np.ndarray
    ef_wtw: np.ndarray
    tolerance: float = 1e-9
    max_iterations: int = 500
    nest: np.ndarray | None = None
    nest_scale: np.ndarray | None = None
    cost_damping: float = 0.0
    cost_damping_ref_km: float = 1.0
    dest_distance_coef: np.ndarray | None = None
    cordon_resident_factor: float = 1.0

    def distance_coef(self) -> np.ndarray:
        """Return ``dest_distance_coef`` as (P,) float64 (zeros when ``None``)."""
        if self.dest_distance_coef is None:
            return np.zeros(np.asarray(self.dest_scale).shape)
        return np.asarray(self.dest_distance_coef, dtype=np.float64)


def cost_damping_factor(params: DemandParams, dist: np.ndarray, cell_size: float) -> np.ndarray:
    """Return the factor on the cost coefficient at network distances ``dist`` (km).

    ``(max(d, d0) / cost_damping_ref_km) ** cost_damping`` with ``d0`` the intrazonal network
    distance (no trip is shorter than a trip within a cell); ones without damping. With an
    exponent above -1 the damped cost of a trip still grows with its length.
    """
    if params.cost_damping == 0.0:
        return np.ones_like(dist)
    floor = params.circuity * params.intrazonal_factor * cell_size / 1000.0
    return (np.maximum(dist, floor) / params.cost_damping_ref_km) ** params.cost_damping


def _distance_problems(params: DemandParams, n_purposes: int) -> list[str]:
    """Problems of ``params.dest_distance_coef`` (none when it is ``None``)."""
    if params.dest_distance_coef is None:
        return []
    coef = np.asarray(params.dest_distance_coef, dtype=float)
    if coef.shape != (n_purposes,):
        return [f"params.dest_distance_coef: shape {coef.shape}, expected {(n_purposes,)}"]
    if not np.all(np.isfinite(coef)):
        return ["params.dest_distance_coef: contains NaN or infinite values"]
    scale = np.asarray(params.dest_scale, dtype=float)
    if np.any((coef != 0) & ~(scale > 0)):
        return ["params.dest_distance_coef: a purpose with a distance term needs a logsum "
                "coefficient (dest_scale) above 0"]
    return []


def nest_structure(params: DemandParams) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(nest, scale)``: the nest of each mode (M,) int64 and each nest's scale (K,).

    Without nests (``params.nest is None``): every mode in nest 0 of scale 1, the multinomial
    logit. The nested logit's choice probabilities, for mode ``m`` in nest ``k`` of scale
    ``lambda_k``, with availability weights ``a_m`` (the weight multiplies the exponential)::

        I_k = sum over m in k of a_m exp(V_m / lambda_k),   W = sum_k I_k ** lambda_k,
        P(m) = a_m exp(V_m / lambda_k) I_k ** (lambda_k - 1) / W,   logsum ln W,

    the multinomial logit when every scale is 1 (Williams 1977; Daly and Zachary 1978;
    McFadden 1978: consistent with random utility maximisation for scales in (0, 1]).
    """
    if params.nest is None:
        return np.zeros(len(MODES), dtype=np.int64), np.ones(1)
    return (np.asarray(params.nest, dtype=np.int64),
            np.asarray(params.nest_scale, dtype=np.float64))


@dataclass(frozen=True)
class DemandOutputs:
    """Daily results of one scenario-year, by origin cell unless stated.

    Attributes
    ----------
    trips : ndarray, shape (S, P, N, M)
        Trips per day by segment, purpose, origin cell and mode.
    pkm : ndarray, shape (S, P, N, M)
        Passenger-km per day.
    trips_to : ndarray, shape (N, M)
        Trips per day by destination cell and mode (all segments and purposes).
    vkm : ndarray, shape (N, M)
        Demand-driven vehicle-km per day by origin cell and mode.
    co2_ttw, co2_wtw : ndarray, shape (N, M)
        kg CO2e per day by origin cell and mode.
    dest_logsum : ndarray, shape (S, P, N)
        Accessibility: log of the destination-choice denominator (``-inf`` where nothing is
        reachable).
    balancing : ndarray, shape (P, N)
        Destination balancing factors (1 for origin-constrained purposes); pass them as the
        warm start of the next year.
    iterations : ndarray of int, shape (P,)
        Balancing iterations used per purpose (0 for origin-constrained purposes).
    district_car_pkm : ndarray, shape (K, K), optional
        Car passenger-km per day (both car alternatives) from each traffic district to each
        (``DemandInputs.district``); ``None`` when the inputs have no districts.
    """

    trips: np.ndarray
    pkm: np.ndarray
    trips_to: np.ndarray
    vkm: np.ndarray
    co2_ttw: np.ndarray
    co2_wtw: np.ndarray
    dest_logsum: np.ndarray
    balancing: np.ndarray
    iterations: np.ndarray
    district_car_pkm: np.ndarray | None = None


def _resident_problems(inputs: DemandInputs) -> list[str]:
    """Problems of the zones' spared residents beyond their arrays' shapes.

    The shapes and values of ``resident_dest_*`` are checked with the other inputs; here: all
    three given or none, a boolean mask, never an external zone.
    """
    given = [inputs.zone_residents is not None, inputs.resident_dest_avail is not None,
             inputs.resident_dest_cost is not None]
    if not any(given):
        return []
    if not all(given):
        return ["inputs.zone_residents, resident_dest_avail and resident_dest_cost: give all "
                "three or none"]
    n = inputs.n_cells
    spared = np.asarray(inputs.zone_residents)
    if spared.shape != (n,) or spared.dtype != bool:
        return [f"inputs.zone_residents: shape {spared.shape} of {spared.dtype}, expected "
                f"({n},) of bool"]
    if np.any(spared & inputs.external_mask()):
        return ["inputs.zone_residents: an external zone cannot be a zone's resident"]
    return []


def check_inputs(inputs: DemandInputs, params: DemandParams) -> None:
    """Check shapes, finiteness and ranges of the model inputs.

    Parameters
    ----------
    inputs : DemandInputs
        Per-cell inputs.
    params : DemandParams
        Model parameters.

    Raises
    ------
    ValueError
        Listing every problem found, one per line.
    """
    n = inputs.n_cells
    s, p, m = np.asarray(inputs.segment_share).shape[0], len(PURPOSES), len(MODES)
    expected = {
        "x": (n,), "y": (n,), "population": (n,), "segment_share": (s, n), "size": (p, n),
        "origin_avail": (s, m, n), "dest_avail": (m, n), "origin_time": (m, n),
        "dest_time": (m, n), "dest_cost": (p, m, n), "car_speed": (n,), "pt_speed": (n,),
        "bike_infra": (n,),
        "cordon": (n,),
    }
    if inputs.resident_dest_avail is not None or inputs.resident_dest_cost is not None:
        # what the residents a zone spares meet: checked as everyone's
        expected.update({"resident_dest_avail": (m, n), "resident_dest_cost": (p, m, n)})
    problems: list[str] = []
    for name, shape in expected.items():
        arr = np.asarray(getattr(inputs, name))
        if arr.shape != shape:
            problems.append(f"inputs.{name}: shape {arr.shape}, expected {shape}")
        elif name != "cordon" and not np.all(np.isfinite(arr)):
            problems.append(f"inputs.{name}: contains NaN or infinite values")
    pshape = {
        "trip_rate": (p,), "asc": (s, p, m), "time_coef": (m,), "cost_coef": (s, p),
        "infra_coef": (m,), "speed": (m,), "cost_per_km": (m,), "fare": (m,),
        "cordon_charge": (m,), "dest_scale": (p,), "doubly_constrained": (p,),
        "vkm_per_pkm": (m,), "ef_ttw": (m,), "ef_wtw": (m,),
    }
    for name, shape in pshape.items():
        arr = np.asarray(getattr(params, name))
        if arr.shape != shape:
            problems.append(f"params.{name}: shape {arr.shape}, expected {shape}")
    problems += _nest_problems(params, m)
    if not -1.0 < params.cost_damping <= 0.0:
        problems.append("params.cost_damping: must be in (-1, 0] (0: no damping; at -1 or "
                        "below a longer trip would cost less)")
    if not (np.isfinite(params.cost_damping_ref_km) and params.cost_damping_ref_km > 0):
        problems.append("params.cost_damping_ref_km: must be finite and > 0")
    problems += _distance_problems(params, p)
    if not 0.0 <= params.cordon_resident_factor <= 1.0:
        problems.append("params.cordon_resident_factor: must be in [0, 1] (the share of the "
                        "cordon charge the cordon's residents pay)")
    infra = np.asarray(params.infra_coef)
    if infra.shape == (m,) and (np.any((infra < 0) | (infra > 1))
                                or np.any(infra[[*CAR_MODES, PT]] != 0)):
        problems.append("params.infra_coef: must be in [0, 1], and 0 for car and PT (the share "
                        "of cycling time's disutility that protected infrastructure saves)")
    problems += _resident_problems(inputs)
    if problems:
        raise ValueError("invalid model inputs:\n" + "\n".join(problems))
    if inputs.trip_factor is not None:
        factor = np.asarray(inputs.trip_factor)
        if factor.shape not in ((p, n), (s, p, n)):
            problems.append(f"inputs.trip_factor: shape {factor.shape}, expected {(p, n)} or "
                            f"{(s, p, n)}")
        elif np.any(factor < 0) or not np.all(np.isfinite(factor)):
            problems.append("inputs.trip_factor: must be finite and >= 0")
    for name in ("population", "size", "origin_avail", "dest_avail", "origin_time",
                 "dest_time", "bike_infra"):
        if np.any(np.asarray(getattr(inputs, name)) < 0):
            problems.append(f"inputs.{name}: negative values")
    for name in ("origin_avail", "dest_avail", "bike_infra"):
        if np.any(np.asarray(getattr(inputs, name)) > 1):
            problems.append(f"inputs.{name}: values above 1")
    if inputs.district is not None:
        district = np.asarray(inputs.district)
        if district.shape != (n,) or not np.issubdtype(district.dtype, np.integer):
            problems.append(f"inputs.district: expected integers of shape {(n,)}, "
                            f"got {district.dtype} {district.shape}")
        elif n and district.min() < 0:
            problems.append("inputs.district: negative district index")
    if np.any(inputs.car_speed <= 0):
        problems.append("inputs.car_speed: must be positive")
    if np.any(inputs.pt_speed <= 0):
        problems.append("inputs.pt_speed: must be positive")
    if not np.allclose(inputs.segment_share.sum(axis=0), 1.0, atol=1e-9):
        problems.append("inputs.segment_share: shares do not sum to 1 in every cell")
    non_car = [WALK, BIKE, EBIKE]
    if np.any(params.speed[non_car] <= 0):
        problems.append("params.speed: non-car speeds must be positive")
    if inputs.cell_size <= 0 or params.circuity <= 0:
        problems.append("cell_size and circuity must be positive")
    if problems:
        raise ValueError("invalid model inputs:\n" + "\n".join(problems))


def _nest_problems(params: DemandParams, n_modes: int) -> list[str]:
    """Problems of ``params.nest`` and ``params.nest_scale`` (none for a multinomial logit)."""
    if params.nest is None and params.nest_scale is None:
        return []
    if params.nest is None or params.nest_scale is None:
        return ["params.nest and params.nest_scale: give both or neither"]
    nest, scale = np.asarray(params.nest), np.asarray(params.nest_scale, dtype=float)
    if nest.shape != (n_modes,) or not np.issubdtype(nest.dtype, np.integer):
        return [f"params.nest: expected integers of shape {(n_modes,)}, got {nest.dtype} "
                f"{nest.shape}"]
    problems = []
    if scale.ndim != 1 or nest.min() < 0 or nest.max() >= scale.size:
        problems.append(f"params.nest: nest indices must be in 0..{scale.size - 1} "
                        "(one scale per nest in params.nest_scale)")
    if not np.all((scale > 0) & (scale <= 1)):
        problems.append("params.nest_scale: every nest scale must be in (0, 1] (consistency "
                        "with random utility maximisation)")
    return problems


def check_origin_groups(inputs: DemandInputs, balancing: np.ndarray,
                        groups: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Check the arguments of the trips-by-destination functions; return the groups as int64.

    Parameters
    ----------
    inputs : DemandInputs
        The year's inputs.
    balancing : ndarray, shape (P, N)
        The year's destination balancing factors (``DemandOutputs.balancing``).
    groups : sequence of array_like of int
        Origin cells of each group.

    Raises
    ------
    ValueError
        Listing every problem found, one per line.
    """
    n, p = inputs.n_cells, len(PURPOSES)
    problems: list[str] = []
    factors = np.asarray(balancing)
    if factors.shape != (p, n):
        problems.append(f"balancing: shape {factors.shape}, expected {(p, n)}")
    elif not np.all(np.isfinite(factors)) or np.any(factors < 0):
        problems.append("balancing: expected finite factors >= 0")
    out = []
    for g, group in enumerate(groups):
        rows = np.asarray(group)
        if rows.ndim != 1 or (rows.size and not np.issubdtype(rows.dtype, np.integer)):
            problems.append(f"groups[{g}]: expected a 1-D array of cell indices")
            continue
        rows = rows.astype(np.int64)
        if rows.size and (rows.min() < 0 or rows.max() >= n):
            problems.append(f"groups[{g}]: cell indices must be in 0..{n - 1}")
        out.append(rows)
    if problems:
        raise ValueError("\n".join(problems))
    return out


def field_names(cls: type) -> list[str]:
    """Return the field names of one of the containers above, in order."""
    return [f.name for f in fields(cls)]
