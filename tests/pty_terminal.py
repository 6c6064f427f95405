"""The real `cyclades-tui` on a pseudo-terminal: every pty driver of the tests, in one module.

- ``Terminal``: output read by a terminal emulator (pyte), to assert on what the screen shows.
- ``PtyApp``: 80x24, every byte out recorded, to assert on raw output (escape sequences).
- ``TuiOnPty``: the pty is the controlling terminal (``pty.fork``), so that closing it hangs
  the app up as a dropped SSH connection does.

What an SSH session does: the app's stdin/stdout are a terminal of a given size, keys arrive
as bytes (several in one ``write`` when typed quickly or pasted), and the screen is whatever
the escape sequences written back draw. Tests wait for what the screen shows, with deadlines.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pyte

from tests.helpers import until
from tests.resilience_helpers import cli_env

ROOT = Path(__file__).resolve().parents[1]

# Keys as a terminal sends them.
TAB = b"\t"
ENTER = b"\r"
ESC = b"\x1b"
CTRL_G = b"\x07"


class Terminal:
    """A child process on a pty of ``columns`` x ``rows``, its output fed to pyte."""

    def __init__(
        self, args: list[str], columns: int = 80, rows: int = 24, env: dict[str, str] | None = None
    ) -> None:
        self.screen = pyte.Screen(columns, rows)
        self.stream = pyte.ByteStream(self.screen)
        self.written = 0  # bytes the app wrote to its terminal
        self._lock = threading.Lock()
        full_env = {
            **os.environ,
            "TERM": "xterm-256color",
            "COLUMNS": str(columns),
            "LINES": str(rows),
            **(env or {}),
        }
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


class PtyApp:
    """``cyclades-tui --db URL`` on an 80x24 pseudo-terminal; ``output`` is all it wrote."""

    def __init__(self, url: str, env: dict[str, str] | None = None) -> None:
        self.leader, follower = pty.openpty()
        fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        full_env = {**cli_env(4, env), "TERM": "xterm-256color", "COLUMNS": "80", "LINES": "24"}
        full_env.pop("TEXTUAL", None)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "cyclades_tui", "--db", url],
            stdin=follower,
            stdout=follower,
            stderr=follower,
            env=full_env,
            cwd=ROOT,
            start_new_session=True,
        )
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


ANSI = re.compile(r"\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-Z\\-_])")


class TuiOnPty:
    """`cyclades-tui ARGS` on a pseudo-terminal that is its controlling terminal."""

    def __init__(
        self,
        args: list[str],
        env: dict[str, str],
        ignore_hangup: bool = False,
        size: tuple[int, int] = (100, 30),
    ) -> None:
        pid, fd = pty.fork()
        if pid == 0:  # the child: become cyclades-tui
            try:
                os.chdir(ROOT)
                if ignore_hangup:  # as under nohup: the app must not rely on the default
                    signal.signal(signal.SIGHUP, signal.SIG_IGN)
                os.execve(sys.executable, [sys.executable, "-m", "cyclades_tui", *args], env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        cols, rows = size
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.output = bytearray()
        self.status: int | None = None
        self._stop = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        # select() with a timeout, not a blocking read: a read in progress would keep the
        # master open after close(), and the hang-up would never happen.
        while not self._stop.is_set():
            ready, _, _ = select.select([self.fd], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                return
            if not chunk:
                return
            self.output += chunk

    def screen_text(self) -> str:
        """Everything shown so far, without the terminal's control sequences."""
        return ANSI.sub("", bytes(self.output).decode("utf-8", "replace"))

    def shows(self, text: str, timeout: float = 60.0) -> bool:
        return until(lambda: text in self.screen_text(), timeout)

    def press(self, keys: str) -> None:
        os.write(self.fd, keys.encode())

    def hang_up(self) -> None:
        """Close the master side, as sshd does when the connection drops."""
        self._stop.set()
        self._reader.join(timeout=5)
        os.close(self.fd)
        self.fd = -1

    def exited(self, timeout: float) -> bool:
        """True once the process has ended (reaped) within ``timeout`` seconds."""

        def reaped() -> bool:
            if self.status is None:
                done, status = os.waitpid(self.pid, os.WNOHANG)
                if done:
                    self.status = status
            return self.status is not None

        return until(reaped, timeout)

    def kill(self) -> None:
        if self.status is None:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            self.status = -1
        if self.fd >= 0:
            self._stop.set()
            self._reader.join(timeout=5)
            os.close(self.fd)
            self.fd = -1
