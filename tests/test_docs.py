"""The README's reference tables are generated from the code; they must be current."""

from dataclasses import replace

from conftest import ROOT

from automation.docs import (
    BLOCKS,
    kpis_markdown,
    policy_markdown,
    render_readme,
    rules_markdown,
)
from automation.policy import DEFAULT_POLICY, KPI_SPECS, NUMBERS, ROLES, RULE_SPECS, Policy
from automation.registers.schema import Label


def test_readme_reference_is_current():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in ("registers", "findings", "rules", "kpis", "policy"):
        assert f"<!-- generated:{name} -->" in text and f"<!-- /generated:{name} -->" in text
    assert set(BLOCKS) == {"registers", "findings", "rules", "kpis", "policy"}
    assert render_readme(text) == text, "README is stale: run python scripts/gen_docs.py"


def test_policy_rows_follow_the_config_reference_table():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    reference = text.split("## 配置参考 · Config reference", 1)[1].split("\n## ", 1)[0]
    assert "| `[office] extra_workdays` | `[]` |" in reference
    assert "<!-- generated:policy -->" in reference
    policy = text.split("## 办公室制度 · Policy", 1)[1].split("\n## ", 1)[0]
    assert "<!-- generated:rules -->" in policy and "<!-- generated:kpis -->" in policy
    assert text.index("## 办公室制度 · Policy") < text.index("## 配置参考 · Config reference")


def test_every_declaration_has_its_row():
    rules, kpis, policy = rules_markdown(), kpis_markdown(), policy_markdown()
    assert all(f"| `{key}` |" in rules for key in RULE_SPECS)
    assert all(f"| `{key}` |" in kpis for key in KPI_SPECS)
    assert all(f"| `[policy] {key}` |" in policy for key in NUMBERS)
    assert all(f"| `[policy.targets] {key}` |" in policy for key in KPI_SPECS)
    assert all(f"| `[policy.roles] {key}` |" in policy for key in ROLES)
    # titles at the default numbers, in both languages
    assert "| 报销单超过 2 个工作日未审核 | Expense not audited within 2 working days |" in rules
    assert "| `expense_audit_workdays`, `expense_escalate_workdays`, " in rules
    assert "≤ 2 个工作日<br>≤ 2 working days |" in kpis
    assert "| ±5% (`budget_tolerance`) |" in kpis
    assert "| `[policy] minutes_hours` | `48` | 会后发布纪要的时限（小时） · " in policy
    assert "| `[policy.targets] budget_deviation` | = `[policy] budget_tolerance` |" in policy
    assert "| `[policy.roles] head_role` | `部长` |" in policy


def test_changing_a_declaration_changes_the_generated_text():
    rule = RULE_SPECS["minutes_overdue"]
    specs = dict(RULE_SPECS)
    title = Label("纪要超过 {minutes_hours} 小时还没发", "紀要超過 {minutes_hours} 小時還沒發",
                  "Minutes still missing after {minutes_hours} h")
    specs["minutes_overdue"] = replace(rule, title=title)
    changed = rules_markdown(specs)
    assert changed != rules_markdown()
    assert "| 纪要超过 48 小时还没发 | Minutes still missing after 48 h |" in changed

    # another default number: every label that shows it follows
    numbers = dict(DEFAULT_POLICY.numbers) | {"minutes_hours": 24.0}
    at_24 = Policy(numbers, DEFAULT_POLICY.targets, DEFAULT_POLICY.roles)
    assert "会议纪要超过 24 小时未发布" in rules_markdown(policy=at_24)
    assert "| 纪要 24 小时内发布率 | Minutes published within 24 h |" in kpis_markdown(policy=at_24)

    kpis = dict(KPI_SPECS)
    kpis["task_on_time"] = replace(KPI_SPECS["task_on_time"], target=0.9)
    assert "| `[policy.targets] task_on_time` | `0.9` |" in policy_markdown(kpis=kpis)
    assert "≥ 90%" in kpis_markdown(kpis).split("`task_on_time`", 1)[1].splitlines()[0]

    numbers_decl = dict(NUMBERS)
    numbers_decl["case_response_hours"] = replace(NUMBERS["case_response_hours"], default=12)
    assert "| `[policy] case_response_hours` | `12` |" in policy_markdown(numbers_decl)


def test_quick_start_has_exactly_two_commands():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("## Quick start", 1)[1].split("```", 2)[1]
    commands = [line for line in block.splitlines()[1:] if line.strip()
                and not line.strip().startswith("#")]
    assert len(commands) == 2
    assert "clerk demo" in commands[0] and "pytest" in commands[1]
