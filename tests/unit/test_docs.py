"""Every page in docs/ names the command that reproduces its figures."""
from pathlib import Path

import pytest

from settings import PROJECT_ROOT

PAGES = sorted((PROJECT_ROOT / "docs").glob("*.md"))


def test_there_are_pages():
    assert len(PAGES) >= 4


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_a_page_names_its_command(page: Path):
    text = page.read_text(encoding="utf-8")
    assert "`make " in text or "`python -m " in text, page.name


def test_the_readme_stays_a_newcomers_page():
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 220
    assert "2026-" not in readme  # dated runs belong in docs/
