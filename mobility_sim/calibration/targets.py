"""Calibration targets: an observed modal split read with its definition, trip length, totals.

A published split is compared with the model only in its own definition:

- ``unit``: shares of trips or of passenger-km;
- ``purposes``: ``all`` compares every model trip; a commute split (work and education)
  compares commute trips only;
- ``population``: the model's trips are all trips of the grid's residents; a split of
  residents' trips matches that, any other population is compared with a caveat;
- survey modes: ``bike`` is the model's bike + e-bike, ``car`` its two powertrains; ``other``
  (motorcycles, taxis, ...) is not modelled.

Unpublished (null) shares are never invented: published shares are fitted one by one, the
unpublished modelled modes together take the remainder as one joint constraint.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from ..city.model import ModalSplit
from ..exceptions import CalibrationError
from ..kernels.spec import PURPOSES
from ..model.modes import SURVEY_MODES

#: Words of a split's ``purposes`` field read as commuting (work and education) only.
_COMMUTE_WORDS = ("work", "education", "commut", "school")
_SHARE_TOLERANCE = 1e-6
#: Largest sum of a fully published split read as rounding (e.g. 30 + 18 + 27 + 26 = 101 %):
#: such a split is divided by its sum, with a note; beyond it the figures are refused.
ROUNDING_SUM = 1.02

Group = tuple[str, ...]


@dataclass(frozen=True)
class SplitTarget:
    """An observed modal split turned into model-comparable targets.

    Attributes
    ----------
    split : ModalSplit
        The split as published in ``city.yaml``.
    where : str
        Where it comes from, e.g. ``cities/helsinki/city.yaml: observed_modal_split[0]``.
    purposes : tuple of int
        Model purposes whose trips the split covers.
    groups : tuple of tuple of str
        Fitted groups of survey modes: one per published mode, plus one joint group of the
        unpublished modelled modes (if any).
    shares : tuple of float
        Target share of each group among the modelled modes (walk, bike, pt, car).
    notes : list of str
        How the split was read (normalisation, joint constraints).
    caveats : list of str
        Where the split's definition differs from the model's and cannot be matched.
    """

    split: ModalSplit
    where: str
    purposes: tuple[int, ...]
    groups: tuple[Group, ...]
    shares: tuple[float, ...]
    notes: list[str] = field(default_factory=list)
    caveats: list[str] = field(default_factory=list)

    @property
    def unit(self) -> Literal["trips", "pkm"]:
        """Share of trips or of passenger-km."""
        return self.split.unit

    def target_of(self, group: Group) -> float:
        """Target share of a fitted group."""
        return self.shares[self.groups.index(group)]


@dataclass(frozen=True)
class TripLengthTarget:
    """A mean trip length to match with destination choice's scale or its distance term.

    Attributes
    ----------
    km : float
        Mean network distance per trip, km, over all modes.
    purposes : tuple of int
        Model purposes the figure covers (fitted together).
    source : str
        Where the figure comes from, or a text starting with ``assumption``.
    fit : {"scale", "distance"}
        What is fitted: the logsum coefficients (``destination.scale.*``, by one common
        factor), or the destination choice's own distance term (``destination.distance.*``,
        one common value in utility per km, at most 0), leaving the logsum coefficients as
        given (e.g. from an estimated model).
    """

    km: float
    purposes: tuple[int, ...]
    source: str
    fit: Literal["scale", "distance"] = "scale"


@dataclass(frozen=True)
class TotalTarget:
    """A reported annual total that all trip rates are scaled to match.

    Attributes
    ----------
    quantity : {"car_vkm", "co2_ttw_t"}
        Car vehicle-km per year, or tank-to-wheel tonnes of CO2e per year (all modes).
    value : float
        The reported annual value.
    source : str
        Where it comes from, or a text starting with ``assumption``.
    """

    quantity: Literal["car_vkm", "co2_ttw_t"]
    value: float
    source: str


def purposes_of(text: str, where: str) -> tuple[int, ...]:
    """Return the model purposes a split's ``purposes`` field means.

    Raises
    ------
    CalibrationError
        If the text is neither ``all`` nor about work and education.
    """
    lowered = text.strip().lower()
    if lowered in ("all", "all purposes", "all trips"):
        return tuple(range(len(PURPOSES)))
    if any(word in lowered for word in _COMMUTE_WORDS):
        return (PURPOSES.index("commute"),)
    raise CalibrationError(
        f"{where}: purposes {text!r} not understood; write 'all' or 'work and education' "
        "(the model has commute and other trips)"
    )


def read_split(split: ModalSplit, where: str, area_note: str = "") -> SplitTarget:
    """Turn a published split into model-comparable targets.

    Parameters
    ----------
    split : ModalSplit
        One entry of ``observed_modal_split``.
    where : str
        File and place, used in messages.
    area_note : str
        What the model grid covers (``CityMeta.area_note``), quoted in the caveats.

    Returns
    -------
    SplitTarget
        Targets and the notes on how they were derived.

    Raises
    ------
    CalibrationError
        Listing every problem: a published zero, shares summing above one (beyond rounding,
        which ``city.yaml`` allows up to 1.02), nothing published, or no share left for the
        unpublished modes.
    """
    problems: list[str] = []
    purposes = purposes_of(split.purposes, where)
    shares = split.shares  # each in [0, 1], summing to at most 1.02 (city.yaml's rule)
    published = {m: shares.get(m) for m in SURVEY_MODES if shares.get(m) is not None}
    unpublished = tuple(m for m in SURVEY_MODES if shares.get(m) is None)
    other = shares.get("other")
    for mode, value in published.items():
        if value == 0.0:
            problems.append(f"{where}: shares.{mode} is 0; a constant cannot remove a mode. "
                            "Write null if it was not published, or drop the mode's availability")
    if not published:
        problems.append(f"{where}: no share of walk, bike, pt or car is published; nothing to "
                        "calibrate (no split is invented)")
    total_published = sum(published.values()) + (other or 0.0)
    rounded = not unpublished and total_published <= ROUNDING_SUM
    if total_published > 1.0 + 1e-3 and not rounded:
        problems.append(f"{where}: published shares sum to {total_published:.3f} > 1; check "
                        "the figures against the source")
    if problems:
        raise CalibrationError(problems)
    notes: list[str] = []
    modelled_total = 1.0 - (other or 0.0)
    if other is not None and other > 0:
        notes.append(f"'other' ({other:.3f}: modes the model does not have) is left out; the "
                     f"other shares are divided by {modelled_total:.3f}")
    groups: list[Group] = [(m,) for m in published]
    targets = [v / modelled_total for v in published.values()]
    if unpublished:
        remainder = 1.0 - sum(published.values()) - (other or 0.0)
        if remainder <= _SHARE_TOLERANCE:
            raise CalibrationError(
                f"{where}: unreachable: published shares leave {remainder:.3f} for "
                f"{' + '.join(unpublished)}, which the model always has; check the figures"
            )
        groups.append(unpublished)
        targets.append(remainder / modelled_total)
        absorbed = "" if other is not None else " (and 'other', also unpublished)"
        notes.append(
            f"{' + '.join(unpublished)} not published: fitted jointly to the remainder "
            f"1 - published = {remainder:.3f}{absorbed}; within the group the default "
            "constants keep their relative values"
        )
    elif rounded and total_published > 1.0 + _SHARE_TOLERANCE:
        total = sum(published.values())
        targets = [v / total for v in published.values()]
        notes.append(f"published shares sum to {total_published:.3f} (rounding in the source): "
                     f"walk, bike, pt and car divided by their sum {total:.3f}")
    elif other is None and abs(sum(published.values()) - 1.0) > _SHARE_TOLERANCE:
        total = sum(published.values())
        targets = [v / total for v in published.values()]
        notes.append(f"walk, bike, pt and car sum to {total:.3f}: the remainder ('other', not "
                     "modelled) is left out and the four shares renormalised")
    elif abs(sum(targets) - 1.0) > _SHARE_TOLERANCE:
        # every modelled mode and 'other' published, not adding up to 1 (rounding)
        total = sum(published.values())
        targets = [v / total for v in published.values()]
        notes.append(f"walk, bike, pt, car and other sum to {total_published:.3f} (rounding in "
                     f"the source): the four modelled shares are divided by their sum {total:.3f}")
    caveats = [f"survey area: {split.area}; model grid: "
               f"{area_note.split(':')[0].strip() or 'see city.yaml area_note'}"]
    if "resident" not in split.population.lower():
        caveats.append(f"population {split.population!r}: the model only has trips of the "
                       "grid's residents; they are compared with this split as they are")
    if len(purposes) < len(PURPOSES):
        notes.append("commute split: compared with the model's commute trips only")
    return SplitTarget(split=split, where=where, purposes=purposes, groups=tuple(groups),
                       shares=tuple(targets), notes=notes, caveats=caveats)


#: Words of a split's area that mark an area wider than the city (a region, a metro area).
WIDER_AREA_WORDS = ("region", "metropolitan", "province", "comunidad", "county", "suburbs")


def split_rank(split: ModalSplit) -> tuple[bool, bool, bool, bool, bool, int, int]:
    """How well a split's definition fits the model's; larger is better (see choose_split)."""
    published = sum(v is not None for m, v in split.shares.items() if m != "other")
    wider = any(word in split.area.lower() for word in WIDER_AREA_WORDS)
    return (split.unit == "trips",
            split.purposes.strip().lower() in ("all", "all purposes", "all trips"),
            split.population.strip().lower().startswith("residents"),
            published >= 3, not wider, published, split.year)


def choose_split(splits: list[ModalSplit], where: str, year: int | None = None) -> int:
    """Return the index of the split to calibrate to: the given year, else the best fitting.

    Without a year, the split whose definition is closest to the model's: shares of trips,
    all purposes, the residents' own trips, at least three modes published, the city rather
    than a wider region, more modes published, then the most recent (:func:`split_rank`).

    Raises
    ------
    CalibrationError
        If there is no split, or none of the requested year.
    """
    if not splits:
        raise CalibrationError(
            f"{where}: no observed_modal_split; add a published split with its source to "
            "city.yaml (none is invented), or run the city uncalibrated"
        )
    if year is None:
        return max(range(len(splits)), key=lambda i: split_rank(splits[i]))
    matches = [i for i, s in enumerate(splits) if s.year == year]
    if not matches:
        years = ", ".join(str(s.year) for s in splits)
        raise CalibrationError(f"{where}: no observed_modal_split of {year}; published years: "
                               f"{years}")
    return matches[0]
