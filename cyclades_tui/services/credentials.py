"""Credentials of new candidate accounts: passwords drawn and hashed in parallel threads,
and logins free in the database (a homonym series continues where it stands).

Both run outside any transaction; ``accounts`` writes what they give in one short one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed

from cyclades_tui.domain.login import first_free_login, login_base
from cyclades_tui.domain.passwords import PlainPassword, generate_password, hash_password
from cyclades_tui.services.candidates import CandidatureView
from cyclades_tui.services.faults import checkpoint
from cyclades_tui.settings import Settings
from cyclades_tui.store.models import Account, batches, tuples

# Called with (done, total) as passwords are hashed.
Progress = Callable[[int, int], None]


def hash_all(
    todo: list[int], settings: Settings, progress: Progress | None
) -> dict[int, tuple[PlainPassword, str]]:
    """Draw and hash one password per candidate id, in parallel threads (bcrypt frees the GIL)."""
    result: dict[int, tuple[PlainPassword, str]] = {}
    total = len(todo)

    def job(candidate_id: int) -> tuple[int, PlainPassword, str]:
        password = generate_password()
        return candidate_id, password, hash_password(password, settings.provisional_cost)

    with ThreadPoolExecutor(max_workers=settings.workers) as pool:
        futures = [pool.submit(job, cid) for cid in todo]
        try:
            for count, future in enumerate(as_completed(futures), start=1):
                cid, password, hashed = future.result()
                result[cid] = (password, hashed)
                if count == total // 2 + 1:
                    checkpoint("generate.hashing")
                if progress is not None:
                    progress(count, total)
        except BaseException:
            # An abandoned generation (its progress callback raised) stops hashing at once.
            for future in futures:
                future.cancel()
            raise
    return result


def _taken_logins(bases: Iterable[str]) -> set[str]:
    taken: set[str] = set()
    for chunk in batches(sorted(set(bases))):
        taken.update(
            row[0]
            for row in tuples(Account.select(Account.login).where(Account.login_base.in_(chunk)))
        )
    return taken


def assign_logins(todo: list[CandidatureView]) -> list[tuple[str, str]]:
    """(login, base) for each candidate: the first free login of their homonym series.

    Logins taken by other series can collide with this one (« Jean Dupont2 » is the second
    « Jean Dupont »; long names cut to make room for a suffix): the exact logins assigned
    are checked against the database and clashing ones reassigned until none clashes.
    """
    bases = [login_base(v.first_name, v.family_name) for v in todo]
    taken = _taken_logins(bases)
    while True:
        used = set(taken)  # grows with this batch's own logins
        assigned = []
        for view, base in zip(todo, bases, strict=True):
            login = first_free_login(view.first_name, view.family_name, used.__contains__)
            used.add(login)
            assigned.append((login, base))
        logins = [login for login, _ in assigned]
        clashes = {
            row[0]
            for chunk in batches(logins)
            for row in tuples(Account.select(Account.login).where(Account.login.in_(chunk)))
        }
        if not clashes:
            return assigned
        taken |= clashes
