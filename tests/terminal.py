"""A program on a pseudo-terminal, as over `ssh -t`: the one pty driver of the tests.

pexpect starts the program with a pty as its controlling terminal (stdin, stdout, stderr) of
a given size; keys are sent as bytes, several in one write when a test sends a burst (what a
slow SSH link or a paste delivers in one packet). What the program writes back is fed to a
terminal emulator (pyte): tests read the screen as it is displayed, and wait for it with
``wait_until``. Every byte is also kept (``output``), for the tests that check which escape
sequences were sent. Closing the pty's master side (``hang_up``) is what sshd does when the
connection drops.

Nothing reads in the background: output is read whenever a test looks at the screen or
waits (``reading``), so the program never blocks on a full terminal while a test waits.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar

import pexpect
import pyte

from tests.helpers import wait_until

ROOT = Path(__file__).resolve().parents[1]
T = TypeVar("T")

# Keys as a terminal sends them.
TAB = b"\t"
ENTER = b"\r"
ESC = b"\x1b"
CTRL_G = b"\x07"
CTRL_Q = b"\x11"


def app_command(*args: str) -> list[str]:
    """`cyclades-tui ARGS`, run from the checkout with the tests' Python."""
    return [sys.executable, "-m", "cyclades_tui", *args]


class Terminal:
    """``command`` on a pty of ``size`` (columns, rows), its screen emulated by pyte."""

    def __init__(
        self,
        command: list[str],
        env: Mapping[str, str],
        size: tuple[int, int] = (80, 24),
        ignore_hangup: bool = False,
        preexec_fn: Callable[[], None] | None = None,
    ) -> None:
        columns, rows = size
        self.screen = pyte.Screen(columns, rows)
        self._stream = pyte.ByteStream(self.screen)
        self._output = bytearray()
        self.last_output = time.monotonic()  # when the program last wrote something
        self.child = pexpect.spawn(
            command[0],
            command[1:],
            env=dict(env),
            cwd=str(ROOT),
            dimensions=(rows, columns),
            ignore_sighup=ignore_hangup,
            preexec_fn=preexec_fn,
        )
        self.child.delaybeforesend = None  # pexpect's default pause before each send
        self.pid: int = self.child.pid
        self._open = True  # the master side, until hang_up or close

    @classmethod
    def app(
        cls,
        args: list[str],
        env: Mapping[str, str] | None = None,
        size: tuple[int, int] = (80, 24),
        inherit: bool = True,
        ignore_hangup: bool = False,
    ) -> Terminal:
        """`cyclades-tui ARGS` in an xterm of ``size``; ``env`` added to this process's own
        environment, or the whole environment when ``inherit`` is false."""
        columns, rows = size
        full_env = {
            **(os.environ if inherit else {}),
            "TERM": "xterm-256color",
            "COLUMNS": str(columns),
            "LINES": str(rows),
            **(env or {}),
        }
        full_env.pop("TEXTUAL", None)  # Textual's devtools switch, if a developer has it set
        return cls(app_command(*args), full_env, size, ignore_hangup=ignore_hangup)

    # --- what the program wrote ------------------------------------------------------------

    def read(self) -> None:
        """Take in whatever the program has written so far, without waiting."""
        while self._open:
            try:
                chunk = self.child.read_nonblocking(65536, timeout=0)
            except (pexpect.TIMEOUT, pexpect.EOF):
                return
            self._output += chunk
            self._stream.feed(chunk)
            self.last_output = time.monotonic()

    @property
    def output(self) -> bytes:
        """Every byte the program has written to its terminal so far."""
        self.read()
        return bytes(self._output)

    @property
    def written(self) -> int:
        """How many bytes the program has written so far."""
        self.read()
        return len(self._output)

    def text(self) -> str:
        """The screen as it is displayed, one line of text per row."""
        self.read()
        return "\n".join(self.screen.display)

    def reading(self, check: Callable[[], T]) -> Callable[[], T]:
        """``check``, after reading the program's output: for ``wait_until`` on something
        other than the screen, so that the program never blocks writing meanwhile."""

        def read_then_check() -> T:
            self.read()
            return check()

        return read_then_check

    # --- waiting ---------------------------------------------------------------------------

    def wait_for(self, condition: Callable[[str], bool] | str, timeout: float = 20.0) -> str:
        """Wait until the screen shows ``condition`` (a text, or a test of the screen's text);
        return the screen then."""
        check = condition if callable(condition) else (lambda text: condition in text)

        def shown() -> str | None:
            text = self.text()
            return text if check(text) else None

        found = wait_until(shown, timeout, lambda: f"écran inattendu :\n{self.text()}")
        assert found is not None  # wait_until returns a true value
        return found

    def wait_quiet(self, quiet: float = 0.5, timeout: float = 20.0) -> None:
        """Wait until the program has written nothing for ``quiet`` seconds (drawing done)."""
        wait_until(
            self.reading(lambda: time.monotonic() - self.last_output >= quiet),
            timeout,
            "l'application écrit encore",
        )

    def alive(self) -> bool:
        """True while the program runs (once ended, ``status`` holds its wait status)."""
        return bool(self.child.isalive())

    @property
    def status(self) -> int | None:
        """The program's wait status (os.WIFEXITED…), once it has ended and been reaped."""
        self.alive()
        status: int | None = self.child.status
        return status

    def wait_exit(self, timeout: float = 30.0) -> int:
        """Wait until the program ends, reading its output; return its wait status."""
        wait_until(
            self.reading(lambda: not self.alive()),
            timeout,
            lambda: f"toujours en vie ; écran :\n{self.text()}",
        )
        assert self.child.status is not None
        return int(self.child.status)

    # --- what a user or sshd does ----------------------------------------------------------

    def write(self, data: bytes) -> None:
        """Send ``data`` in one write, as one SSH packet delivers a burst of keys."""
        self.read()
        self.child.send(data)
        # Quiet is counted from the keys, not from the last drawing: else ``wait_quiet`` right
        # after a key returns before the program has even started answering it.
        self.last_output = time.monotonic()

    def quit(self, timeout: float = 30.0) -> int:
        """Press ctrl+q, wait for the program to end; return its exit code."""
        if self.alive():
            self.write(CTRL_Q)
        try:
            self.wait_exit(timeout)
        finally:
            self.close()
        return os.waitstatus_to_exitcode(self.child.status)

    def hang_up(self) -> None:
        """Close the master side, and nothing else, as sshd does when the connection drops
        (pexpect's own close would also signal the program)."""
        self.read()
        self._open = False
        self.child.ptyproc.fileobj.close()

    def close(self) -> None:
        """Hang up and end the program if it still runs (pexpect's close: SIGHUP, SIGINT,
        then SIGKILL), releasing the terminal."""
        self.read()
        self._open = False
        self.child.close(force=True)
