"""Hostile or garbled terminal input cannot end a session or exhaust the server's memory.

Each attack is written in one write() to the real `cyclades-tui` on a pseudo-terminal, at the
login screen (before any login: anyone with an SSH key can send it). Afterwards the process
must still be alive, still answer keys, hold under 300 MB (VmHWM, the peak resident size,
from /proc), and have shown no traceback. ``BoundedLinuxDriver`` copies part of Textual's
driver: the last tests fail when Textual's originals change, so that the copy is reviewed.
"""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual._xterm_parser import XTermParser
from textual.drivers.linux_driver import LinuxDriver
from textual.geometry import Size

from cyclades_tui.ui.terminal_input import BoundedLinuxDriver, pixels_accepted, size_accepted
from tests.terminal import ESC, Terminal

MAX_MEMORY_KB = 300 * 1024


def peak_memory_kb(pid: int) -> int:
    """VmHWM of ``pid``: the most resident memory it ever held, in kB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("VmHWM absent de /proc")


@pytest.fixture
def terminals() -> Iterator[list[Terminal]]:
    """Terminals opened by a test, closed after it whatever happens."""
    opened: list[Terminal] = []
    yield opened
    for terminal in opened:
        terminal.close()


def open_login(terminals: list[Terminal], url: str, **env: str) -> Terminal:
    terminal = Terminal.app(
        ["--db", url], env={"CYCLADES_PROVISIONAL_COST": "4", "CYCLADES_CHOSEN_COST": "4", **env}
    )
    terminals.append(terminal)
    terminal.wait_for("Connexion du personnel")
    return terminal


def assert_still_answering(terminal: Terminal, typed: str) -> None:
    """The session lives, draws what is typed, stayed small and showed no traceback."""
    terminal.write(typed.encode())
    screen = terminal.wait_for(typed)
    assert "Connexion du personnel" in screen
    assert "Traceback" not in screen and "Error" not in screen
    assert terminal.alive()
    assert peak_memory_kb(terminal.pid) < MAX_MEMORY_KB


ATTACKS = {
    # An in-band resize report (CSI 48 ; rows ; columns ; pixels t) to 100000x100000.
    "huge in-band resize": ESC + b"[48;100000;100000;0;0t",
    # A kitty keyboard report whose code point does not fit chr().
    "huge CSI parameter": ESC + b"[97;1;9999999999u",
    # « è » from a PuTTY set to Windows-1252: not UTF-8.
    "latin-1 byte": b"\xe8",
    # A 0x0 resize, then a mouse report that the parser would scale by 0 pixels a cell.
    "mouse after a 0x0 size": ESC + b"[48;0;0;0;0t" + ESC + b"[<0;5;5M",
    # Pixels without cells, then a mouse report.
    "mouse after 0 pixels": ESC + b"[48;24;80;0;0t" + ESC + b"[<0;5;5M",
    "a mix, in one packet": (
        b"ab\xe8\xff\xfe"
        + ESC
        + b"[97;1;9999999999u"
        + ESC
        + b"[48;0;0;0;0t"
        + ESC
        + b"[<0;5;5M"
        + ESC
        + b"[48;3000;3000;1;1t"
    ),
}


@pytest.mark.parametrize("attack", list(ATTACKS.values()), ids=list(ATTACKS))
def test_hostile_input_at_login_is_dropped(
    sqlite_url: str, terminals: list[Terminal], attack: bytes
) -> None:
    terminal = open_login(terminals, sqlite_url)
    terminal.write(attack)
    # The mouse report, if it came through, is harmless; the next keys must be drawn.
    assert_still_answering(terminal, "apres")


def test_the_same_attacks_in_separate_packets(sqlite_url: str, terminals: list[Terminal]) -> None:
    terminal = open_login(terminals, sqlite_url)
    for attack in ATTACKS.values():
        terminal.write(attack)
        terminal.wait_quiet(0.2)
    terminal.write(ESC + b"[48;0;0;0;0t")
    terminal.wait_quiet(0.2)
    terminal.write(ESC + b"[<0;5;5M")
    assert_still_answering(terminal, "encore")


def test_a_huge_size_at_start_is_ignored(sqlite_url: str, terminals: list[Terminal]) -> None:
    # The size the terminal claims at start (here through COLUMNS/LINES, as a hostile
    # SSH client's environment could set them) is out of bounds: the app draws 80x24.
    terminal = open_login(terminals, sqlite_url, COLUMNS="100000", LINES="100000")
    assert_still_answering(terminal, "debut")


def test_a_huge_window_size_from_the_kernel_is_ignored(
    sqlite_url: str, terminals: list[Terminal]
) -> None:
    # No COLUMNS/LINES: the size is the pty's. The client side sets it to 60000x60000 (an
    # SSH client's window-change request does this); the kernel signals SIGWINCH.
    terminal = open_login(terminals, sqlite_url, COLUMNS="", LINES="")
    terminal.child.setwinsize(60000, 60000)
    terminal.wait_quiet(0.3)
    assert_still_answering(terminal, "fenetre")
    # A size in bounds is still followed: the app draws on 100 columns.
    terminal.child.setwinsize(24, 100)
    terminal.screen.resize(24, 100)
    terminal.wait_for(lambda text: any(len(line.rstrip()) > 80 for line in text.splitlines()))


def test_sizes_in_bounds() -> None:
    assert size_accepted(80, 24) and size_accepted(10, 5) and size_accepted(1000, 500)
    assert not size_accepted(9, 24) and not size_accepted(80, 4)
    assert not size_accepted(1001, 24) and not size_accepted(80, 501)
    assert not size_accepted(100000, 100000) and not size_accepted(0, 0)
    assert pixels_accepted(Size(80, 24), Size(800, 480))
    assert pixels_accepted(Size(80, 24), None)
    assert not pixels_accepted(Size(80, 24), Size(0, 0))
    assert not pixels_accepted(Size(80, 24), Size(80 * 1000, 480))


def _digest(source: str) -> str:
    return hashlib.sha256(source.encode()).hexdigest()[:16]


def test_textual_input_loop_is_the_one_copied() -> None:
    """``BoundedLinuxDriver.run_input_thread`` copies Textual 8.2's loop: when Textual
    changes it, review the copy (terminal_input.py), then update these digests."""
    assert _digest(inspect.getsource(LinuxDriver.run_input_thread)) == "d796af6d69db337d"
    assert _digest(inspect.getsource(LinuxDriver._get_terminal_size)) == "7e80e59356c609c4"
    # What the copy relies on in the parser: its size attributes, and feed/tick.
    parser = XTermParser(False)
    assert hasattr(parser, "terminal_size") and hasattr(parser, "terminal_pixel_size")
    assert callable(parser.feed) and callable(parser.tick)
    assert BoundedLinuxDriver.run_input_thread is not LinuxDriver.run_input_thread
