#!/usr/bin/env bash
# Install everything the test suite needs, then run it: the README's second command and CI's.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }

# Debian packages the tests drive for real: pdftotext/pdftoppm read the generated PDFs back
# (poppler), a cupsd of the test's own receives prints (cups, cups-client, cups-bsd), and a
# sshd of the test's own serves the TUI and SFTP (openssh-server,
# openssh-sftp-server, ssh) and runs the app from a virtualenv of /usr/bin/python3.
missing=()
command -v pdftotext >/dev/null || missing+=(poppler-utils)
command -v cupsd >/dev/null || [ -x /usr/sbin/cupsd ] || missing+=(cups)
{ command -v lp >/dev/null && [ -x /usr/sbin/lpadmin ]; } || missing+=(cups-client)
command -v lpr >/dev/null || missing+=(cups-bsd)
command -v sshd >/dev/null || [ -x /usr/sbin/sshd ] || missing+=(openssh-server)
[ -x /usr/lib/openssh/sftp-server ] || missing+=(openssh-sftp-server)
{ command -v ssh >/dev/null && command -v sftp >/dev/null; } || missing+=(openssh-client)
# The candidate-site tests: a slapd of the test's own (slapd; ldapadd, ldapwhoami, ldappasswd
# from ldap-utils), PHP's password_verify (php-cli) and Apache's htpasswd (apache2-utils).
{ command -v slapd >/dev/null || [ -x /usr/sbin/slapd ]; } || missing+=(slapd)
command -v ldapwhoami >/dev/null || missing+=(ldap-utils)
command -v php >/dev/null || missing+=(php-cli)
command -v htpasswd >/dev/null || missing+=(apache2-utils)
# The SSH test installs the app as docs/installation.md says: a virtualenv of the system's Python.
/usr/bin/python3 -c 'import ensurepip' 2>/dev/null || missing+=(python3-venv)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installation de ${missing[*]}…"
  as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || { echo "${missing[*]} manque(nt) et n'a pas pu être installé (apt-get install ${missing[*]})." >&2; exit 1; }
fi
# The CUPS, SSH and LDAP tests start their own daemons on 127.0.0.1 (ports of their own): the
# packages' own services (Debian's slapd postinst may start one) are neither needed nor touched.

# The PostgreSQL variants of the tests use the local server; start it when it is installed but down.
if command -v pg_ctlcluster >/dev/null && ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi

python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
# A real (non-editable) install: the tests also prove the wheel carries its styles.
.venv/bin/python -m pip install -q '.[test]'
.venv/bin/ruff check cyclades_tui tests
.venv/bin/ruff format --check cyclades_tui tests
.venv/bin/mypy
.venv/bin/lint-imports
exec .venv/bin/python -m pytest -n 2 "$@"
