"""Survey mode groups: how travel surveys (and the results' ``mode_group``) count the model modes.

Travel surveys publish walk, bike, public transport and car; the model's e-bike counts as a bike
and both car powertrains as the car. Calibration fits to these groups, the results tabulate
them, the dashboard compares them with the published split.
"""

from __future__ import annotations

from ..kernels.spec import MODES

#: Survey group of each model mode.
MODE_GROUP: dict[str, str] = {"walk": "walk", "bike": "bike", "ebike": "bike", "pt": "pt",
                              "car_ice": "car", "car_ev": "car"}
#: The survey groups, in reporting order.
MODE_GROUPS: tuple[str, ...] = ("walk", "bike", "pt", "car")
#: Model mode indices of each survey group.
SURVEY_MODES: dict[str, tuple[int, ...]] = {
    group: tuple(i for i, mode in enumerate(MODES) if MODE_GROUP[mode] == group)
    for group in MODE_GROUPS
}
