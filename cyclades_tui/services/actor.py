"""Who is acting: a staff member of one school, an exam manager, or the server operator (CLI)."""

from __future__ import annotations

import os
import pwd
from dataclasses import dataclass

ROLE_SCHOOL = "etablissement"
ROLE_MANAGER = "gestionnaire"
ROLE_OPERATOR = "operateur"


@dataclass(frozen=True)
class Actor:
    """The identity every service call acts under."""

    login: str
    role: str = ROLE_SCHOOL
    school_uai: str | None = None

    @property
    def is_school_staff(self) -> bool:
        """True for staff tied to one school."""
        return self.role == ROLE_SCHOOL

    def may_act_for(self, uai: str) -> bool:
        """True when this actor may see and change the data of school ``uai``."""
        return not self.is_school_staff or self.school_uai == uai


def operator() -> Actor:
    """The actor of a command typed on the server itself (`cyclades-tui` CLI).

    The real user of the process, from its uid: not LOGNAME or USER, which anyone sets
    (``LOGNAME=alice cyclades-tui …`` must not be recorded as alice).
    """
    uid = os.getuid()
    try:
        user = pwd.getpwuid(uid).pw_name
    except KeyError:  # a uid without a passwd entry (a container): its number
        user = f"uid{uid}"
    return Actor(login=f"cli:{user}"[:64], role=ROLE_OPERATOR)
