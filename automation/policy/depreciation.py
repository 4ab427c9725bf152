"""`[policy.depreciation]`: straight-line depreciation of the inventory (物资台账) by
category, down to a residual value. The useful lives are whole years per category (the
categories are the office's free text, so any category it writes is accepted), with a life
for every other category and one residual rate:

```toml
[policy.depreciation]
residual_rate = 0.05        # the share of the cost an item keeps when fully depreciated
default_life = 5            # years, for a category not listed below
[policy.depreciation.lives]
电子设备 = 3
家具 = 10                   # the office's own; unlisted defaults stay
```
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from pydantic import BaseModel, ConfigDict, Field

DEFAULT_LIVES: Mapping[str, int] = MappingProxyType(
    {"电子设备": 3, "音响设备": 5, "活动用品": 3, "家具": 8})
"""Useful lives in years of the categories the office's seeds use."""
DEFAULT_LIFE = 5
"""Years, for any category without a life of its own."""
DEFAULT_RESIDUAL_RATE = 0.05
MAX_LIFE = 100
"""Beyond a century, a life is a typo."""


class DepreciationSection(BaseModel):
    """`[policy.depreciation]`; unknown keys are refused, numbers must be numbers."""

    model_config = ConfigDict(extra="forbid", validate_default=True, strict=True)

    residual_rate: float = DEFAULT_RESIDUAL_RATE
    default_life: float = DEFAULT_LIFE
    lives: dict[str, float] = Field(default_factory=dict)


def _whole_years(value: float) -> bool:
    return math.isfinite(value) and value == int(value) and 0 < value <= MAX_LIFE


def depreciation_problems(section: DepreciationSection) -> list[tuple[str, str, dict[str, str]]]:
    """(dotted key under `policy`, catalogue key, values) of each impossible value."""
    out: list[tuple[str, str, dict[str, str]]] = []
    rate = float(section.residual_rate)
    if not math.isfinite(rate) or not 0 <= rate <= 1:
        out.append(("depreciation.residual_rate", "config.policy_share",
                    {"found": f"{rate:.15g}"}))
    lives = [("default_life", float(section.default_life))]
    lives += [(f"lives.{_toml_key(k)}", float(v)) for k, v in section.lives.items()]
    for key, value in lives:
        if not _whole_years(value):
            out.append((f"depreciation.{key}", "config.policy_life",
                        {"found": f"{value:.15g}", "most": str(MAX_LIFE)}))
    return out


def _toml_key(key: str) -> str:
    return key if key.isidentifier() else f'"{key}"'


@dataclass(frozen=True)
class Depreciation:
    """The depreciation in force: lives by category (years), the life of any other
    category, the residual rate, and which of them the office wrote."""

    lives: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_LIVES))
    default_life: int = DEFAULT_LIFE
    residual_rate: float = DEFAULT_RESIDUAL_RATE
    chosen: frozenset[str] = frozenset()
    """Keys the office wrote: `residual_rate`, `default_life`, `lives.<category>`."""

    @classmethod
    def from_section(cls, section: DepreciationSection) -> Depreciation:
        own = {key.strip(): int(value) for key, value in section.lives.items()}
        chosen = {k for k in section.model_fields_set if k != "lives"}
        chosen |= {f"lives.{key}" for key in own}
        return cls({**DEFAULT_LIVES, **own}, int(section.default_life),
                   float(section.residual_rate), frozenset(chosen))

    def life(self, category: str | None) -> int:
        """The useful life in years of an item of `category` (stripped)."""
        if category is None:
            return self.default_life
        return self.lives.get(category.strip(), self.default_life)


DEFAULT_DEPRECIATION = Depreciation()
