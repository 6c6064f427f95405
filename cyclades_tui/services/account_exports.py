"""The candidates' accounts as a candidate site reads them: LDIF for an offline directory,
an htpasswd file for basic authentication, and the selection both (and the LDAP sync) share.

Only bcrypt hashes leave the database, never a password. Files are new files, mode 0600,
never written over an existing one (services/private_files.py).
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cyclades_tui.services import audit
from cyclades_tui.services.access import require_manager, require_school
from cyclades_tui.services.actor import Actor
from cyclades_tui.services.db_errors import db_errors
from cyclades_tui.services.documents import write_new_file
from cyclades_tui.services.errors import BadInput
from cyclades_tui.store.models import Account, Candidate, School, tuples

FORMATS = ("ldif", "htpasswd")


@dataclass(frozen=True)
class SiteAccount:
    """One account as a site needs it (the columns of the ``candidate_accounts`` view)."""

    account_id: int
    login: str
    password_hash: str
    must_change: bool
    password_version: int
    uai: str
    ine: str
    last_name: str
    first_name: str


@dataclass(frozen=True)
class ExportResult:
    """A finished export: the file written and how many accounts it holds."""

    path: Path
    accounts: int
    schools: int


def schools_for(actor: Actor, uai: str | None, every: bool) -> list[School]:
    """The schools of ``--school UAI`` or ``--all`` (all: exam manager or operator only)."""
    if (uai is None) == (not every):
        raise BadInput("Indiquez un établissement (--school UAI) ou tous (--all), pas les deux.")
    if uai is not None:
        return [require_school(actor, uai)]
    require_manager(actor, "agit pour tous les établissements", opening="Accès refusé : seul")
    with db_errors():
        return list(School.select().order_by(School.uai))


def site_accounts(schools: Iterable[School]) -> list[SiteAccount]:
    """Every account of these schools, by school then login."""
    ids = [s.id for s in schools]
    if not ids:
        return []
    query = (
        Account.select(
            Account.id,
            Account.login,
            Account.password_hash,
            Account.provisional,
            Account.password_version,
            School.uai,
            Candidate.ine,
            Candidate.family_name,
            Candidate.first_name,
        )
        .join(Candidate)
        .join(School)
        .where(School.id.in_(ids))
        .order_by(School.uai, Account.login)
    )
    with db_errors():
        return [
            SiteAccount(
                account_id=r[0],
                login=r[1],
                password_hash=r[2],
                must_change=bool(r[3]),
                password_version=r[4],
                uai=r[5],
                ine=r[6],
                last_name=r[7],
                first_name=r[8],
            )
            for r in tuples(query)
        ]


# --- directory entries ----------------------------------------------------------------


def escape_rdn(value: str) -> str:
    """An attribute value escaped for a DN (RFC 4514), so that a value is never read as
    more of the DN. (ldap3 has one, but costs 0.3 s to import for every command.)"""
    escaped = "".join(f"\\{char}" if char in ',+"\\<>;=' else char for char in value)
    if escaped.startswith(("#", " ")):
        escaped = "\\" + escaped
    if escaped.endswith(" "):
        escaped = escaped[:-1] + "\\ "
    return escaped.replace("\0", "\\00")


def ou_dn(uai: str, base_dn: str) -> str:
    """The DN of a school's organisational unit: ``ou=UAI,<base>``."""
    return f"ou={escape_rdn(uai)},{base_dn}"


def account_dn(account: SiteAccount, base_dn: str) -> str:
    """The DN of an account: ``uid=LOGIN,ou=UAI,<base>``."""
    return f"uid={escape_rdn(account.login)},{ou_dn(account.uai, base_dn)}"


def directory_password(password_hash: str) -> str:
    """The ``userPassword`` value of a bcrypt hash: OpenLDAP checks ``{CRYPT}`` with libcrypt,
    which reads ``$2b$`` bcrypt."""
    return "{CRYPT}" + password_hash


def ou_attributes(uai: str) -> dict[str, list[str]]:
    """The attributes of a school's organisational unit."""
    return {"objectClass": ["organizationalUnit"], "ou": [uai]}


def account_attributes(account: SiteAccount, pwdreset: bool) -> dict[str, list[str]]:
    """The attributes of an account's entry; ``pwdReset`` (ppolicy) while provisional."""
    full_name = " ".join(part for part in (account.first_name, account.last_name) if part)
    attributes = {
        "objectClass": ["inetOrgPerson"],
        "uid": [account.login],
        "cn": [full_name or account.login],
        "sn": [account.last_name or account.login],
        "employeeNumber": [account.ine],
        "userPassword": [directory_password(account.password_hash)],
    }
    if account.first_name:
        attributes["givenName"] = [account.first_name]
    if pwdreset and account.must_change:
        attributes["pwdReset"] = ["TRUE"]
    return attributes


def _ldif_line(name: str, value: str) -> str:
    # RFC 2849: a value that is not a SAFE-STRING (non-ASCII, leading space, colon or <,
    # trailing space, line breaks) is written in base64 after « :: ».
    safe = (
        value.isascii()
        and "\n" not in value
        and "\r" not in value
        and "\0" not in value
        and not value.startswith((" ", ":", "<"))
        and not value.endswith(" ")
    )
    if safe:
        return f"{name}: {value}"
    return f"{name}:: {base64.b64encode(value.encode('utf-8')).decode('ascii')}"


def _ldif_entry(dn: str, attributes: dict[str, list[str]]) -> str:
    lines = [_ldif_line("dn", dn)]
    for name, values in attributes.items():
        lines += [_ldif_line(name, value) for value in values]
    return "\n".join(lines) + "\n"


def ldif_text(accounts: list[SiteAccount], base_dn: str, pwdreset: bool) -> str:
    """LDIF for ``ldapadd``: each school's ``ou`` entry, then its accounts."""
    blocks = ["# cyclades-tui : comptes des candidats (ldapadd -f FICHIER)\nversion: 1\n"]
    current = None
    for account in accounts:
        if account.uai != current:
            current = account.uai
            blocks.append(_ldif_entry(ou_dn(current, base_dn), ou_attributes(current)))
        blocks.append(
            _ldif_entry(account_dn(account, base_dn), account_attributes(account, pwdreset))
        )
    return "\n".join(blocks)


def htpasswd_text(accounts: list[SiteAccount]) -> str:
    """``login:hash`` lines for Apache (``AuthUserFile``) or nginx (``auth_basic_user_file``).

    The stored ``$2b$`` hashes as they are: Apache's APR (``htpasswd -vb``, checked by the
    tests) and the system ``crypt()`` nginx calls both read ``$2b$`` bcrypt.
    """
    return "".join(f"{account.login}:{account.password_hash}\n" for account in accounts)


def export(
    actor: Actor,
    kind: str,
    path: Path | str,
    uai: str | None = None,
    every: bool = False,
    base_dn: str | None = None,
    pwdreset: bool = False,
) -> ExportResult:
    """Write the accounts of one school (or all) as LDIF or htpasswd to the new file ``path``."""
    if kind not in FORMATS:
        raise BadInput(f"Format « {kind} » inconnu : ldif ou htpasswd attendu.")
    if kind == "ldif" and not base_dn:
        raise BadInput(
            "Format ldif : --base-dn DN est obligatoire (par exemple ou=candidats,dc=lycee,dc=fr)."
        )
    schools = schools_for(actor, uai, every)
    accounts = site_accounts(schools)
    if kind == "ldif":
        assert base_dn is not None
        text = ldif_text(accounts, base_dn, pwdreset)
    else:
        text = htpasswd_text(accounts)
    target = Path(path).expanduser()
    write_new_file(target, text.encode("utf-8"))
    with db_errors():
        for school in schools:
            count = sum(1 for a in accounts if a.uai == school.uai)
            audit.record(actor, f"accounts.export-{kind}", school, f"{count} compte(s) -> {target}")
    return ExportResult(path=target.resolve(), accounts=len(accounts), schools=len(schools))
