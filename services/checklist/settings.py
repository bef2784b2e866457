"""Per-conference settings: the figures a template's rules use that the source process does
not fix (how many vendor quotes to compare, what share of the expected attendance checks
in on site). The template declares each with its default, type and range; a conference
records its values when it is opened and when an organizer changes them. Pure: no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

KINDS = ("integer", "ratio")
NAME = r"^[a-z][a-z0-9_]{0,63}$"


class SettingError(ValueError):
    """A value a setting cannot take, or a setting the template does not declare."""

    def __init__(self, name: str, why: str) -> None:
        super().__init__(f"{name}: {why}")
        self.name = name
        self.why = why


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


@dataclass(frozen=True)
class Setting:
    """One declared setting: `integer` (a whole number, as a count's `at_least`) or `ratio`
    (a share of a conference figure, as `ratio_of`'s ratio), within [minimum, maximum]."""

    name: str
    kind: str
    default: int | float
    minimum: int | float
    maximum: int | float
    description_zh: str
    description_en: str

    def check(self, value: Any) -> int | float:
        """The value, if this setting can take it; else SettingError saying why."""
        if self.kind == "integer" and not (_is_number(value) and value == int(value)):
            raise SettingError(self.name, f"must be a whole number, not {value!r}")
        if not _is_number(value):
            raise SettingError(self.name, f"must be a number, not {value!r}")
        if not self.minimum <= value <= self.maximum:
            raise SettingError(
                self.name, f"must be from {self.minimum} to {self.maximum}, not {value}"
            )
        return int(value) if self.kind == "integer" else float(value)

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.kind,
            "default": self.default,
            "min": self.minimum,
            "max": self.maximum,
            "description_zh": self.description_zh,
            "description_en": self.description_en,
        }


def declared(raw: Mapping[str, Any]) -> Setting:
    """A setting from its template form, checked: its default within its own range."""
    setting = Setting(
        name=raw["name"],
        kind=raw["type"],
        default=raw["default"],
        minimum=raw["min"],
        maximum=raw["max"],
        description_zh=raw["description_zh"],
        description_en=raw["description_en"],
    )
    if setting.kind == "integer":
        for bound in ("minimum", "maximum"):
            if getattr(setting, bound) != int(getattr(setting, bound)):
                raise SettingError(setting.name, f"an integer setting's {bound} is whole")
    if setting.minimum > setting.maximum:
        raise SettingError(setting.name, "min is above max")
    if setting.kind == "ratio" and setting.minimum <= 0:
        raise SettingError(setting.name, "a ratio's min is above 0")
    try:
        setting.check(setting.default)
    except SettingError as exc:
        raise SettingError(setting.name, f"default {exc.why}") from None
    return setting


def values(
    declarations: Mapping[str, Setting], given: Mapping[str, Any], defaults: bool
) -> dict[str, int | float]:
    """The given values checked against their declarations (every one named, in order);
    with `defaults`, the defaults of those not given as well."""
    unknown = sorted(set(given) - set(declarations))
    if unknown:
        known = ", ".join(declarations) or "none"
        raise SettingError(unknown[0], f"no such setting (declared: {known})")
    checked = {name: declarations[name].check(value) for name, value in given.items()}
    if not defaults:
        return checked
    return {name: checked.get(name, s.default) for name, s in declarations.items()}
