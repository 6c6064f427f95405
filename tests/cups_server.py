"""A cupsd of the test's own, in a temporary folder, with raw queues whose device is a TCP
listener of the test: what reaches the "printer" can be compared byte for byte."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import wait_until


class Listener:
    """A "printer" on 127.0.0.1: accepts connections and keeps what each one sent."""

    def __init__(self, port: int = 0) -> None:
        self.server = socket.socket()
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", port))
        self.server.listen()
        self.port: int = self.server.getsockname()[1]
        self.received: list[bytes] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return  # closed by stop()
            chunks = []
            with connection:
                while chunk := connection.recv(65536):
                    chunks.append(chunk)
            if chunks:  # not the reachability check of print_document (connects only)
                self.received.append(b"".join(chunks))

    def wait_for_job(self, timeout: float = 20.0) -> bytes:
        """The bytes of the first job, once its connection is closed."""
        wait_until(lambda: self.received, timeout, "l'imprimante n'a rien reçu")
        return self.received[0]

    def stop(self) -> None:
        """Stop listening: shut down first, or a thread blocked in accept() keeps the
        socket listening (Linux) and the port still takes connections."""
        with contextlib.suppress(OSError):
            self.server.shutdown(socket.SHUT_RDWR)
        self.server.close()
        self._thread.join(timeout=5)


class Cups:
    """A cupsd of the test's own: configuration, spool and socket in a temporary folder."""

    def __init__(self) -> None:
        # Not pytest's tmp_path: CUPS' backends run as user lp, who must reach the spool.
        self.dir = Path(tempfile.mkdtemp(prefix="cyclades-cups-"))
        os.chmod(self.dir, 0o755)
        self.socket = self.dir / "cups.sock"
        self.listeners: list[Listener] = []
        for sub in ("spool", "cache", "state", "tmp", "log"):
            (self.dir / sub).mkdir()
        d = self.dir
        (d / "cupsd.conf").write_text(
            f"Listen {self.socket}\nLogLevel warn\nPreserveJobFiles No\n"
            "PreserveJobHistory No\nWebInterface No\nBrowsing No\n"
            "<Location />\n  Order allow,deny\n  Allow all\n</Location>\n"
            "<Location /admin>\n  Order allow,deny\n  Allow all\n</Location>\n"
        )
        (d / "cups-files.conf").write_text(
            f"User lp\nGroup lp\nSystemGroup root\nServerRoot {d}\nRequestRoot {d}/spool\n"
            f"CacheDir {d}/cache\nStateDir {d}/state\nTempDir {d}/tmp\n"
            f"ErrorLog {d}/log/error_log\nAccessLog {d}/log/access_log\n"
            f"PageLog {d}/log/page_log\n"
        )
        self.process: subprocess.Popen[bytes] | None = None
        self.start()

    def start(self) -> None:
        """Start cupsd in the foreground and wait until it answers."""
        self.socket.unlink(missing_ok=True)
        self.process = subprocess.Popen(
            [
                "cupsd",
                "-f",
                "-c",
                str(self.dir / "cupsd.conf"),
                "-s",
                str(self.dir / "cups-files.conf"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        wait_until(self._running, 15, "cupsd ne répond pas")

    def _running(self) -> bool:
        """True once the scheduler answers; fails at once if cupsd has stopped."""
        assert self.process is not None
        if self.process.poll() is not None:
            error = self.process.stderr.read() if self.process.stderr else b""
            pytest.fail(f"cupsd n'a pas démarré : {error.decode(errors='replace')}")
        return self.run("lpstat", "-r").stdout.strip() == "scheduler is running"

    def stop(self) -> None:
        """Stop cupsd (SIGTERM) and wait for it."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)
        self.process = None

    def env(self) -> dict[str, str]:
        """The environment that points CUPS' clients at this cupsd."""
        return {**os.environ, "CUPS_SERVER": str(self.socket), "LC_ALL": "C"}

    def run(self, *command: str) -> subprocess.CompletedProcess[str]:
        """Run a CUPS client command against this cupsd."""
        return subprocess.run(command, capture_output=True, text=True, env=self.env(), timeout=15)

    def add_printer(self, name: str) -> Listener:
        """A raw queue whose device is a new listener of the test."""
        listener = Listener()
        self.listeners.append(listener)
        done = self.run(
            "lpadmin", "-p", name, "-E", "-v", f"socket://127.0.0.1:{listener.port}", "-m", "raw"
        )
        assert done.returncode == 0, done.stderr
        return listener

    def close(self) -> None:
        """Stop everything and remove the folder."""
        self.stop()
        for listener in self.listeners:
            listener.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def cups(monkeypatch: pytest.MonkeyPatch) -> Iterator[Cups]:
    """A running cupsd of the test's own; the code under test finds it via CUPS_SERVER."""
    if shutil.which("cupsd") is None:
        pytest.fail("cupsd manque : tests/run.sh installe cups, cups-client et cups-bsd")
    server = Cups()
    monkeypatch.setenv("CUPS_SERVER", str(server.socket))
    try:
        yield server
    finally:
        server.close()
