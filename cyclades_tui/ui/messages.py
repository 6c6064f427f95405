"""What screens ask of the app: they post these messages (they bubble up to the app), the app
handles them. Screens never call the app's methods nor set its state."""

from __future__ import annotations

from textual.message import Message

from cyclades_tui.services.actor import Actor


class OpenActivity(Message):
    """Open an activity of the menu (``above``: above the current screen, so that « Retour »
    comes back to it)."""

    def __init__(self, activity: str, above: bool = False) -> None:
        super().__init__()
        self.activity = activity
        self.above = above


class StaffMessage(Message):
    """A message about a staff member (``actor``) and the school they work for."""

    def __init__(self, actor: Actor, school_name: str) -> None:
        super().__init__()
        self.actor = actor
        self.school_name = school_name


class StartSession(StaffMessage):
    """A staff member logged in (or an exam manager chose a school): show the home screen."""

    def __init__(self, actor: Actor, uai: str, school_name: str) -> None:
        super().__init__(actor, school_name)
        self.uai = uai


class ChooseSchool(Message):
    """An exam manager logged in: show the choice of school."""

    def __init__(self, actor: Actor) -> None:
        super().__init__()
        self.actor = actor


class LeaveSchool(Message):
    """An exam manager goes back from the home screen to the choice of school."""


class LogOut(Message):
    """The user confirmed « Déconnexion »: back to the login screen."""


class MustChangePassword(StaffMessage):
    """A staff member logged in with a password someone else set: they must change it."""


class PasswordChanged(StaffMessage):
    """A staff member changed their password (``forced``: the session starts now)."""

    def __init__(self, actor: Actor, school_name: str, forced: bool) -> None:
        super().__init__(actor, school_name)
        self.forced = forced
