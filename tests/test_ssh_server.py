"""The real path staff take: a school server reached with `ssh -t`, files exchanged over SFTP.

The test sets the server up exactly as the README's « Installation sur un serveur » says: a
virtualenv of the system's Python in a folder every user can read, a service account whose
password field is `*` (sshd refuses a `!`-locked account), a `Match` block forcing
cyclades-tui itself, and one SFTP-only account per school, chrooted into that school's
folder. It then starts a sshd of its own on 127.0.0.1 (its own configuration and host key)
and drives it with the real `ssh` and `sftp` clients, the TUI through a pseudo-terminal.

The one difference with the README: instead of `pip install` (which would need the network),
the app and its runtime dependencies are copied from the test's own virtualenv into the new
one. Unix users and groups are created and deleted by the test (it runs as root, as CI does).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import pty
import pwd
import re
import select
import shutil
import socket
import struct
import subprocess
import sys
import sysconfig
import tempfile
import termios
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib.metadata import Distribution, distributions
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from tests.helpers import bea, csv_bytes, pdf_text, slips_in

DEMO_UAI, OTHER_UAI = "0999999F", "0392689L"
ANSI = re.compile(r"\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[()][0-9A-Za-z]|.)")


def run(*command: str, check: bool = True, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """Run a command, failing the test with its output when it fails (``check``)."""
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, input=stdin)
    if check and done.returncode != 0:
        pytest.fail(f"{' '.join(command)} : {done.returncode}\n{done.stdout}\n{done.stderr}")
    return done


PURELIB = Path(sysconfig.get_paths()["purelib"])


def installed(name: str) -> Distribution:
    """The distribution installed in this virtualenv (not a checkout's metadata on sys.path)."""
    return next(iter(distributions(name=name, path=[str(PURELIB)])))


def runtime_distributions() -> list[str]:
    """cyclades-tui and every distribution it needs at run time (no test extras)."""
    seen: dict[str, None] = {}
    todo = ["cyclades-tui"]
    while todo:
        name = todo.pop()
        key = re.sub(r"[-_.]+", "-", name).lower()
        if key in seen:
            continue
        seen[key] = None
        for line in installed(name).requires or []:
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(requirement.name)
    return list(seen)


def build_venv(target: Path) -> Path:
    """A virtualenv of /usr/bin/python3 holding the app: returns its `cyclades-tui`."""
    run("/usr/bin/python3", "-m", "venv", "--without-pip", str(target))
    purelib = PURELIB.resolve()
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    site = target / "lib" / version / "site-packages"
    for name in runtime_distributions():
        for entry in installed(name).files or []:
            source = Path(str(entry.locate())).resolve()
            if not source.is_relative_to(purelib) or not source.is_file():
                continue  # scripts in bin/ are written below for the new interpreter
            copy = site / source.relative_to(purelib)
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy)
    script = target / "bin" / "cyclades-tui"
    script.write_text(f"#!{target}/bin/python3\nimport sys\n"
                      "from cyclades_tui.cli import main\nsys.exit(main())\n")
    script.chmod(0o755)
    run("chmod", "-R", "go+rX", str(target))
    return script


def free_port() -> int:
    """A port nobody listens on right now (bound to 0, then released for sshd)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    """Everything the test set up; ``close`` undoes it."""

    base: Path
    port: int = 0
    service: str = ""
    sftp: dict[str, str] = field(default_factory=dict)  # UAI -> SFTP account
    groups: list[str] = field(default_factory=list)
    users: list[str] = field(default_factory=list)
    app: Path = Path()
    sshd: subprocess.Popen[str] | None = None

    @property
    def files(self) -> Path:
        return self.base / "fichiers"

    def ssh(self, user: str, *args: str) -> list[str]:
        """The ssh command line for ``user`` (key authentication, this sshd only)."""
        client = self.base / "client"
        return ["ssh", "-F", "/dev/null", "-i", str(client / "id_ed25519"), "-p", str(self.port),
                "-o", f"UserKnownHostsFile={client / 'known_hosts'}",
                "-o", "StrictHostKeyChecking=accept-new", "-o", "BatchMode=yes",
                "-o", "ConnectTimeout=10", *args, f"{user}@127.0.0.1"]

    def sftp_batch(self, user: str, commands: str) -> subprocess.CompletedProcess[str]:
        """Run one `sftp -b` batch as ``user``."""
        client = self.base / "client"
        batch = client / f"batch-{uuid.uuid4().hex[:6]}"
        batch.write_text(commands)
        return run("sftp", "-F", "/dev/null", "-i", str(client / "id_ed25519"),
                   "-P", str(self.port), "-o", f"UserKnownHostsFile={client / 'known_hosts'}",
                   "-o", "StrictHostKeyChecking=accept-new", "-o", "BatchMode=yes",
                   "-b", str(batch), f"{user}@127.0.0.1", check=False)

    def as_service(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        """The CLI run by the service account with the settings of its Match block."""
        return run("runuser", "-u", self.service, "--", "env",
                   f"CYCLADES_DB=sqlite:///{self.base}/home/cyclades.db",
                   f"CYCLADES_FILES={self.files}", str(self.app), *args, stdin=stdin,
                   check=False)

    def processes_of(self, user: str) -> list[int]:
        """Process ids running as ``user``."""
        done = run("pgrep", "-u", user, check=False)
        return [int(pid) for pid in done.stdout.split()]

    def wait_no_process(self, user: str, timeout: float = 15.0) -> None:
        """Poll until nothing runs as ``user`` (the session has ended cleanly)."""
        deadline = time.monotonic() + timeout
        while self.processes_of(user):
            assert time.monotonic() < deadline, (
                f"processus restants pour {user} : "
                f"{run('ps', '-o', 'pid,ppid,stat,time,args', '-u', user, check=False).stdout}")
            time.sleep(0.05)

    def close(self) -> None:
        """Stop sshd, end the test users' processes (by pid), delete users, groups, files."""
        if self.sshd is not None and self.sshd.poll() is None:
            self.sshd.terminate()
            self.sshd.wait(timeout=15)
        for user in self.users:
            for pid in self.processes_of(user):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, 9)
        for user in self.users:
            run("userdel", user, check=False)
        for group in self.groups:
            run("groupdel", group, check=False)
        shutil.rmtree(self.base, ignore_errors=True)


def set_up(server: Server) -> None:
    """What the README tells the administrator to do, in a folder of the test's own."""
    base, tag = server.base, server.base.name[-6:].lower().replace("_", "x")
    # The service account: a real shell (sshd runs ForceCommand through it), no password
    # but not locked (`*`): staff authenticate with their SSH keys.
    server.service = f"cyct{tag}"
    run("useradd", "--shell", "/bin/sh", "--home-dir", str(base / "home"), "--create-home",
        "--user-group", server.service)
    server.users.append(server.service)
    server.groups.append(server.service)
    run("usermod", "-p", "*", server.service)
    os.chmod(base / "home", 0o700)
    server.app = build_venv(base / "venv")
    # One SFTP account per school, chrooted into the school's folder (root-owned, as sshd
    # requires), whose depot/ and documents/ it shares with the service account's group.
    sftp_group = f"cycf{tag}"
    run("groupadd", sftp_group)
    server.groups.append(sftp_group)
    run("install", "-d", "-o", "root", "-g", "root", "-m", "755", str(server.files))
    for uai in (DEMO_UAI, OTHER_UAI):
        account = f"cycs{tag}{uai[-1].lower()}"
        folder = server.files / uai
        run("install", "-d", "-o", "root", "-g", "root", "-m", "755", str(folder))
        run("useradd", "--shell", "/usr/sbin/nologin", "--home-dir", str(folder),
            "--no-create-home", "--gid", server.service, "--groups", sftp_group, account)
        server.users.append(account)
        run("usermod", "-p", "*", account)
        run("install", "-d", "-o", account, "-g", server.service, "-m", "2770",
            str(folder / "depot"), str(folder / "documents"))
        server.sftp[uai] = account
    # Keys: one for the test's "staff PC", authorised for every account.
    keys = base / "cles"
    client = base / "client"
    keys.mkdir(mode=0o755)
    client.mkdir(mode=0o700)
    run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(client / "id_ed25519"))
    public = (client / "id_ed25519.pub").read_text()
    for user in server.users:
        (keys / user).write_text(public)
        os.chmod(keys / user, 0o644)
    # sshd: its own host key and configuration, loopback only.
    ssh = base / "ssh"
    ssh.mkdir(mode=0o700)
    run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(ssh / "host_ed25519"))
    server.port = free_port()
    # The server's own part (loopback, host key, no PAM: keys only; Debian's Subsystem)...
    config = (f"ListenAddress 127.0.0.1\nPort {server.port}\nHostKey {ssh / 'host_ed25519'}\n"
              f"PidFile {ssh / 'sshd.pid'}\nUsePAM no\nPasswordAuthentication no\n"
              "KbdInteractiveAuthentication no\nLogLevel VERBOSE\n"
              "Subsystem sftp /usr/lib/openssh/sftp-server\n")
    # ... then the README's block, word for word but for the paths.
    config += f"""
Match User {server.service}
    AuthorizedKeysFile {keys}/%u
    ForceCommand {server.app}
    SetEnv CYCLADES_DB=sqlite:///{base}/home/cyclades.db CYCLADES_FILES={server.files}
    DisableForwarding yes
    PermitTTY yes

Match Group {sftp_group}
    AuthorizedKeysFile {keys}/%u
    ChrootDirectory %h
    ForceCommand internal-sftp -P symlink,hardlink -u 0027 -d /depot
    DisableForwarding yes
    PermitTTY no
"""
    (ssh / "sshd_config").write_text(config)
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege separation
    run("/usr/sbin/sshd", "-t", "-f", str(ssh / "sshd_config"))
    server.sshd = subprocess.Popen(["/usr/sbin/sshd", "-D", "-e", "-f", str(ssh / "sshd_config")],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 15
    while True:
        try:
            socket.create_connection(("127.0.0.1", server.port), timeout=1).close()
            break
        except OSError:
            assert server.sshd.poll() is None, f"sshd s'est arrêté : {server.sshd.stderr}"
            assert time.monotonic() < deadline, "sshd n'écoute pas"
            time.sleep(0.05)


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    """A configured school server; everything removed afterwards."""
    if os.geteuid() != 0:
        pytest.fail("ce test crée des comptes Unix et lance sshd : il doit tourner en root")
    for tool in ("/usr/sbin/sshd", "ssh", "sftp", "useradd"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} manque : tests/run.sh installe openssh-server et ssh")
    # Not /tmp: sshd refuses a chroot below a folder that others may write to.
    holder = Path("/srv") if Path("/srv").is_dir() else Path("/opt")
    base = Path(tempfile.mkdtemp(prefix="cyclades-ssh-", dir=holder))
    os.chmod(base, 0o755)
    server = Server(base=base)
    try:
        set_up(server)
        yield server
    finally:
        server.close()
    assert not base.exists()


class Terminal:
    """`ssh -tt` in a pseudo-terminal of 80x24, read with deadlines."""

    def __init__(self, command: list[str]) -> None:
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        self.process = subprocess.Popen(command, stdin=slave, stdout=slave, stderr=slave,
                                        env={**os.environ, "TERM": "xterm-256color"},
                                        start_new_session=True)
        os.close(slave)
        self.seen = ""

    def wait_for(self, text: str, timeout: float = 20.0) -> None:
        """Read until ``text`` appears on screen (escape sequences removed)."""
        deadline = time.monotonic() + timeout
        while text not in ANSI.sub("", self.seen).replace("\r", ""):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"« {text} » jamais affiché ; écran :\n"
                                     f"{ANSI.sub('', self.seen)[-2000:]}")
            ready, _, _ = select.select([self.master], [], [], min(remaining, 0.5))
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:  # the session ended: the slave side is gone
                    chunk = b""
                if not chunk:
                    raise AssertionError(f"connexion fermée avant « {text} » :\n"
                                         f"{ANSI.sub('', self.seen)[-2000:]}")
                self.seen += chunk.decode("utf-8", "replace")

    def type(self, keys: str) -> None:
        """Send keystrokes as a user would."""
        os.write(self.master, keys.encode())

    def wait_exit(self, timeout: float = 20.0) -> int:
        """Drain the output until ssh exits; returns its status."""
        deadline = time.monotonic() + timeout
        while self.process.poll() is None:
            assert time.monotonic() < deadline, "ssh ne s'est pas terminé"
            ready, _, _ = select.select([self.master], [], [], 0.2)
            if ready:
                with contextlib.suppress(OSError):
                    os.read(self.master, 65536)
        os.close(self.master)
        return self.process.returncode


def test_staff_session_over_ssh_and_files_over_sftp(server: Server, tmp_path: Path) -> None:
    demo = server.as_service("demo", "--candidates", "12")
    assert demo.returncode == 0, demo.stderr
    password = re.search(r"Mot de passe : (\S+)", demo.stdout)
    assert password is not None
    assert server.as_service("school", "add", OTHER_UAI, "Lycée", "Pasteur").returncode == 0
    before = json.loads(server.as_service("accounts", "status", "--school", DEMO_UAI,
                                          "--json").stdout)
    assert before["without_account"] > 0

    # A staff member's session: login screen, log in, generate, save the slips, ctrl+q.
    term = Terminal(server.ssh(server.service, "-tt"))
    term.wait_for("Connexion du personnel")
    term.wait_for("Identifiant")
    term.type("demo\r")  # Entrée moves to the password field
    term.type(password.group(1) + "\r")
    term.wait_for("Mon établissement")
    term.type("g")
    term.wait_for("Générer les comptes Cyclades de mes élèves")
    term.wait_for("sans compte")
    term.type("g")
    term.wait_for(f"{before['without_account']} compte(s) créé(s).")
    term.type("\x12")  # ctrl+r: Afficher le compte rendu
    term.wait_for("Affichage de l'élément 1 à 2 sur 2")  # rows loaded: one is selected
    term.type("s")
    term.wait_for("Enregistrer")
    term.type("\r")
    term.wait_for("Document enregistré")
    term.type("\x11")  # ctrl+q
    assert term.wait_exit() == 0
    server.wait_no_process(server.service)
    after = json.loads(server.as_service("accounts", "status", "--school", DEMO_UAI,
                                         "--json").stdout)
    assert after["without_account"] == 0

    # Without a terminal the forced command refuses at once and leaves nothing running.
    for command in ([*server.ssh(server.service), "id"], server.ssh(server.service, "-T")):
        done = run(*command, check=False)
        assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
        assert "terminal interactif" in done.stderr and "uid=" not in done.stdout
        server.wait_no_process(server.service)
    # Nor does sftp on the service account reach a shell or the TUI.
    assert server.sftp_batch(server.service, "ls\n").returncode != 0
    server.wait_no_process(server.service)

    # SFTP: the school's account drops an export in its depot/ and takes the PDF back.
    mine, theirs = server.sftp[DEMO_UAI], server.sftp[OTHER_UAI]
    export = tmp_path / "eleves.csv"
    export.write_bytes(csv_bytes(f"{bea(81)};Roux;;Camille;;02/02/2010;3A;DNB;Inscrit"))
    (server.files / OTHER_UAI / "depot" / "leurs-eleves.csv").write_text("secret")
    back = tmp_path / "retour"
    back.mkdir()
    done = server.sftp_batch(mine, f"put {export} eleves.csv\nls /\nlcd {back}\n"
                                   "get /documents/*.pdf\n")
    assert done.returncode == 0, done.stderr
    assert set(done.stdout.split()) >= {"/depot", "/documents"}
    assert OTHER_UAI not in done.stdout
    dropped = server.files / DEMO_UAI / "depot" / "eleves.csv"
    assert dropped.read_bytes() == export.read_bytes()
    assert pwd.getpwuid(dropped.stat().st_uid).pw_name == mine
    # The app (service account) reads what staff dropped.
    checked = server.as_service("import", str(dropped), "--school", DEMO_UAI, "--dry-run")
    assert checked.returncode == 0 and "1 ligne(s)" in checked.stdout, checked.stderr
    pdfs = list(back.glob("*.pdf"))
    assert len(pdfs) == 1
    login, slip_password = slips_in(pdf_text(pdfs[0]))[0]
    verdict = server.as_service("accounts", "verify", login, stdin=slip_password + "\n")
    assert verdict.returncode == 0, verdict.stderr

    # ... and cannot reach the other school's folder, however it names it.
    for path in (f"{server.files}/{OTHER_UAI}/depot/leurs-eleves.csv",
                 f"/../{OTHER_UAI}/depot/leurs-eleves.csv",
                 "../../leurs-eleves.csv"):
        done = server.sftp_batch(mine, f"lcd {back}\nget {path} vol.csv\n")
        assert done.returncode != 0 and not (back / "vol.csv").exists(), path
    # Nor can it make links (-P symlink,hardlink): a link swapped in for a folder would make
    # the app open a file elsewhere on the server.
    for request in ("symlink /etc", "ln /depot/eleves.csv"):
        done = server.sftp_batch(mine, f"{request} /depot/lien\n")
        assert done.returncode != 0 and not os.path.lexists(
            server.files / DEMO_UAI / "depot" / "lien"), request
    done = server.sftp_batch(theirs, "ls /depot\n")
    assert done.returncode == 0 and "leurs-eleves.csv" in done.stdout
    assert "eleves.csv" not in done.stdout.replace("leurs-eleves.csv", "")
