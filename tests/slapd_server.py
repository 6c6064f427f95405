"""A private OpenLDAP ``slapd`` for tests and benchmarks: its own configuration and database
in a temporary folder, listening on 127.0.0.1 only, stopped (by its own pid) afterwards.

Never the system's directory: the system slapd (Debian's postinst may start one) is left
alone, and nothing but the process started here is ever stopped.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.helpers import wait_until

SUFFIX = "dc=lycee,dc=test"
ROOT_DN = f"cn=admin,{SUFFIX}"
ROOT_PASSWORD = "secret-annuaire-test"
SCHEMAS = ("core", "cosine", "inetorgperson")
POLICY_RDN = "cn=politique"


@dataclass(frozen=True)
class Slapd:
    """A running private slapd: where it listens and how to bind as its administrator."""

    url: str
    folder: Path
    suffix: str = SUFFIX
    root_dn: str = ROOT_DN
    root_password: str = ROOT_PASSWORD

    @property
    def password_file(self) -> Path:
        """A file holding the administrator password (setting ``ldap_bind_password_file``)."""
        return self.folder / "bind-password"

    def env(self) -> dict[str, str]:
        """The ``CYCLADES_LDAP_*`` variables that point cyclades-tui at this directory."""
        return {
            "CYCLADES_LDAP_URL": self.url,
            "CYCLADES_LDAP_BIND_DN": self.root_dn,
            "CYCLADES_LDAP_BIND_PASSWORD_FILE": str(self.password_file),
            "CYCLADES_LDAP_BASE_DN": self.suffix,
        }

    def whoami(self, dn: str, password: str) -> bool:
        """True when ``ldapwhoami -x -D dn -w password`` binds (the OpenLDAP client itself)."""
        done = subprocess.run(
            ["ldapwhoami", "-x", "-H", self.url, "-D", dn, "-w", password],
            capture_output=True,
            timeout=30,
        )
        return done.returncode == 0

    def admin(self, tool: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        """Run an OpenLDAP client tool (ldapadd, ldapsearch…) bound as the administrator."""
        return subprocess.run(
            [tool, "-x", "-H", self.url, "-D", self.root_dn, "-w", self.root_password, *args],
            input=stdin,
            capture_output=True,
            text=True,
            timeout=60,
        )


def free_port() -> int:
    """A TCP port free on 127.0.0.1 at the time of asking."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _config(folder: Path, suffix: str, ppolicy: bool, must_change: bool) -> str:
    lines = [f"include /etc/ldap/schema/{name}.schema" for name in SCHEMAS]
    lines += [
        f"pidfile {folder / 'slapd.pid'}",
        f"argsfile {folder / 'slapd.args'}",
        "modulepath /usr/lib/ldap",
        "moduleload back_mdb",
    ]
    if ppolicy:
        # OpenLDAP 2.5: the ppolicy schema (pwdReset…) is built into the overlay module.
        lines.append("moduleload ppolicy")
    lines += [
        # Any authenticated user may change their own password (ldappasswd as themselves).
        "access to attrs=userPassword by self write by anonymous auth by * none",
        "access to * by self read by users read by anonymous auth",
        "database mdb",
        f'suffix "{suffix}"',
        f'rootdn "cn=admin,{suffix}"',
        f"rootpw {ROOT_PASSWORD}",
        f"directory {folder / 'db'}",
        "maxsize 104857600",
        "index uid eq",
    ]
    if ppolicy:
        lines.append("overlay ppolicy")
    if must_change:
        lines.append(f'ppolicy_default "{POLICY_RDN},{suffix}"')
    return "\n".join(lines) + "\n"


@contextmanager
def running_slapd(
    tmp: Path,
    ppolicy: bool = False,
    suffix: str = SUFFIX,
    with_base: bool = True,
    must_change: bool = False,
) -> Iterator[Slapd]:
    """Start a private slapd in ``tmp`` (base entry created when ``with_base``); stop it after.

    ``ppolicy``: the password-policy overlay (``pwdReset``); ``must_change``: plus a default
    policy with ``pwdMustChange: TRUE`` (an account marked ``pwdReset`` may then only change
    its password).
    """
    ppolicy = ppolicy or must_change
    if shutil.which("slapd") is None and not Path("/usr/sbin/slapd").exists():
        raise RuntimeError("slapd manque : installez slapd et ldap-utils (tests/run.sh le fait)")
    folder = tmp / "slapd"
    (folder / "db").mkdir(parents=True)
    (folder / "slapd.conf").write_text(_config(folder, suffix, ppolicy, must_change))
    server = Slapd(url="", folder=folder, suffix=suffix, root_dn=f"cn=admin,{suffix}")
    server.password_file.write_text(ROOT_PASSWORD + "\n")
    server.password_file.chmod(0o600)
    slapd = shutil.which("slapd") or "/usr/sbin/slapd"
    process = None
    for _attempt in range(5):
        port = free_port()
        url = f"ldap://127.0.0.1:{port}/"
        # -d 0 keeps slapd in the foreground, so this Popen is slapd itself (its pid is ours).
        process = subprocess.Popen(
            [slapd, "-d", "0", "-f", str(folder / "slapd.conf"), "-h", url],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        server = Slapd(url=url, folder=folder, suffix=suffix, root_dn=f"cn=admin,{suffix}")
        # Answering, or ended (its port taken meanwhile: another port is tried).
        wait_until(
            lambda s=server, p=process: (
                p.poll() is not None  # type: ignore[misc]
                or s.admin("ldapsearch", "-b", "", "-s", "base").returncode == 0
            ),
            30,
            "slapd ne répond pas",
        )
        if process.poll() is None:
            break
        _stop(process)
        process = None
    if process is None:
        raise RuntimeError("slapd de test : démarrage impossible")
    try:
        if with_base:
            dc = suffix.split(",")[0].split("=")[1]
            added = server.admin(
                "ldapadd",
                stdin=f"dn: {suffix}\nobjectClass: dcObject\n"
                f"objectClass: organization\no: Lycee de test\ndc: {dc}\n",
            )
            assert added.returncode == 0, added.stderr
        if must_change:
            added = server.admin(
                "ldapadd",
                stdin=(
                    f"dn: {POLICY_RDN},{suffix}\nobjectClass: pwdPolicy\nobjectClass: person\n"
                    "cn: politique\nsn: politique\npwdAttribute: userPassword\n"
                    "pwdMustChange: TRUE\n"
                ),
            )
            assert added.returncode == 0, added.stderr
        yield server
    finally:
        _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the slapd this module started (by its own pid), waiting for it to exit."""
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
    if process.stderr is not None:
        process.stderr.close()
