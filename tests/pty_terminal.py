"""The real `cyclades-tui` on a pseudo-terminal, its output read by a terminal emulator (pyte).

What an SSH session does: the app's stdin/stdout are a terminal of a given size, keys arrive
as bytes (several in one ``write`` when typed quickly or pasted), and the screen is whatever
the escape sequences written back draw. Tests wait for what the screen shows, with deadlines.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pyte

ROOT = Path(__file__).resolve().parents[1]

# Keys as a terminal sends them.
TAB = b"\t"
ENTER = b"\r"
ESC = b"\x1b"
CTRL_G = b"\x07"


class Terminal:
    """A child process on a pty of ``columns`` x ``rows``, its output fed to pyte."""

    def __init__(self, args: list[str], columns: int = 80, rows: int = 24,
                 env: dict[str, str] | None = None) -> None:
        self.screen = pyte.Screen(columns, rows)
        self.stream = pyte.ByteStream(self.screen)
        self.written = 0  # bytes the app wrote to its terminal
        self._lock = threading.Lock()
        full_env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(columns),
                    "LINES": str(rows), **(env or {})}
        full_env.pop("TEXTUAL", None)
        pid, fd = pty.fork()
        if pid == 0:  # the child: becomes the app
            os.chdir(ROOT)
            os.execvpe(sys.executable, [sys.executable, "-m", "cyclades_tui", *args], full_env)
        self.pid, self.fd = pid, fd
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        self._alive = True
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while self._alive:
            try:
                ready, _, _ = select.select([self.fd], [], [], 0.1)
                if not ready:
                    continue
                data = os.read(self.fd, 65536)
            except OSError:
                break
            if not data:
                break
            with self._lock:
                self.written += len(data)
                self.stream.feed(data)

    def write(self, data: bytes) -> None:
        """Send ``data`` in one write, as one SSH packet would deliver it."""
        os.write(self.fd, data)

    def text(self) -> str:
        """The screen as plain lines."""
        with self._lock:
            return "\n".join(self.screen.display)

    def wait_for(self, condition: Callable[[str], bool] | str, timeout: float = 20.0) -> str:
        """Poll the screen until ``condition`` holds (or the text appears); fail after timeout."""
        check = condition if callable(condition) else (lambda text: condition in text)
        deadline = time.monotonic() + timeout
        while True:
            text = self.text()
            if check(text):
                return text
            if time.monotonic() > deadline:
                raise AssertionError(f"écran inattendu après {timeout} s :\n{text}")
            time.sleep(0.02)

    def wait_quiet(self, quiet: float = 0.5, timeout: float = 20.0) -> None:
        """Wait until the app has written nothing for ``quiet`` seconds (drawing is done)."""
        deadline = time.monotonic() + timeout
        last, since = self.written, time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.02)
            if self.written != last:
                last, since = self.written, time.monotonic()
            elif time.monotonic() - since >= quiet:
                return
        raise AssertionError("l'application écrit encore")

    def close(self) -> None:
        """Stop the app (SIGTERM, then SIGKILL) and the reader."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGTERM)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            done, _ = os.waitpid(self.pid, os.WNOHANG)
            if done:
                break
            time.sleep(0.05)
        else:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        self._alive = False
        self._reader.join(timeout=2)
        os.close(self.fd)
