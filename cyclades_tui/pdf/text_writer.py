"""Text that fits: a string shrunk, then narrowed, to stay inside its width on a slip.

``slips`` draws every text of a slip through a ``TextWriter`` (one PDF text object per
block) so that no value, however long, leaves its frame or becomes unextractable.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from . import slip_layout as geo
from .fonts import MONO_BOLD, FontSet


def fit(text: str, font: str, size: float, max_width: float) -> tuple[float, float]:
    """Font size and horizontal scale (percent) for ``text`` to fit in ``max_width``.

    The size shrinks down to ``geo.MIN_SIZE``; past that the glyphs get narrower, which keeps
    even absurdly long values inside the frame and fully extractable.
    """
    width: float = stringWidth(text, font, size)
    if width <= max_width:
        return size, 100.0
    shrunk = max(geo.MIN_SIZE, math.floor(size * max_width / width * 10) / 10)
    width = width * shrunk / size
    if width <= max_width:
        return shrunk, 100.0
    return shrunk, math.floor(1000 * max_width / width) / 10


class TextWriter:
    """Collects fitted strings into one reportlab text object (one BT/ET block)."""

    def __init__(self, canvas: Canvas, fonts: FontSet) -> None:
        self._canvas = canvas
        self._fonts = fonts
        self._text: Any = canvas.beginText()

    def regular(self, x: float, y: float, text: str, size: float, max_width: float) -> None:
        """The document's text font."""
        self._write(x, y, text, self._fonts.regular, size, max_width, fake_bold=False)

    def bold(self, x: float, y: float, text: str, size: float, max_width: float) -> None:
        """The bold text font (its glyphs also stroked when the font set has no real bold)."""
        self._write(x, y, text, self._fonts.bold, size, max_width, self._fonts.fake_bold)

    def oblique(self, x: float, y: float, text: str, size: float, max_width: float) -> None:
        """The oblique text font."""
        self._write(x, y, text, self._fonts.oblique, size, max_width, fake_bold=False)

    def mono(self, x: float, y: float, text: str, size: float, max_width: float) -> None:
        """Courier: keeps look-alike characters of credentials apart; cp1252 text only."""
        self._write(x, y, text, MONO_BOLD, size, max_width, fake_bold=False)

    def gray(self, level: float) -> None:
        """The fill gray of the strings written next."""
        self._text.setFillGray(level)

    def draw(self) -> None:
        """Put the collected strings on the canvas."""
        self._canvas.drawText(self._text)

    def _write(
        self,
        x: float,
        y: float,
        text: str,
        font: str,
        size: float,
        max_width: float,
        fake_bold: bool,
    ) -> None:
        t = self._text
        size, scale = fit(text, font, size, max_width)
        t.setTextOrigin(x, y)
        t.setFont(font, size)
        # Horizontal scale and render mode belong to the PDF text state, which outlives the
        # text object: always put them back.
        if scale < 100:
            t.setHorizScale(scale)
        if fake_bold:
            t.setTextRenderMode(2)
        t.textOut(text)
        if fake_bold:
            t.setTextRenderMode(0)
        if scale < 100:
            t.setHorizScale(100)


def wrap_chars(text: str, font: str, size: float, max_width: float) -> Iterator[str]:
    """Cut ``text`` into pieces no wider than ``max_width`` (URLs have no spaces to break at)."""
    line = ""
    for ch in text:
        if line and stringWidth(line + ch, font, size) > max_width:
            yield line
            line = ""
        line += ch
    if line:
        yield line
