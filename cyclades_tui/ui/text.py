"""Displaying user data literally: names may contain « [bold] » and must show as typed."""

from __future__ import annotations

from rich.text import Text


def literal(value: object, style: str = "") -> Text:
    """A Rich Text that is never parsed as markup."""
    return Text(str(value), style=style)


def size_label(size: int) -> str:
    """A byte count as the compte rendu shows it (« 13 361 » with a thin space)."""
    return f"{size:,}".replace(",", "\u202f")
