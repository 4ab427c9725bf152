"""Reference sections of the README, generated from the code so they cannot drift.

`python scripts/gen_docs.py` rewrites the marked blocks; a test fails when they are stale.
"""

from __future__ import annotations

import re

from .checks import CODES
from .i18n import t
from .registers import REGISTERS, Kind
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
              "sheet": "…"}
    sample_en = sample | {"label": "Borrowed on", "table": "Loans", "target": "Members",
                          "needed": "Paid on", "status": "Paid"}
    for code, severity in CODES.items():
        zh = t(f"finding.{code}", "zh-Hans", **sample).replace("|", "\\|")
        en = t(f"finding.{code}", "en", **sample_en).replace("|", "\\|")
        level = "错误 error" if severity == "error" else "警告 warning"
        lines.append(f"| `{code}` | {level} | {zh} | {en} |")
    return "\n".join(lines) + "\n"


BLOCKS = {"registers": registers_markdown, "findings": findings_markdown}


def render_readme(text: str) -> str:
    """Replace every `<!-- generated:NAME -->...<!-- /generated:NAME -->` block."""
    for name, build in BLOCKS.items():
        pattern = re.compile(
            rf"(<!-- generated:{name} -->\n).*?(<!-- /generated:{name} -->)", re.S
        )
        text = pattern.sub(lambda m, b=build: m.group(1) + b() + m.group(2), text)
    return text
