"""Errors raised by the services, each with a French message and the CLI exit status."""

from __future__ import annotations


class ServiceError(Exception):
    """Base of every expected failure; ``message`` is shown to the user as it is."""

    exit_code = 1
    # Lines printed after the message, indented (a command to copy, for instance): a
    # message is one line, so that no layout character has to cross the terminal gate.
    details: tuple[str, ...] = ()

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Refused(ServiceError):
    """The action is not allowed now: service not positioned, no such account, wrong password…"""


class AccessDenied(Refused):
    """The acting staff member may not act for that school."""


class BadInput(ServiceError):
    """The input is wrong; ``faults`` lists every fault found (line or field first)."""

    exit_code = 2

    def __init__(self, message: str, faults: list[str] | None = None) -> None:
        super().__init__(message)
        self.faults = faults or []


class PupilsWithoutIne(BadInput):
    """A SIECLE export holds pupils without a valid INE: the caller may confirm skipping them.

    ``pupils`` names each one (line and reason); nothing was imported. The CLI asks for
    ``--yes``, the screen shows its « Ignorer les élèves sans INE valide » box.
    """

    def __init__(self, message: str, pupils: list[str]) -> None:
        super().__init__(message, pupils)
        self.pupils = list(pupils)


class OtherExamCandidates(BadInput):
    """The import would add a candidature to pupils already candidates for another exam.

    Nothing was imported; ``pupils`` names each one with the exam already held. The screen
    asks for a confirmation, the CLI for ``--other-exams``.
    """

    def __init__(self, message: str, pupils: list[str]) -> None:
        super().__init__(message, pupils)
        self.pupils = list(pupils)


class DatabaseUnavailable(ServiceError):
    """The database cannot be reached or stayed locked too long."""
