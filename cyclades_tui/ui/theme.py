"""The look on a terminal of 16 colours (the Linux console): the terminal's own colours."""

from __future__ import annotations

import os

from textual.theme import Theme

# For terminals of 16 colours (the Linux console): the terminal's own colours, titles and
# footer keys in cyan (the default theme's orange becomes bright red there, like an error),
# red kept for errors.
SIXTEEN_COLOURS = Theme(
    name="cyclades-16",
    ansi=True,
    dark=True,
    primary="ansi_blue",
    secondary="ansi_cyan",
    accent="ansi_bright_cyan",
    warning="ansi_yellow",
    error="ansi_red",
    success="ansi_green",
    foreground="ansi_default",
    background="ansi_default",
    surface="ansi_default",
    panel="ansi_default",
    boost="ansi_default",
    variables={
        "ansi-background": "ansi_black",
        "ansi-foreground": "ansi_white",
        "border-blurred": "ansi_black",
        "footer-key-foreground": "ansi_bright_cyan",
        "block-cursor-foreground": "ansi_black",
        "block-cursor-background": "ansi_white",
        "input-cursor-background": "ansi_white",
        "input-cursor-foreground": "ansi_black",
        "input-selection-background": "ansi_bright_blue",
        "input-selection-foreground": "ansi_black",
    },
)


def few_colours_terminal() -> bool:
    """True on a terminal known to show 16 colours only (TERM=linux, *-16color)."""
    term = os.environ.get("TERM", "")
    return term == "linux" or term.endswith("-16color")
