#!/usr/bin/env bash
# Install everything the test suite needs, then run it: the README's second command and CI's.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }

# pdftotext/pdftoppm read the generated PDFs back (poppler, a Debian package, not a Python one).
if ! command -v pdftotext >/dev/null; then
  echo "Installation de poppler-utils (pdftotext)…"
  as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null \
    || { echo "poppler-utils manque et n'a pas pu être installé (apt-get install poppler-utils)." >&2; exit 1; }
fi

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
.venv/bin/mypy
exec .venv/bin/python -m pytest -n 2 "$@"
