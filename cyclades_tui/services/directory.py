"""`accounts ldap-sync`: the candidates' accounts written into an existing LDAP directory.

Idempotent and safe to rerun. For each account the database keeps what the last sync wrote
(``DirectorySync``: the password version and the exact ``userPassword`` value), recorded only
after the directory accepted the write. A sync then:

- adds the entries (and school ``ou``) missing from the directory;
- replaces the password of accounts whose version moved since (regenerated here);
- leaves alone a password that differs from what was written (the candidate changed it on
  the site) and reads that change back: the account no longer ``must_change``;
- writes nothing else: a second run with nothing new makes no modification.

A connection lost half-way leaves entries written whole or not at all (each is one LDAP
operation); those written are recorded, the others are done by the next run.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from urllib.parse import urlparse

import peewee
from ldap3 import LEVEL, MODIFY_REPLACE, Connection, Server, Tls
from ldap3.core import exceptions as ldap_errors

from cyclades_tui.services import audit
from cyclades_tui.services.account_exports import (
    SiteAccount,
    account_attributes,
    account_dn,
    directory_password,
    ou_attributes,
    ou_dn,
    schools_for,
    site_accounts,
)
from cyclades_tui.services.actor import Actor
from cyclades_tui.services.db_errors import db_errors
from cyclades_tui.services.errors import BadInput, Refused, ServiceError
from cyclades_tui.settings import Settings, read_password_file
from cyclades_tui.store.models import Account, DirectorySync, School, batches, utcnow

# Sync states are written to the database in batches of this many (and when the run ends,
# however it ends).
FLUSH_EVERY = 200
TIMEOUT_S = 30
# Called with the number of directory writes done so far, after each one.
OnWrite = Callable[[int], None]


@dataclass
class SyncReport:
    """What one sync did (or, with ``dry_run``, would do)."""

    dry_run: bool
    schools: int = 0
    accounts: int = 0
    created: int = 0
    replaced: int = 0
    ous_created: int = 0
    changed_on_site: int = 0
    adopted: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def modifications(self) -> int:
        """Directory writes: entries and ``ou`` added, passwords replaced."""
        return self.created + self.replaced + self.ous_created

    @property
    def message(self) -> str:
        """One French summary line."""
        prefix = "Vérification seule : " if self.dry_run else ""
        if self.modifications == 0:
            head = f"{prefix}0 modification ({self.accounts} compte(s) déjà à jour"
            head += f", {self.schools} établissement(s))."
        else:
            verb = "à faire" if self.dry_run else "faite(s)"
            head = (
                f"{prefix}{self.modifications} modification(s) {verb} : "
                f"{self.created} compte(s) créé(s), {self.replaced} mot(s) de passe "
                f"remplacé(s), {self.ous_created} ou créée(s) ; "
                f"{self.accounts} compte(s), {self.schools} établissement(s)."
            )
        if self.changed_on_site:
            head += (
                f" {self.changed_on_site} mot(s) de passe changé(s) par le candidat sur "
                "le site : laissé(s) tel(s) quel(s), plus à changer."
            )
        return head


def _settings_needed(settings: Settings) -> tuple[str, str, str, str]:
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
    return settings.ldap_url, settings.ldap_bind_dn, password, settings.ldap_base_dn


def _ldap_reason(error: Exception) -> str:
    """A French reason for an ldap3 exception (no password, no Python internals)."""
    if isinstance(error, ldap_errors.LDAPInvalidCredentialsResult):
        return (
            "identifiant ou mot de passe de l'annuaire refusé (ldap_bind_dn, "
            "ldap_bind_password_file)"
        )
    if isinstance(error, ldap_errors.LDAPSocketOpenError):
        return "annuaire injoignable (serveur arrêté, adresse ou port faux)"
    if isinstance(
        error, ldap_errors.LDAPCommunicationError | ldap_errors.LDAPSessionTerminatedByServerError
    ):
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


def _connect(url: str, bind_dn: str, password: str, read_only: bool) -> Connection:
    parsed = urlparse(url)
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
        user=bind_dn,
        password=password,
        raise_exceptions=True,
        receive_timeout=TIMEOUT_S,
        read_only=read_only,
        auto_bind=False,
    )
    connection.open()
    connection.bind()
    return connection


def _directory_entries(
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


class _Recorder:
    """Sync states and read-back flags, written to the database in batches."""

    def __init__(self) -> None:
        self.states: list[dict[str, object]] = []
        self.no_longer_provisional: list[tuple[int, int]] = []

    def state(self, account: SiteAccount, written: str) -> None:
        self.states.append(
            {
                "account": account.account_id,
                "password_version": account.password_version,
                "directory_password": written,
                "synced_at": utcnow(),
            }
        )

    def flush(self) -> None:
        with db_errors(), DirectorySync._meta.database.atomic():
            for start in range(0, len(self.states), 100):
                (
                    DirectorySync.insert_many(self.states[start : start + 100])
                    .on_conflict(
                        conflict_target=[DirectorySync.account],
                        preserve=[
                            DirectorySync.password_version,
                            DirectorySync.directory_password,
                            DirectorySync.synced_at,
                        ],
                    )
                    .execute()
                )
            for account_id, version in self.no_longer_provisional:
                # Only if no new password was given here meanwhile.
                Account.update(provisional=False).where(
                    (Account.id == account_id) & (Account.password_version == version)
                ).execute()
        self.states.clear()
        self.no_longer_provisional.clear()


def _sync_states(accounts: list[SiteAccount]) -> dict[int, DirectorySync]:
    """What was last written to the directory for each account, by account id."""
    states = {}
    with db_errors():
        for chunk in batches(a.account_id for a in accounts):
            for row in DirectorySync.select().where(DirectorySync.account.in_(chunk)):
                states[row.account_id] = row
    return states


def _add_ou(connection: Connection, uai: str, base_dn: str, report: SyncReport) -> None:
    """Create the school's organisational unit (counted, not made, in a dry run)."""
    report.ous_created += 1
    if not report.dry_run:
        try:
            connection.add(ou_dn(uai, base_dn), attributes=ou_attributes(uai))
        except ldap_errors.LDAPEntryAlreadyExistsResult:
            report.ous_created -= 1  # made by another run meanwhile


def _sync_school(
    connection: Connection,
    school: School,
    accounts: list[SiteAccount],
    base_dn: str,
    settings: Settings,
    report: SyncReport,
    recorder: _Recorder,
    on_write: OnWrite | None,
) -> None:
    states = _sync_states(accounts)
    ou_exists, entries = _directory_entries(connection, school.uai, base_dn)
    if not ou_exists and accounts:
        _add_ou(connection, school.uai, base_dn, report)
    for account in accounts:
        wanted = directory_password(account.password_hash)
        present = entries.get(account.login)
        state = states.get(account.account_id)
        dn = account_dn(account, base_dn)
        if present is None:
            report.created += 1
            if not report.dry_run:
                try:
                    connection.add(
                        dn, attributes=account_attributes(account, settings.ldap_pwdreset)
                    )
                except ldap_errors.LDAPEntryAlreadyExistsResult:
                    report.created -= 1  # added by another run meanwhile: next run checks it
                    continue
                recorder.state(account, wanted)
        elif state is not None and state.password_version == account.password_version:
            # Nothing new here (a hash upgraded at a login is the same password): the
            # directory's own value is either what was written, or the candidate's.
            if present not in ([state.directory_password], [wanted]) and account.must_change:
                report.changed_on_site += 1
                recorder.no_longer_provisional.append(
                    (account.account_id, account.password_version)
                )
            continue
        elif present == [wanted]:
            recorder.state(account, wanted)  # written by a run cut off before recording
            continue
        elif state is None:
            # An entry this database never wrote, with another password (loaded from an
            # LDIF, then changed on the site): never put back; no longer provisional.
            report.adopted += 1
            recorder.state(account, wanted)
            if account.must_change:
                report.changed_on_site += 1
                recorder.no_longer_provisional.append(
                    (account.account_id, account.password_version)
                )
            continue
        else:
            report.replaced += 1
            if not report.dry_run:
                changes = {"userPassword": [(MODIFY_REPLACE, [wanted])]}
                if settings.ldap_pwdreset:
                    changes["pwdReset"] = [
                        (MODIFY_REPLACE, ["TRUE"] if account.must_change else [])
                    ]
                connection.modify(dn, changes)
                recorder.state(account, wanted)
        if on_write is not None and not report.dry_run:
            on_write(report.modifications)
        if not report.dry_run and len(recorder.states) >= FLUSH_EVERY:
            recorder.flush()


def ldap_sync(
    actor: Actor,
    settings: Settings,
    uai: str | None = None,
    every: bool = False,
    dry_run: bool = False,
    on_write: OnWrite | None = None,
) -> SyncReport:
    """Bring the directory up to date with the accounts of one school (or all); see module."""
    url, bind_dn, password, base_dn = _settings_needed(settings)
    schools = schools_for(actor, uai, every)
    report = SyncReport(dry_run=dry_run)
    recorder = _Recorder()
    current: School | None = None
    try:
        connection = _connect(url, bind_dn, password, read_only=dry_run)
    except ldap_errors.LDAPException as error:
        if not dry_run:
            with db_errors():
                for school in schools:
                    audit.record(
                        actor,
                        "accounts.ldap-sync",
                        school,
                        f"impossible : {_ldap_reason(error)}",
                        success=False,
                    )
        raise Refused(
            f"Annuaire LDAP {url} : {_ldap_reason(error)} ; rien n'a été écrit."
        ) from None
    try:
        for school in schools:
            current = school
            accounts = site_accounts([school])
            before = report.modifications
            _sync_school(
                connection, school, accounts, base_dn, settings, report, recorder, on_write
            )
            report.schools += 1
            report.accounts += len(accounts)
            if not dry_run:
                recorder.flush()
                with db_errors():
                    audit.record(
                        actor,
                        "accounts.ldap-sync",
                        school,
                        f"{report.modifications - before} modification(s) vers {url}",
                    )
    except ldap_errors.LDAPException as error:
        if not dry_run:
            _flush_quietly(recorder)
            with db_errors():
                audit.record(
                    actor,
                    "accounts.ldap-sync",
                    current,
                    f"interrompue : {_ldap_reason(error)}",
                    success=False,
                )
        cut = isinstance(
            error,
            ldap_errors.LDAPCommunicationError | ldap_errors.LDAPSessionTerminatedByServerError,
        )
        where = f" (établissement {current.uai})" if current is not None else ""
        raise Refused(
            f"Annuaire LDAP {url} : {_ldap_reason(error)}{where}. "
            + (
                "Ce qui a été écrit avant la coupure est complet et enregistré : relancez "
                "« cyclades-tui accounts ldap-sync » pour finir."
                if cut
                else "Ce qui a été écrit avant est complet et enregistré ; corrigez puis relancez "
                "« cyclades-tui accounts ldap-sync »."
            )
        ) from None
    finally:
        if not dry_run:
            _flush_quietly(recorder)
        with suppress(ldap_errors.LDAPException, OSError):
            connection.unbind()
    return report


def _flush_quietly(recorder: _Recorder) -> None:
    # What the directory accepted is recorded whatever stops the run; if the database is
    # gone too, the next run finds the entries already right and records them then.
    try:
        recorder.flush()
    except (ServiceError, peewee.PeeweeException):
        recorder.states.clear()
        recorder.no_longer_provisional.clear()
