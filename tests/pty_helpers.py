"""The real TUI on a pseudo-terminal, as over SSH: raw bytes in, every byte out recorded."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Callable

from tests.resilience_helpers import ROOT, cli_env


class PtyApp:
    """``cyclades-tui --db URL`` on an 80x24 pseudo-terminal; ``output`` is all it wrote."""

    def __init__(self, url: str, env: dict[str, str] | None = None) -> None:
        self.leader, follower = pty.openpty()
        fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        full_env = {**cli_env(4, env), "TERM": "xterm-256color", "COLUMNS": "80",
                    "LINES": "24"}
        full_env.pop("TEXTUAL", None)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "cyclades_tui", "--db", url], stdin=follower,
            stdout=follower, stderr=follower, env=full_env, cwd=ROOT, start_new_session=True)
        os.close(follower)
        self._chunks: list[bytes] = []
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self.leader, 65536)
            except OSError:  # the terminal closes when the process exits
                return
            if not chunk:
                return
            with self._lock:
                self._chunks.append(chunk)

    @property
    def output(self) -> bytes:
        """Every byte the app has written to the terminal so far."""
        with self._lock:
            return b"".join(self._chunks)

    def write(self, data: bytes) -> None:
        """Type ``data`` in one write, as a fast typist or a paste over SSH would."""
        os.write(self.leader, data)

    def wait_for(self, condition: Callable[[], bool], what: str, timeout: float = 60) -> None:
        """Poll ``condition`` until it holds, or fail after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise AssertionError(f"attendu : {what} ; sortie : {self.output[-2000:]!r}")
            time.sleep(0.05)  # polling interval of a condition with a deadline

    def wait_for_text(self, text: bytes, timeout: float = 60) -> None:
        """Wait until the app has drawn ``text`` (a run of characters of one style)."""
        self.wait_for(lambda: text in self.output, f"{text!r} à l'écran", timeout)

    def quit(self) -> int:
        """Press ctrl+q and wait for the process to end; returns its exit status."""
        if self.proc.poll() is None:
            self.write(b"\x11")
        try:
            code = self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait(timeout=30)
        self._reader.join(timeout=10)
        os.close(self.leader)
        return code
