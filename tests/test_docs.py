"""The README's reference tables are generated from the code; they must be current."""

from conftest import ROOT

from automation.docs import render_readme


def test_readme_reference_is_current():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "<!-- generated:registers -->" in text and "<!-- generated:findings -->" in text
    assert render_readme(text) == text, "README is stale: run python scripts/gen_docs.py"


def test_quick_start_has_exactly_two_commands():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("## Quick start", 1)[1].split("```", 2)[1]
    commands = [line for line in block.splitlines()[1:] if line.strip()
                and not line.strip().startswith("#")]
    assert len(commands) == 2
    assert "clerk demo" in commands[0] and "pytest" in commands[1]
