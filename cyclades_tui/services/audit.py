"""The audit trail: who did what, when, for which school (never a password)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cyclades_tui.services.actor import Actor
from cyclades_tui.store.models import AuditEvent, School


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
    from cyclades_tui.services.schools import require_school

    return entries(require_school(actor, uai), since)


def entries(school: School, since: datetime | None = None) -> list[AuditEntry]:
    """The school's events in time order, optionally from one date."""
    query = (AuditEvent.select(AuditEvent, School.uai).join(School)
             .where(AuditEvent.school == school))
    if since is not None:
        query = query.where(AuditEvent.at >= since)
    return [
        AuditEntry(
            at=e.at,
            actor=e.actor,
            school=e.school.uai if e.school is not None else None,
            action=e.action,
            detail=e.detail,
            success=e.success,
        )
        for e in query.order_by(AuditEvent.at, AuditEvent.id)
    ]
