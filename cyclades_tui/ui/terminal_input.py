"""The terminal's input, bounded: what a hostile or misconfigured terminal sends cannot end the
session or make it grow.

Over SSH every byte of input is the remote side's to choose. Textual 8's Linux driver decodes
it as strict UTF-8 and parses it without bounds, so that one byte 0xE8 (« è » from a PuTTY set
to Windows-1252) raises UnicodeDecodeError, ``ESC [97;1;9999999999u`` raises OverflowError, an
in-band resize report to 0x0 makes the next mouse report divide by zero, and a resize report
to 100000x100000 makes the app render ten billion cells. Each ends the session with a
traceback, or the server's memory.

``BoundedLinuxDriver`` is Textual's driver with four changes: undecodable bytes are dropped,
a chunk of input the parser fails on is dropped (and the parser started afresh), a size
outside ``COLUMNS`` x ``ROWS`` is ignored, whether it comes from an in-band resize report, a
SIGWINCH or the size at start, and Échap then a control key in one packet (ESC ctrl+p) is
read as those two keys (Textual's parser kept the control key only). Textual offers no
public hook for any of them: the parser (``textual._xterm_parser``) and the input loop are
Textual's own, so ``run_input_thread`` is a copy of Textual 8.2's with those changes (its
inner functions made the methods ``_read_ready``, ``_feed``, ``_feed_parser``, ``_tick`` and
``_dispatch``), and ``_get_terminal_size`` (private) is overridden. They are isolated here;
``tests/test_terminal_input.py`` fails when Textual's versions change, so that this copy is
reviewed on each upgrade.
"""

from __future__ import annotations

import os
import re
import selectors
from codecs import IncrementalDecoder, getincrementaldecoder
from collections.abc import MutableMapping
from typing import Any

from textual import events
from textual._xterm_parser import XTermParser
from textual.drivers.linux_driver import LinuxDriver
from textual.geometry import Size
from textual.message import Message

COLUMNS = range(10, 1001)
ROWS = range(5, 501)
# What a terminal says when it says nothing usable (and what SSH clients default to).
FALLBACK_SIZE = (80, 24)
# Pixels per cell a real terminal may report (a 4K screen with a tiny font, a huge one).
PIXELS_PER_CELL = range(1, 257)


# Échap then a control key (ctrl+p, Tab, Entrée) in one packet: no terminal sequence starts
# with ESC and a control character, yet Textual's parser reads the pair as that key alone
# (ESC ctrl+p became ctrl+p, the Échap lost). The ESCs before such a key are split off.
ESCAPES_BEFORE_CONTROL = re.compile("(\x1b+)(?=[\x00-\x1a\x1c-\x1f])")


def size_accepted(width: int, height: int) -> bool:
    """True for a terminal size the app draws: 10..1000 columns, 5..500 rows."""
    return width in COLUMNS and height in ROWS


def pixels_accepted(cells: Size, pixels: Size | None) -> bool:
    """True when ``pixels`` (an in-band report's size in pixels) can scale mouse reports."""
    if pixels is None:
        return True
    return (
        pixels.width // max(cells.width, 1) in PIXELS_PER_CELL
        and pixels.height // max(cells.height, 1) in PIXELS_PER_CELL
    )


def bound_initial_size(environ: MutableMapping[str, str], fd: int) -> None:
    """Make the size the app starts with one in bounds, through the environment.

    Before the driver's first size event, Textual draws at the size Rich's console finds:
    ``COLUMNS``/``LINES`` when set (an SSH client may send them), else the terminal's. Values
    out of bounds are removed; a terminal out of bounds gets ``FALLBACK_SIZE`` in their
    place (that session then stays at 80x24: its terminal's size cannot be trusted).
    """
    for name, bounds in (("COLUMNS", COLUMNS), ("LINES", ROWS)):
        raw = environ.get(name, "")
        if raw and not (raw.isdecimal() and len(raw) < 6 and int(raw) in bounds):
            del environ[name]
    try:
        width, height = os.get_terminal_size(fd)
    except OSError:
        return
    if not size_accepted(width, height):
        environ["COLUMNS"], environ["LINES"] = (str(n) for n in FALLBACK_SIZE)


def _new_parser(debug: bool, size: tuple[int, int]) -> XTermParser:
    parser = XTermParser(debug)
    parser.terminal_size = size
    return parser


class BoundedLinuxDriver(LinuxDriver):
    """Textual's Linux driver with bounded sizes and input errors dropped, never fatal."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.accepted_size: tuple[int, int] = FALLBACK_SIZE
        self.dropped_inputs = 0  # chunks of input or sizes ignored (for tests and debugging)
        # The input thread's parser, replaced by a fresh one when it fails on some input.
        self._input_parser = _new_parser(self._debug, self.accepted_size)

    def _get_terminal_size(self) -> tuple[int, int]:
        """The size the kernel reports (at start, on SIGWINCH) when in bounds, else the last
        accepted one."""
        width, height = super()._get_terminal_size()
        if size_accepted(width, height):
            self.accepted_size = (width, height)
        else:
            self.dropped_inputs += 1
        return self.accepted_size

    def run_input_thread(self) -> None:
        """Wait for input and dispatch events (Textual 8.2's loop, made to survive any input,
        and Échap then a control key read as two keys)."""
        selector = selectors.SelectSelector()
        selector.register(self.fileno, selectors.EVENT_READ)
        # Undecodable bytes are dropped: a key typed in another encoding does nothing.
        decoder = getincrementaldecoder("utf-8")(errors="ignore")
        self._input_parser = _new_parser(self._debug, self.accepted_size)
        try:
            while not self.exit_event.is_set():
                self._read_ready(selector.select(0.1), decoder)
            selector.unregister(self.fileno)
            self._read_ready(selector.select(0.1), decoder, final=True)
        finally:
            selector.close()

    def _read_ready(
        self,
        selector_events: list[tuple[selectors.SelectorKey, int]],
        decoder: IncrementalDecoder,
        final: bool = False,
    ) -> None:
        """Read what the terminal sent (if anything), parse it, then let the parser time out
        a lone Échap (Textual's ``process_selector_events``)."""
        for _key, mask in selector_events:
            if mask & selectors.EVENT_READ:
                text = decoder.decode(os.read(self.fileno, 1024 * 4), final=final)
                if text:
                    self._feed(text)
        self._tick()

    def _feed(self, text: str) -> None:
        """Parse ``text``; each ESC right before a control key is an Échap of its own, sent
        in order."""
        pieces = ESCAPES_BEFORE_CONTROL.split(text)
        for index, piece in enumerate(pieces):
            if index % 2:  # a run of ESCs (split() puts the captured group there)
                self._dispatch([events.Key("escape", "\x1b") for _ in piece])
            elif piece:
                self._feed_parser(piece)

    def _feed_parser(self, text: str) -> None:
        """Parse ``text`` and dispatch its events; what the parser fails on is dropped."""
        try:
            parsed = list(self._input_parser.feed(text))
        except Exception:  # whatever the parser fails on is input to drop
            # A generator that raised is finished: a fresh parser reads the chunk again,
            # one character at a time, so that only the sequence at fault is lost (not
            # the keys typed after it in the same packet).
            self.dropped_inputs += 1
            self._input_parser = _new_parser(self._debug, self.accepted_size)
            parsed = []
            for char in text:
                try:
                    parsed.extend(self._input_parser.feed(char))
                except Exception:  # as above
                    self._input_parser = _new_parser(self._debug, self.accepted_size)
        self._dispatch(parsed)

    def _tick(self) -> None:
        """Let the parser send what waited for more input (a lone Échap)."""
        try:
            parsed = list(self._input_parser.tick())
        except Exception:  # as in _feed_parser
            self.dropped_inputs += 1
            self._input_parser = _new_parser(self._debug, self.accepted_size)
            return
        self._dispatch(parsed)

    def _dispatch(self, events_in: list[Message]) -> None:
        """Send the parsed events to the app; a resize only when in bounds."""
        for event in events_in:
            if isinstance(event, events.Resize):
                bounded = self._bounded_resize(event, self._input_parser)
                if bounded is not None:
                    self.process_message(bounded)
            else:
                self.process_message(event)

    def _bounded_resize(self, event: events.Resize, parser: XTermParser) -> events.Resize | None:
        """``event`` (from an in-band report) when in bounds; else None, the parser told the
        last accepted size again. A pixel size that cannot scale mouse reports is forgotten."""
        size = event.size
        if not size_accepted(size.width, size.height):
            self.dropped_inputs += 1
            parser.terminal_size = self.accepted_size
            parser.terminal_pixel_size = None
            return None
        self.accepted_size = (size.width, size.height)
        if not pixels_accepted(size, event.pixel_size):
            self.dropped_inputs += 1
            parser.terminal_pixel_size = None
            return events.Resize.from_dimensions(self.accepted_size, None)
        return event
