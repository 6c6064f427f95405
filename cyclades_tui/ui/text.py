"""Displaying user data literally and safely: names may hold « [bold] » or terminal escapes.

``literal()`` is the screens' gate: markup is never parsed and every control character is
spelled out (``\\x1b``, ``U+202E``) before the text is laid out. ``TerminalSafeFilter`` is
the last barrier behind it: applied by the app to every line every widget draws (inputs,
toasts, the command palette, Textual's own widgets), it drops whatever control character
would still be there, so nothing but the app's own sequences reaches the terminal.
"""

from __future__ import annotations

import re

from rich.segment import Segment
from rich.text import Text
from textual.color import Color
from textual.filter import LineFilter

from cyclades_tui.domain.safe_text import safe_text, strip_unsafe


def french_spacing(text: str) -> str:
    """Non-breaking spaces inside « » and before ? ! : ; so that a wrapped dialog never leaves
    a guillemet or a lone « ? » on a line of its own."""
    text = re.sub(r"« +", "«\u00a0", text)
    text = re.sub(r" +»", "\u00a0»", text)
    return re.sub(r" +([?!:;])", "\u00a0\\1", text)


def literal(value: object, style: str = "") -> Text:
    """A Rich Text never parsed as markup, its control characters shown, not sent.

    Line feeds are kept: screens join their lines (a list of faults) themselves.
    """
    return Text(safe_text(value, keep_newlines=True), style=style)


def size_label(size: int) -> str:
    """A byte count as the compte rendu shows it (« 13 361 » with a thin space)."""
    return f"{size:,}".replace(",", "\u202f")


class TerminalSafeFilter(LineFilter):
    """Drop control, C1 and bidi characters from every drawn segment.

    Dropped rather than spelled out: at this stage the line is laid out, and those
    characters take no cell, so removing them keeps every width right.
    """

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        """The segments of one line, their text made safe (control segments are the app's)."""
        return [
            segment if segment.control else Segment(strip_unsafe(segment.text), segment.style)
            for segment in segments
        ]
