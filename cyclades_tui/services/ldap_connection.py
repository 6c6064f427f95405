"""The LDAP directory as ``accounts ldap-sync`` reaches it: the settings it needs, the
connection, a school's entries read back, and ldap3's errors told in French."""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from urllib.parse import urlparse

from ldap3 import LEVEL, Connection, Server, Tls
from ldap3.core import exceptions as ldap_errors

from cyclades_tui.services.account_exports import ou_dn
from cyclades_tui.services.errors import BadInput
from cyclades_tui.settings import Settings, read_password_file

TIMEOUT_S = 30
# The errors of a connection cut while in use (rather than refused or never made).
CONNECTION_LOST = (
    ldap_errors.LDAPCommunicationError,
    ldap_errors.LDAPSessionTerminatedByServerError,
)


@dataclass(frozen=True)
class DirectorySettings:
    """Where the directory is and how to bind to it (the password read from its file)."""

    url: str
    bind_dn: str
    password: str
    base_dn: str


def directory_settings(settings: Settings) -> DirectorySettings:
    """The directory settings, or a BadInput naming those missing or unreadable."""
    missing = [
        name
        for name in ("ldap_url", "ldap_bind_dn", "ldap_bind_password_file", "ldap_base_dn")
        if getattr(settings, name) is None
    ]
    if missing:
        raise BadInput(
            "Annuaire LDAP non configuré : réglage(s) "
            + ", ".join(missing)
            + " manquant(s) (fichier de configuration ou CYCLADES_LDAP_*)."
        )
    assert settings.ldap_url and settings.ldap_bind_dn and settings.ldap_base_dn
    assert settings.ldap_bind_password_file is not None
    try:
        password = read_password_file(settings.ldap_bind_password_file)
    except ValueError as error:
        raise BadInput(f"Réglage ldap_bind_password_file : {error}.") from None
    return DirectorySettings(
        settings.ldap_url, settings.ldap_bind_dn, password, settings.ldap_base_dn
    )


def ldap_reason(error: Exception) -> str:
    """A French reason for an ldap3 exception (no password, no Python internals)."""
    if isinstance(error, ldap_errors.LDAPInvalidCredentialsResult):
        return (
            "identifiant ou mot de passe de l'annuaire refusé (ldap_bind_dn, "
            "ldap_bind_password_file)"
        )
    if isinstance(error, ldap_errors.LDAPSocketOpenError):
        return "annuaire injoignable (serveur arrêté, adresse ou port faux)"
    if isinstance(error, CONNECTION_LOST):
        return "connexion à l'annuaire perdue"
    if isinstance(error, ldap_errors.LDAPNoSuchObjectResult):
        return "la base ldap_base_dn n'existe pas dans l'annuaire"
    if isinstance(error, ldap_errors.LDAPInsufficientAccessRightsResult):
        return "droits insuffisants du compte ldap_bind_dn"
    if isinstance(
        error,
        ldap_errors.LDAPUndefinedAttributeTypeResult | ldap_errors.LDAPObjectClassViolationResult,
    ):
        return (
            "l'annuaire ne connaît pas un attribut (schéma inetOrgPerson chargé ? "
            "pwdReset demande l'overlay ppolicy : sinon ldap_pwdreset = false)"
        )
    if isinstance(error, ldap_errors.LDAPOperationResult):
        return f"l'annuaire a refusé l'opération ({error.description})"
    return "erreur de l'annuaire"


def connect(directory: DirectorySettings, read_only: bool) -> Connection:
    """An open connection, bound as ``bind_dn``, that raises ldap3's exceptions on failure."""
    parsed = urlparse(directory.url)
    # ldaps://: the server's certificate is checked against the system's authorities
    # (ldap3's default checks nothing).
    tls = Tls(validate=ssl.CERT_REQUIRED) if parsed.scheme == "ldaps" else None
    server = Server(
        parsed.hostname or "",
        port=parsed.port,
        use_ssl=parsed.scheme == "ldaps",
        tls=tls,
        connect_timeout=TIMEOUT_S,
    )
    connection = Connection(
        server,
        user=directory.bind_dn,
        password=directory.password,
        raise_exceptions=True,
        receive_timeout=TIMEOUT_S,
        read_only=read_only,
        auto_bind=False,
    )
    connection.open()
    connection.bind()
    return connection


def school_entries(
    connection: Connection, uai: str, base_dn: str
) -> tuple[bool, dict[str, list[str]]]:
    """(the school's ``ou`` exists, its entries' uid -> userPassword values)."""
    try:
        found = connection.extend.standard.paged_search(
            search_base=ou_dn(uai, base_dn),
            search_filter="(objectClass=inetOrgPerson)",
            search_scope=LEVEL,
            attributes=["uid", "userPassword"],
            paged_size=1000,
            generator=False,
        )
    except ldap_errors.LDAPNoSuchObjectResult:
        return False, {}
    entries: dict[str, list[str]] = {}
    for item in found:
        if item.get("type") != "searchResEntry":
            continue
        raw = item["raw_attributes"]
        for uid in raw.get("uid", []):
            entries[uid.decode("utf-8", "replace").lower()] = [
                value.decode("utf-8", "replace") for value in raw.get("userPassword", [])
            ]
    return True, entries
