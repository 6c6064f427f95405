"""Every relative link of the README, CONTRIBUTING and docs/ leads to a file of the checkout.

Pages are renamed (docs/rules.md became docs/regles.md): a link left behind would send a
reader nowhere, and nothing else would notice.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").glob("*.md"))]
# [text](target) and ![alt](target); the target stops at a space (an optional title follows).
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)[^)]*\)")


def relative_links(page: Path) -> list[str]:
    """The link targets of ``page`` that are paths in the repository (no URL, no mail)."""
    text = re.sub(r"^```.*?^```", "", page.read_text(encoding="utf-8"), flags=re.M | re.S)
    return [
        target
        for target in LINK.findall(text)
        if not re.match(r"[a-z][a-z0-9+.-]*:", target) and not target.startswith("#")
    ]


def test_every_relative_link_leads_to_a_file() -> None:
    broken = [
        f"{page.relative_to(ROOT)} -> {target}"
        for page in PAGES
        for target in relative_links(page)
        if not (page.parent / target.split("#", 1)[0]).exists()
    ]
    assert broken == []


def test_the_pages_do_have_links() -> None:
    """The check above looks at something: the README links to every page of docs/."""
    readme = set(relative_links(ROOT / "README.md"))
    assert {f"docs/{page.name}" for page in PAGES if page.parent.name == "docs"} - {
        "docs/README.md"
    } <= readme
