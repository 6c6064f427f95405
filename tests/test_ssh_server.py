"""The real path staff take: a school server reached with `ssh -t`, files exchanged over SFTP.

The test reads the admin guide's pages docs/installation.md and docs/sauvegardes.md and
runs their code blocks as written: the service account, the folders and the settings file
(step 2, under `umask 077` so that every mode must be explicit), `/etc/cyclades-tui/
config.toml` filled with the guide's TOML block, the `Match` blocks of sshd (step 3), one
school block per school (step 5), one person block per person (step 6), and the cron line of
the backups, run as the service account in cron's bare environment. It then starts a sshd of
its own on 127.0.0.1 (its own configuration and host key) and drives it with the real `ssh`
and `sftp` clients, the TUI through a pseudo-terminal.

What differs from a real server, and why:
- instead of `apt-get` and `pip install` (the network), the app and its runtime dependencies
  are copied from the test's own virtualenv into a virtualenv of /usr/bin/python3;
- account names are the test's own (`cyct…` for `cyclades`, …), and `/opt/cyclades-tui`,
  `/var/lib/cyclades-tui` and `/srv/cyclades-tui` are folders of the test: other tests may
  run at the same time on this machine;
- `/etc/cyclades-tui` is the guide's path itself, but seen only inside a mount namespace of
  the test (a folder of the test bind-mounted there), where the guide's commands, sshd and
  the cron line run: the machine's own `/etc/cyclades-tui` stays untouched (the test creates
  it, empty, as a mount point when it is missing, and leaves it: another run of this test may
  be using it).
Unix users and groups are created and deleted by the test (it runs as root, as CI does).
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import re
import select
import shutil
import socket
import sqlite3
import subprocess
import sys
import sysconfig
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib.metadata import Distribution, distributions
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from tests.helpers import bea, csv_bytes, pdf_text, slips_in, wait_until
from tests.terminal import CTRL_G, CTRL_Q, ENTER, Terminal

pytestmark = pytest.mark.root  # creates Unix users and groups, writes root-owned folders


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
    script.write_text(
        f"#!{target}/bin/python3\nimport sys\nfrom cyclades_tui.cli import main\nsys.exit(main())\n"
    )
    script.chmod(0o755)
    run("chmod", "-R", "go+rX", str(target))
    return script


def free_port() -> int:
    """A port nobody listens on right now (bound to 0, then released for sshd)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


DOCS = Path(__file__).resolve().parents[1] / "docs"
GUIDE = {
    "Installation sur un serveur": DOCS / "installation.md",
    "Sauvegardes": DOCS / "sauvegardes.md",
}  # the admin guide's pages, by their title
SCHOOLS = ("0392689L", "0350036Z")  # docs/installation.md's own school, and another one
PEOPLE = {"0392689L": "mme.martin", "0350036Z": "m.durand"}
STAFF_PASSWORD = "phrase de passe du personnel"
SYSTEM_CONFIG_DIR = Path("/etc/cyclades-tui")


def readme_section(title: str) -> str:
    """The text of the admin guide's page ``# title`` (docs/installation.md, sauvegardes.md)."""
    text = GUIDE[title].read_text(encoding="utf-8")
    assert text.startswith(f"# {title}\n"), GUIDE[title]
    return text


def code_blocks(section: str) -> list[tuple[str, str]]:
    """The fenced code blocks of an admin guide page: (language, body)."""
    return [(m[1], m[2]) for m in re.finditer(r"^```(\w*)\n(.*?)^```$", section, re.M | re.S)]


def readme_block(section: str, *, language: str = "sh", containing: str) -> str:
    """The one block of ``section`` in ``language`` that holds ``containing``."""
    found = [
        body
        for lang, body in code_blocks(readme_section(section))
        if lang == language and containing in body
    ]
    assert len(found) == 1, f"docs, « {section} » : un bloc {language} avec « {containing} »"
    return found[0]


@dataclass
class Server:
    """Everything the test set up; ``close`` undoes it."""

    base: Path
    port: int = 0
    service: str = ""
    sftp_group: str = ""
    sftp: dict[str, str] = field(default_factory=dict)  # UAI -> SFTP account
    groups: list[str] = field(default_factory=list)
    users: list[str] = field(default_factory=list)
    app: Path = Path()
    sshd: subprocess.Popen[str] | None = None
    namespace: subprocess.Popen[bytes] | None = None

    @property
    def files(self) -> Path:
        return self.base / "srv" / "fichiers"

    @property
    def home(self) -> Path:
        return self.base / "home"

    def localise(self, text: str) -> str:
        """A text of the guide with the test's folders and account names."""
        for path, mine in (
            ("/opt/cyclades-tui", self.base / "opt"),
            ("/var/lib/cyclades-tui", self.home),
            ("/srv/cyclades-tui", self.base / "srv"),
        ):
            text = text.replace(path, str(mine))
        text = re.sub(r"(?<![\w.-])cyclades-sftp(?![\w-])", self.sftp_group, text)
        return re.sub(r"(?<![\w.-])cyclades(?![\w-])", self.service, text)

    def inside(self, *command: str) -> list[str]:
        """``command`` run in the test's mount namespace (where /etc/cyclades-tui is ours),
        with a root shell's environment: none of the test's CYCLADES_* variables."""
        assert self.namespace is not None
        return [
            "nsenter",
            f"--target={self.namespace.pid}",
            "--mount",
            "--",
            "env",
            "-i",
            "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
            "HOME=/root",
            "LANG=C.UTF-8",
            *command,
        ]

    def shell(self, script: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        """A block of the guide (localised) run by root's /bin/sh, stopping at the first failure.

        ``umask 077``: the strictest root umask, so every mode the guide relies on must
        be given explicitly. The operator's ``cyc`` function comes first, as in the guide.
        """
        cyc = self.localise(
            readme_block("Installation sur un serveur", containing="cyc() {").splitlines()[0]
        )
        return run(*self.inside("/bin/sh", "-ec", f"umask 077\n{cyc}\n{script}"), stdin=stdin)

    def ssh(self, user: str, *args: str) -> list[str]:
        """The ssh command line for ``user`` (key authentication, this sshd only)."""
        client = self.base / "client"
        return [
            "ssh",
            "-F",
            "/dev/null",
            "-i",
            str(client / "id_ed25519"),
            "-p",
            str(self.port),
            "-o",
            f"UserKnownHostsFile={client / 'known_hosts'}",
            "-o",
            "StrictHostKeyChecking=accept-new",
            "-o",
            "BatchMode=yes",
            "-o",
            "ConnectTimeout=10",
            *args,
            f"{user}@127.0.0.1",
        ]

    def sftp_batch(self, user: str, commands: str) -> subprocess.CompletedProcess[str]:
        """Run one `sftp -b` batch as ``user``."""
        client = self.base / "client"
        batch = client / f"batch-{uuid.uuid4().hex[:6]}"
        batch.write_text(commands)
        return run(
            "sftp",
            "-F",
            "/dev/null",
            "-i",
            str(client / "id_ed25519"),
            "-P",
            str(self.port),
            "-o",
            f"UserKnownHostsFile={client / 'known_hosts'}",
            "-o",
            "StrictHostKeyChecking=accept-new",
            "-o",
            "BatchMode=yes",
            "-b",
            str(batch),
            f"{user}@127.0.0.1",
            check=False,
        )

    def as_service(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        """An operator's command as docs/installation.md has it (``cyc …``): no setting in the
        environment, only /etc/cyclades-tui/config.toml."""
        return run(
            *self.inside("runuser", "-u", self.service, "--", str(self.app), *args),
            stdin=stdin,
            check=False,
        )

    def cron(self, line: str) -> subprocess.CompletedProcess[str]:
        """A crontab line run as cron runs it: its command through /bin/sh as the service
        account, from its home, with cron's bare environment and ``\\%`` made ``%``."""
        fields = line.split(None, 5)
        assert len(fields) == 6 and "%" not in line.replace("\\%", ""), line
        command = fields[5].replace("\\%", "%")
        done = subprocess.run(
            self.inside(
                "env",
                "-i",
                "PATH=/usr/bin:/bin",
                f"HOME={self.home}",
                "SHELL=/bin/sh",
                f"LOGNAME={self.service}",
                "/usr/sbin/runuser",
                "-u",
                self.service,
                "--",
                "/bin/sh",
                "-c",
                command,
            ),
            capture_output=True,
            text=True,
            timeout=60,
            cwd=self.home,
            check=False,
        )
        return done

    def processes_of(self, user: str) -> list[int]:
        """Process ids running as ``user``."""
        done = run("pgrep", "-u", user, check=False)
        return [int(pid) for pid in done.stdout.split()]

    def wait_no_process(self, user: str, timeout: float = 15.0) -> None:
        """Poll until nothing runs as ``user`` (the session has ended cleanly)."""
        wait_until(
            lambda: not self.processes_of(user),
            timeout,
            lambda: (
                f"processus restants pour {user} : "
                f"{run('ps', '-o', 'pid,ppid,stat,time,args', '-u', user, check=False).stdout}"
            ),
        )

    def close(self) -> None:
        """Stop sshd, end the test users' processes (by pid), delete users, groups, files,
        and leave the mount namespace (its holder ends when its input closes)."""
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
        if self.namespace is not None:
            assert self.namespace.stdin is not None
            self.namespace.stdin.close()
            self.namespace.wait(timeout=15)
        shutil.rmtree(self.base, ignore_errors=True)


def enter_namespace(server: Server) -> None:
    """A mount namespace where the test's ``etc`` folder is /etc/cyclades-tui.

    Its holder is ``cat`` reading a pipe of the test: it lives until ``close`` closes it.
    """
    etc = server.base / "etc"
    etc.mkdir(mode=0o755)
    SYSTEM_CONFIG_DIR.mkdir(mode=0o755, exist_ok=True)  # the mount point (left empty)
    server.namespace = subprocess.Popen(
        [
            "unshare",
            "--mount",
            "--propagation",
            "private",
            "--",
            "/bin/sh",
            "-ec",
            f"mount --bind {etc} {SYSTEM_CONFIG_DIR}; echo pret; exec cat",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert server.namespace.stdout is not None
    ready, _, _ = select.select([server.namespace.stdout], [], [], 30)
    assert ready and server.namespace.stdout.readline() == b"pret\n", "espace de noms absent"


def set_up(server: Server) -> None:
    """What docs/installation.md tells the administrator to do, in folders of the test's own."""
    base, tag = server.base, server.base.name[-6:].lower().replace("_", "x")
    server.service, server.sftp_group = f"cyct{tag}", f"cycf{tag}"
    server.users.append(server.service)
    server.groups += [server.service, server.sftp_group]
    enter_namespace(server)
    # Step 1, without the network: the app in a virtualenv of the system's Python.
    server.app = build_venv(base / "opt")
    # Step 2: the service account, the folders, the settings file written as the guide says.
    server.shell(
        server.localise(
            readme_block("Installation sur un serveur", containing="useradd --shell /bin/sh")
        )
    )
    config = base / "etc" / "config.toml"
    assert (config.stat().st_mode & 0o777, config.stat().st_gid) == (
        0o640,
        pwd.getpwnam(server.service).pw_gid,
    )
    with config.open("w") as settings:  # the file the guide created, its mode kept
        settings.write(
            server.localise(
                readme_block("Installation sur un serveur", language="toml", containing="db =")
            )
        )
    done = server.shell(
        server.localise(readme_block("Installation sur un serveur", containing="cyc init"))
    )
    assert f"fichier {SYSTEM_CONFIG_DIR}/config.toml" in done.stdout, done.stdout
    # Step 5, once per school; step 6, once per person (a key of the test's "staff PC").
    client = base / "client"
    client.mkdir(mode=0o700)
    run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(client / "id_ed25519"))
    school_block = readme_block("Installation sur un serveur", containing="COMPTE=")
    first, rest = school_block.split("\n", 1)
    assert re.fullmatch(r'UAI=(\S+); NOM="[^"]*"; COMPTE=(\S+)', first), first
    readme_uai, readme_account = re.findall(r"UAI=(\S+);.*COMPTE=(\S+)", first)[0]
    person_block = readme_block("Installation sur un serveur", containing="staff add")
    readme_login = re.findall(r"staff add (\S+)", person_block)[0]
    for uai in SCHOOLS:
        account = f"cycs{tag}{uai[-1].lower()}"
        server.users.append(account)
        server.shell(f'UAI={uai}; NOM="Lycée {uai}"; COMPTE={account}\n' + server.localise(rest))
        server.sftp[uai] = account
        person = (
            person_block.replace(readme_uai, uai)
            .replace(readme_account, account)
            .replace(readme_login, PEOPLE[uai])
            .replace("cle-de-mme-martin.pub", str(client / "id_ed25519.pub"))
        )
        server.shell(server.localise(person), stdin=f"{STAFF_PASSWORD}\n{STAFF_PASSWORD}\n")
    # Step 3: sshd, its own host key and configuration, loopback only.
    ssh = base / "ssh"
    ssh.mkdir(mode=0o700)
    run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(ssh / "host_ed25519"))
    server.port = free_port()
    # The server's own part (loopback, host key, no PAM: keys only; Debian's Subsystem)...
    sshd_config = (
        f"ListenAddress 127.0.0.1\nPort {server.port}\nHostKey {ssh / 'host_ed25519'}\n"
        f"PidFile {ssh / 'sshd.pid'}\nUsePAM no\nPasswordAuthentication no\n"
        "KbdInteractiveAuthentication no\nLogLevel VERBOSE\n"
        "Subsystem sftp /usr/lib/openssh/sftp-server\n\n"
    )
    # ... then the guide's blocks, as written.
    match = readme_block("Installation sur un serveur", language="", containing="Match User")
    assert "SetEnv" not in match  # every setting is in config.toml
    (ssh / "sshd_config").write_text(sshd_config + server.localise(match))
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege separation
    run(*server.inside("/usr/sbin/sshd", "-t", "-f", str(ssh / "sshd_config")))
    server.sshd = subprocess.Popen(
        server.inside("/usr/sbin/sshd", "-D", "-e", "-f", str(ssh / "sshd_config")),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_until(lambda: listening(server), 15, "sshd n'écoute pas")


def listening(server: Server) -> bool:
    """True once sshd accepts connections on its port."""
    assert server.sshd is not None and server.sshd.poll() is None, "sshd s'est arrêté"
    try:
        socket.create_connection(("127.0.0.1", server.port), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    """A configured school server; everything removed afterwards."""
    if os.geteuid() != 0:
        pytest.fail("ce test crée des comptes Unix et lance sshd : il doit tourner en root")
    for tool in ("/usr/sbin/sshd", "ssh", "sftp", "useradd", "unshare", "nsenter"):
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


def test_staff_session_over_ssh_and_files_over_sftp(server: Server, tmp_path: Path) -> None:
    mine_uai, their_uai = SCHOOLS
    mine, theirs = server.sftp[mine_uai], server.sftp[their_uai]
    # SFTP: the school's account drops an export in its depot/; the operator imports it.
    export = tmp_path / "eleves.csv"
    export.write_bytes(
        csv_bytes(*(f"{bea(81 + i)};Roux;;Camille{i};;02/02/2010;3A;DNB;Inscrit" for i in range(3)))
    )
    (server.files / their_uai / "depot" / "leurs-eleves.csv").write_text("secret")
    done = server.sftp_batch(mine, f"put {export} eleves.csv\nls /\n")
    assert done.returncode == 0, done.stderr
    assert set(done.stdout.split()) >= {"/depot", "/documents"}
    assert their_uai not in done.stdout
    dropped = server.files / mine_uai / "depot" / "eleves.csv"
    assert dropped.read_bytes() == export.read_bytes()
    assert pwd.getpwuid(dropped.stat().st_uid).pw_name == mine
    # The app (service account, settings from config.toml only) reads what staff dropped.
    imported = server.as_service("import", str(dropped), "--school", mine_uai)
    assert imported.returncode == 0 and "3 ligne(s)" in imported.stdout, imported.stderr
    before = json.loads(
        server.as_service("accounts", "status", "--school", mine_uai, "--json").stdout
    )
    assert before["without_account"] == 3

    # A staff member's session (the account of step 6 of docs/installation.md): log in, generate,
    # save the slips, ctrl+q.
    # `ssh -tt` on an 80x24 terminal, as a staff member's PC runs it.
    term = Terminal(server.ssh(server.service, "-tt"), {**os.environ, "TERM": "xterm-256color"})
    try:
        term.wait_for("Connexion du personnel")
        term.wait_for("Identifiant")
        term.write(PEOPLE[mine_uai].encode() + ENTER)  # Entrée moves to the password field
        term.write(STAFF_PASSWORD.encode() + ENTER)
        term.wait_for("Mon établissement")
        term.write(b"g")
        term.wait_for("Générer les comptes Cyclades de mes élèves")
        term.wait_for("sans compte")
        term.write(CTRL_G)  # Générer (a letter never creates accounts)
        term.wait_for(f"{before['without_account']} compte(s) créé(s).")
        term.write(b"\x12")  # ctrl+r: Afficher le compte rendu
        term.wait_for("Affichage de l'élément 1 à 2 sur 2")  # rows loaded: one is selected
        term.write(b"\x13")  # ctrl+s: Enregistrer (a letter would go to the filter)
        term.wait_for("Enregistrer")
        term.write(ENTER)
        term.wait_for("Document enregistré")
        term.write(CTRL_Q)
        assert os.waitstatus_to_exitcode(term.wait_exit(20)) == 0
    finally:
        term.close()
    server.wait_no_process(server.service)
    after = json.loads(
        server.as_service("accounts", "status", "--school", mine_uai, "--json").stdout
    )
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

    # The school's account takes the saved PDF back (0640: through the folder's group).
    saved = list((server.files / mine_uai / "documents").glob("*.pdf"))
    assert len(saved) == 1 and saved[0].stat().st_mode & 0o777 == 0o640
    back = tmp_path / "retour"
    back.mkdir()
    done = server.sftp_batch(mine, f"lcd {back}\nget /documents/*.pdf\n")
    assert done.returncode == 0, done.stderr
    pdfs = list(back.glob("*.pdf"))
    assert len(pdfs) == 1
    login, slip_password = slips_in(pdf_text(pdfs[0]))[0]
    verdict = server.as_service("accounts", "verify", login, stdin=slip_password + "\n")
    assert verdict.returncode == 0, verdict.stderr

    # ... and cannot reach the other school's folder, however it names it.
    for path in (
        f"{server.files}/{their_uai}/depot/leurs-eleves.csv",
        f"/../{their_uai}/depot/leurs-eleves.csv",
        "../../leurs-eleves.csv",
    ):
        done = server.sftp_batch(mine, f"lcd {back}\nget {path} vol.csv\n")
        assert done.returncode != 0 and not (back / "vol.csv").exists(), path
    # Nor can it make links (-P symlink,hardlink): a link swapped in for a folder would make
    # the app open a file elsewhere on the server.
    for request in ("symlink /etc", "ln /depot/eleves.csv"):
        done = server.sftp_batch(mine, f"{request} /depot/lien\n")
        assert done.returncode != 0 and not os.path.lexists(
            server.files / mine_uai / "depot" / "lien"
        ), request
    done = server.sftp_batch(theirs, "ls /depot\n")
    assert done.returncode == 0 and "leurs-eleves.csv" in done.stdout
    assert "eleves.csv" not in done.stdout.replace("leurs-eleves.csv", "")

    # The cron line of docs/sauvegardes.md, in cron's bare environment: a private backup that opens.
    line = readme_block("Sauvegardes", language="", containing="* * *").strip()
    done = server.cron(server.localise(line))
    assert done.returncode == 0, (done.stdout, done.stderr)
    backups = list((server.base / "srv" / "sauvegardes").glob("cyclades-*.db"))
    assert len(backups) == 1, done.stdout
    info = backups[0].stat()
    assert info.st_mode & 0o777 == 0o600 and pwd.getpwuid(info.st_uid).pw_name == server.service
    with contextlib.closing(sqlite3.connect(f"file:{backups[0]}?mode=ro", uri=True)) as copy:
        assert {row[0] for row in copy.execute("SELECT uai FROM school")} == set(SCHOOLS)
        assert copy.execute("SELECT count(*) FROM account").fetchone()[0] == 3
    # The same day again: the day's copy is never replaced (exit 2), as docs/sauvegardes.md says.
    again = server.cron(server.localise(line))
    assert again.returncode == 2 and "existe déjà" in again.stderr, again.stderr


def test_readme_cups_step_fits_debian_cupsd_conf(tmp_path: Path) -> None:
    """Debian's cupsd.conf has no PreserveJobFiles line: the guide's step 7 adds it, once,
    and cupsd accepts the result."""
    step = readme_block("Installation sur un serveur", containing="PreserveJobFiles")
    edit = step.splitlines()[0]
    assert "/etc/cups/cupsd.conf" in edit
    debian = Path("/usr/share/cups/cupsd.conf.default")
    source = debian if debian.is_file() else Path("/etc/cups/cupsd.conf")
    copy = tmp_path / "cupsd.conf"
    shutil.copyfile(source, copy)
    assert "PreserveJobFiles" not in copy.read_text()
    for _ in range(2):  # harmless twice
        run("/bin/sh", "-ec", edit.replace("/etc/cups/cupsd.conf", str(copy)))
    lines = [x for x in copy.read_text().splitlines() if x.startswith("PreserveJobFiles")]
    assert lines == ["PreserveJobFiles No"]
    (tmp_path / "cups-files.conf").write_text("")
    checked = run(
        "cupsd", "-t", "-c", str(copy), "-s", str(tmp_path / "cups-files.conf"), check=False
    )
    assert checked.returncode == 0, checked.stderr + checked.stdout
