"""Reference sections of the README, generated from the code so they cannot drift.

`python scripts/gen_docs.py` rewrites the marked blocks; a test fails when they are stale.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import partial

from .checks import CODES
from .i18n import t
from .policy import (
    DEFAULT_POLICY,
    KPI_SPECS,
    NUMBERS,
    ROLES,
    RULE_SPECS,
    KpiSpec,
    Number,
    Policy,
    Role,
    RuleSpec,
    used_numbers,
)
from .policy.depreciation import DEFAULT_LIFE, DEFAULT_LIVES, DEFAULT_RESIDUAL_RATE
from .policy_report import shown_target
from .registers import REGISTERS, Kind
from .registers.schema import Label
from .templates import describe_column


def registers_markdown() -> str:
    lines: list[str] = []
    for register in REGISTERS.values():
        lines.append(f"#### {register.label.hans} · {register.label.en} (`{register.key}`)")
        lines.append("")
        for table in register.tables:
            lines.append(f"**{table.label.hans} · {table.label.en}** (`{table.key}`)")
            lines.append("")
            lines.append("| key | 列名 | Column | 类型 | 必填 | 规则 |")
            lines.append("|---|---|---|---|---|---|")
            for column in table.columns:
                kind = t(f"template.kind.{column.kind.value}", "zh-Hans")
                if column.kind is Kind.ENUM:
                    kind += f" `{column.enum}`"
                rules = describe_column(table, column, "zh-Hans").replace("|", "\\|")
                lines.append(
                    f"| `{column.key}` | {column.label.hans} | {column.label.en} | {kind} | "
                    f"{'✓' if column.required else ''} | {rules} |"
                )
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def findings_markdown() -> str:
    lines = ["| code | 级别 severity | 说明（示例） | Meaning (example) |", "|---|---|---|---|"]
    sample = {"label": "借出日期", "table": "借用登记", "value": "…", "other": "…",
              "other_value": "…", "first_row": 5, "minimum": 1, "relation": "≥",
              "status": "已报销", "needed": "报销日期", "target": "成员", "target_sheet": "成员",
              "sheet": "…", "register": "财务", "register_key": "finance",
              "tables": "活动预算、报销明细", "sheets": "成员"}
    sample_en = sample | {"label": "Borrowed on", "table": "Loans", "target": "Members",
                          "register": "Finance", "tables": "Budgets, Expenses",
                          "sheets": "Members",
                          "needed": "Paid on", "status": "Paid"}
    for code, severity in CODES.items():
        zh = t(f"finding.{code}", "zh-Hans", **sample).replace("|", "\\|")
        en = t(f"finding.{code}", "en", **sample_en).replace("|", "\\|")
        level = "错误 error" if severity == "error" else "警告 warning"
        lines.append(f"| `{code}` | {level} | {zh} | {en} |")
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _both(policy: Policy, label: Label) -> str:
    """A declared label at the policy's numbers, Chinese then English, in one cell."""
    zh, en = policy.text(label, "zh-Hans"), policy.text(label, "en")
    return _cell(zh if zh == en else f"{zh}<br>{en}")


def rules_markdown(specs: Mapping[str, RuleSpec] = RULE_SPECS,
                   policy: Policy = DEFAULT_POLICY) -> str:
    """The reminder rules of `automation/policy/rules.py`, at the default numbers."""
    lines = ["| rule | 标题 | Title | 条件 · When | 发给 · To | 升级 · Escalates | policy |",
             "|---|---|---|---|---|---|---|"]
    for key, spec in specs.items():
        escalates = _both(policy, spec.escalates) if spec.escalates else "—"
        reads = ", ".join(f"`{name}`" for name in (*spec.numbers, *spec.roles)) or "—"
        lines.append(
            f"| `{key}` | {_cell(policy.text(spec.title, 'zh-Hans'))} | "
            f"{_cell(policy.text(spec.title, 'en'))} | {_both(policy, spec.when)} | "
            f"{_both(policy, spec.to)} | {escalates} | {reads} |"
        )
    return "\n".join(lines) + "\n"


def _default_target(spec: KpiSpec, policy: Policy) -> tuple[float, str]:
    """The default target of a KPI, and the number it follows ('' when its own)."""
    if isinstance(spec.target, str):
        return policy.number(spec.target), spec.target
    return float(spec.target), ""


def kpis_markdown(specs: Mapping[str, KpiSpec] = KPI_SPECS,
                  policy: Policy = DEFAULT_POLICY) -> str:
    """The KPIs of `automation/policy/kpis.py`, at the default numbers and targets."""
    lines = ["| key | 名称 | Name | 统计对象 · Population | 达标 · Counts as good "
             "| 默认目标 · Default target |",
             "|---|---|---|---|---|---|"]
    for key, spec in specs.items():
        value, follows = _default_target(spec, policy)
        zh = shown_target(value, spec.measure.value, "zh-Hans")
        en = shown_target(value, spec.measure.value, "en")
        target = zh if zh == en else f"{zh}<br>{en}"
        if follows:
            target += f" (`{follows}`)"
        lines.append(
            f"| `{key}` | {_cell(policy.text(spec.label, 'zh-Hans'))} | "
            f"{_cell(policy.text(spec.label, 'en'))} | {_both(policy, spec.population)} | "
            f"{_both(policy, spec.good)} | {_cell(target)} |"
        )
    return "\n".join(lines) + "\n"


def policy_markdown(numbers: Mapping[str, Number] = NUMBERS,
                    kpis: Mapping[str, KpiSpec] = KPI_SPECS,
                    roles: Mapping[str, Role] = ROLES) -> str:
    """`[policy]`, `[policy.targets]` and `[policy.roles]` rows for the config reference."""
    lines = ["| key | default | meaning |", "|---|---|---|"]
    used = used_numbers()
    for key, number in numbers.items():
        later = "" if key in used else " *(" + _cell(t("policy.number_unused",
                                                                   "zh-Hans").strip(" —")) + ")*"
        lines.append(f"| `[policy] {key}` | `{number.default:g}` | "
                     f"{_cell(DEFAULT_POLICY.text(number.label, 'zh-Hans'))} · "
                     f"{_cell(DEFAULT_POLICY.text(number.label, 'en'))}{later} |")
    for key, spec in kpis.items():
        if isinstance(spec.target, str):
            default = f"= `[policy] {spec.target}`"
        else:
            default = f"`{spec.target:g}`"
        label_zh = DEFAULT_POLICY.text(spec.label, "zh-Hans")
        label_en = DEFAULT_POLICY.text(spec.label, "en")
        lines.append(f"| `[policy.targets] {key}` | {default} | "
                     f"{_cell(label_zh)} · {_cell(label_en)} |")
    for key, role in roles.items():
        lines.append(f"| `[policy.roles] {key}` | `{role.default}` | "
                     f"{_cell(role.label.hans)} · {_cell(role.label.en)} |")
    def both(key: str, **values: object) -> str:
        return (f"{_cell(t(key, 'zh-Hans', **values))} · "
                f"{_cell(t(key, 'en', **values))}")

    lines.append(f"| `[policy.depreciation] residual_rate` | `{DEFAULT_RESIDUAL_RATE:g}` | "
                 f"{both('policy.doc_residual_rate')} |")
    lines.append(f"| `[policy.depreciation] default_life` | `{DEFAULT_LIFE}` | "
                 f"{both('policy.doc_default_life')} |")
    for category, years in DEFAULT_LIVES.items():
        lines.append(f"| `[policy.depreciation.lives] \"{category}\"` | `{years}` | "
                     f"{both('policy.doc_life', category=category)} |")
    return "\n".join(lines) + "\n"


BLOCKS: dict[str, Callable[[], str]] = {
    "registers": registers_markdown, "findings": findings_markdown,
    "rules": rules_markdown, "kpis": kpis_markdown, "policy": policy_markdown,
}


def render_readme(text: str) -> str:
    """Replace every `<!-- generated:NAME -->...<!-- /generated:NAME -->` block."""
    for name, build in BLOCKS.items():
        pattern = re.compile(
            rf"(<!-- generated:{name} -->\n).*?(<!-- /generated:{name} -->)", re.S
        )
        text = pattern.sub(partial(_fill, block=build()), text)
    return text


def _fill(match: re.Match[str], block: str) -> str:
    return match.group(1) + block + match.group(2)
