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

from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field

import peewee
from ldap3 import MODIFY_REPLACE, Connection
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
from cyclades_tui.services.errors import Refused, ServiceError
from cyclades_tui.services.ldap_connection import (
    CONNECTION_LOST,
    DirectorySettings,
    connect,
    directory_settings,
    ldap_reason,
    school_entries,
)
from cyclades_tui.settings import Settings
from cyclades_tui.store.models import Account, DirectorySync, School, batches, utcnow

# Sync states are written to the database in batches of this many (and when the run ends,
# however it ends).
FLUSH_EVERY = 200
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


@dataclass
class _Sync:
    """One run of the sync: the directory it writes to, what it has done, what it records."""

    actor: Actor
    connection: Connection
    directory: DirectorySettings
    settings: Settings
    report: SyncReport
    on_write: OnWrite | None
    recorder: _Recorder = field(default_factory=_Recorder)

    def school(self, school: School) -> None:
        """Bring the directory up to date with one school's accounts; record and audit it."""
        report = self.report
        accounts = site_accounts([school])
        before = report.modifications
        states = _sync_states(accounts)
        ou_exists, entries = school_entries(self.connection, school.uai, self.directory.base_dn)
        if not ou_exists and accounts:
            self._add_ou(school.uai)
        for account in accounts:
            if self._account(account, entries.get(account.login), states.get(account.account_id)):
                self._wrote()
        report.schools += 1
        report.accounts += len(accounts)
        if not report.dry_run:
            self.recorder.flush()
            _audit(
                self.actor,
                school,
                f"{report.modifications - before} modification(s) vers {self.directory.url}",
            )

    def _account(
        self, account: SiteAccount, present: list[str] | None, state: DirectorySync | None
    ) -> bool:
        """Bring one account's entry up to date (``present``: its passwords in the directory,
        None when it has no entry; ``state``: what the last sync wrote). True when this made
        (or, in a dry run, would make) a directory write."""
        wanted = directory_password(account.password_hash)
        if present is None:
            return self._add_entry(account, wanted)
        if state is not None and state.password_version == account.password_version:
            # Nothing new here (a hash upgraded at a login is the same password): the
            # directory's own value is either what was written, or the candidate's.
            if present not in ([state.directory_password], [wanted]) and account.must_change:
                self._changed_on_site(account)
            return False
        if present == [wanted]:
            self.recorder.state(account, wanted)  # written by a run cut off before recording
            return False
        if state is None:
            # An entry this database never wrote, with another password (loaded from an
            # LDIF, then changed on the site): never put back; no longer provisional.
            self.report.adopted += 1
            self.recorder.state(account, wanted)
            if account.must_change:
                self._changed_on_site(account)
            return False
        self._replace_password(account, wanted)
        return True

    def _add_ou(self, uai: str) -> None:
        """Create the school's organisational unit (counted, not made, in a dry run)."""
        self.report.ous_created += 1
        if not self.report.dry_run:
            try:
                self.connection.add(
                    ou_dn(uai, self.directory.base_dn), attributes=ou_attributes(uai)
                )
            except ldap_errors.LDAPEntryAlreadyExistsResult:
                self.report.ous_created -= 1  # made by another run meanwhile

    def _add_entry(self, account: SiteAccount, wanted: str) -> bool:
        """Add the account's entry (counted, not made, in a dry run); False when another run
        added it meanwhile."""
        self.report.created += 1
        if not self.report.dry_run:
            try:
                self.connection.add(
                    account_dn(account, self.directory.base_dn),
                    attributes=account_attributes(account, self.settings.ldap_pwdreset),
                )
            except ldap_errors.LDAPEntryAlreadyExistsResult:
                self.report.created -= 1  # added by another run meanwhile: next run checks it
                return False
            self.recorder.state(account, wanted)
        return True

    def _replace_password(self, account: SiteAccount, wanted: str) -> None:
        """Write the account's new password (counted, not written, in a dry run)."""
        self.report.replaced += 1
        if not self.report.dry_run:
            changes = {"userPassword": [(MODIFY_REPLACE, [wanted])]}
            if self.settings.ldap_pwdreset:
                changes["pwdReset"] = [(MODIFY_REPLACE, ["TRUE"] if account.must_change else [])]
            self.connection.modify(account_dn(account, self.directory.base_dn), changes)
            self.recorder.state(account, wanted)

    def _changed_on_site(self, account: SiteAccount) -> None:
        """The candidate changed the password on the site: it is left alone, and the account
        no longer has a provisional one."""
        self.report.changed_on_site += 1
        self.recorder.no_longer_provisional.append((account.account_id, account.password_version))

    def _wrote(self) -> None:
        """After a directory write: tell ``on_write``, record the states in batches."""
        if self.report.dry_run:
            return
        if self.on_write is not None:
            self.on_write(self.report.modifications)
        if len(self.recorder.states) >= FLUSH_EVERY:
            self.recorder.flush()


def ldap_sync(
    actor: Actor,
    settings: Settings,
    uai: str | None = None,
    every: bool = False,
    dry_run: bool = False,
    on_write: OnWrite | None = None,
) -> SyncReport:
    """Bring the directory up to date with the accounts of one school (or all); see module."""
    directory = directory_settings(settings)
    schools = schools_for(actor, uai, every)
    connection = _connect_or_refuse(actor, directory, schools, dry_run)
    run = _Sync(actor, connection, directory, settings, SyncReport(dry_run=dry_run), on_write)
    current: School | None = None
    try:
        for school in schools:
            current = school
            run.school(school)
    except ldap_errors.LDAPException as error:
        if not dry_run:
            _flush_quietly(run.recorder)
            _audit(actor, current, f"interrompue : {ldap_reason(error)}", success=False)
        raise _interrupted(directory.url, error, current) from None
    finally:
        if not dry_run:
            _flush_quietly(run.recorder)
        with suppress(ldap_errors.LDAPException, OSError):
            connection.unbind()
    return run.report


def _connect_or_refuse(
    actor: Actor, directory: DirectorySettings, schools: list[School], dry_run: bool
) -> Connection:
    """The connection of a run, or a refusal audited for each school (nothing was written)."""
    try:
        return connect(directory, read_only=dry_run)
    except ldap_errors.LDAPException as error:
        if not dry_run:
            for school in schools:
                _audit(actor, school, f"impossible : {ldap_reason(error)}", success=False)
        raise Refused(
            f"Annuaire LDAP {directory.url} : {ldap_reason(error)} ; rien n'a été écrit."
        ) from None


def _interrupted(url: str, error: Exception, current: School | None) -> Refused:
    """The refusal of a run the directory stopped half-way (in ``current``, if known)."""
    where = f" (établissement {current.uai})" if current is not None else ""
    return Refused(
        f"Annuaire LDAP {url} : {ldap_reason(error)}{where}. "
        + (
            "Ce qui a été écrit avant la coupure est complet et enregistré : relancez "
            "« cyclades-tui accounts ldap-sync » pour finir."
            if isinstance(error, CONNECTION_LOST)
            else "Ce qui a été écrit avant est complet et enregistré ; corrigez puis relancez "
            "« cyclades-tui accounts ldap-sync »."
        )
    )


def _audit(actor: Actor, school: School | None, detail: str, success: bool = True) -> None:
    """Record one step of the sync (a school done, or a run refused or cut) in the trail."""
    with db_errors():
        audit.record(actor, "accounts.ldap-sync", school, detail, success=success)


def _flush_quietly(recorder: _Recorder) -> None:
    # What the directory accepted is recorded whatever stops the run; if the database is
    # gone too, the next run finds the entries already right and records them then.
    try:
        recorder.flush()
    except (ServiceError, peewee.PeeweeException):
        recorder.states.clear()
        recorder.no_longer_provisional.clear()
