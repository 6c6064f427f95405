"""The audit trail: who did what, when, for which school (never a password)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import peewee

from cyclades_tui.services.access import require_manager, require_school
from cyclades_tui.services.actor import Actor
from cyclades_tui.services.db_errors import db_errors
from cyclades_tui.store.models import AuditEvent, School, tuples


@dataclass(frozen=True)
class AuditEntry:
    """One audit event as the CLI and screens show it."""

    at: datetime
    actor: str
    school: str | None
    action: str
    detail: str
    success: bool


def record(
    actor: Actor | str,
    action: str,
    school: School | None = None,
    detail: str = "",
    success: bool = True,
) -> None:
    """Append one event; call it inside the transaction of the change it describes."""
    AuditEvent.create(
        actor=actor.login if isinstance(actor, Actor) else actor,
        school=school,
        action=action,
        detail=detail[:2000],
        success=success,
    )


def for_school(actor: Actor, uai: str, since: datetime | None = None) -> list[AuditEntry]:
    """The school's events, if ``actor`` may act for it."""
    return entries(require_school(actor, uai), since)


def every_event(actor: Actor, since: datetime | None = None) -> list[AuditEntry]:
    """Every event of every school, and those of no school (exam-manager logins, failures
    for unknown logins): what the operator and the exam manager watch."""
    require_manager(actor, "voit le journal de tous les établissements")
    return _select(None, since)


def for_journal(actor: Actor, uai: str, since: datetime | None = None) -> list[AuditEntry]:
    """The « Journal » screen: the school's events; for an exam manager, also those of no
    school, where brute-force attempts on unknown logins and manager logins are."""
    school = require_school(actor, uai)
    if actor.is_school_staff:
        return entries(school, since)
    return _select((AuditEvent.school == school) | AuditEvent.school.is_null(), since)


def entries(school: School, since: datetime | None = None) -> list[AuditEntry]:
    """The school's events in time order, optionally from one date."""
    return _select(AuditEvent.school == school, since)


def _select(condition: Any, since: datetime | None) -> list[AuditEntry]:
    """The events that meet ``condition`` (every one when None), from ``since``, in time
    order."""
    # The columns of an AuditEntry, in the order of its fields.
    query = AuditEvent.select(
        AuditEvent.at,
        AuditEvent.actor,
        School.uai,
        AuditEvent.action,
        AuditEvent.detail,
        AuditEvent.success,
    ).join(School, join_type=peewee.JOIN.LEFT_OUTER)
    if condition is not None:
        query = query.where(condition)
    if since is not None:
        query = query.where(AuditEvent.at >= since)
    with db_errors():
        return [AuditEntry(*row) for row in tuples(query.order_by(AuditEvent.at, AuditEvent.id))]
