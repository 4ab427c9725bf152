"""Rewrite the generated reference blocks of README.md from the code."""

from pathlib import Path

from automation.docs import render_readme

README = Path(__file__).resolve().parent.parent / "README.md"

if __name__ == "__main__":
    README.write_text(render_readme(README.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"updated {README}")
