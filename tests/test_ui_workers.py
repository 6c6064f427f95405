"""Background tasks (ui/workers.py): a result is dropped when it is no longer wanted, a
failure is told by the screen's one handler; generations report by messages."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import cast

import pytest
from textual import work
from textual.app import App, ComposeResult
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from cyclades_tui.services.actor import Actor
from cyclades_tui.services.errors import BadInput, Refused
from cyclades_tui.services.slip_documents import RunResult
from cyclades_tui.settings import Settings
from cyclades_tui.ui import generations
from cyclades_tui.ui.context import ScreenContext
from cyclades_tui.ui.generations import (
    GenerationFailed,
    GenerationFinished,
    GenerationLifecycle,
    GenerationProgress,
    ShowsGeneration,
)
from cyclades_tui.ui.screens.base import BaseScreen
from cyclades_tui.ui.session import UiSession
from cyclades_tui.ui.widgets.french_text import FrenchText
from cyclades_tui.ui.workers import OnFailure, deliver
from tests.helpers import wait_until_async


class LookupScreen(Screen[None]):
    """A look-up held by a gate, delivering what it looked up through ``deliver``."""

    def __init__(self) -> None:
        super().__init__()
        self.shown: list[str] = []
        self.errors: list[BaseException] = []

    def compose(self) -> ComposeResult:
        yield Static("look-up")

    @work(thread=True, exclusive=True, exit_on_error=False, group="lookup")
    def lookup(self, text: str, gate: threading.Event, done: threading.Event) -> None:
        gate.wait(20)
        try:
            deliver(self, self.shown.append, text)
        except BaseException as error:  # a delivery that failed instead of being dropped
            self.errors.append(error)
        finally:
            done.set()  # call_from_thread has returned: the delivery was run or dropped


async def test_a_result_replaced_by_a_newer_look_up_is_dropped() -> None:
    app: App[None] = App()
    async with app.run_test() as pilot:
        screen = LookupScreen()
        await app.push_screen(screen)
        old_gate, old_done = threading.Event(), threading.Event()
        new_gate, new_done = threading.Event(), threading.Event()
        screen.lookup("ancien", old_gate, old_done)
        await pilot.pause()
        screen.lookup("nouveau", new_gate, new_done)  # the input changed: a new look-up
        new_gate.set()
        await wait_until_async(new_done.is_set, what="nouvelle recherche")
        old_gate.set()  # the old look-up ends last, with its stale result
        await wait_until_async(old_done.is_set, what="ancienne recherche")
        await pilot.pause()
        assert screen.shown == ["nouveau"] and screen.errors == []


async def test_a_result_still_wanted_is_delivered() -> None:
    app: App[None] = App()
    async with app.run_test() as pilot:
        screen = LookupScreen()
        await app.push_screen(screen)
        gate, done = threading.Event(), threading.Event()
        screen.lookup("seul", gate, done)
        gate.set()
        await wait_until_async(done.is_set, what="recherche")
        await pilot.pause()
        assert screen.shown == ["seul"]


async def test_a_result_for_a_closed_screen_is_dropped() -> None:
    app: App[None] = App()
    async with app.run_test() as pilot:
        screen = LookupScreen()
        await app.push_screen(screen)
        gate, done = threading.Event(), threading.Event()
        screen.lookup("parti", gate, done)
        await pilot.pause()
        app.pop_screen()
        await pilot.pause()
        gate.set()
        await wait_until_async(done.is_set, what="recherche")
        await pilot.pause()
        assert screen.shown == [] and screen.errors == []


class FailingScreen(BaseScreen):
    """A screen whose tasks fail as told; « import » lists a refused file's faults."""

    def __init__(self) -> None:
        # The frame needs nothing from the running TUI to report a failure.
        super().__init__(cast(ScreenContext, None))
        self.undone = 0
        self.listed: list[str] = []

    def compose(self) -> ComposeResult:
        yield FrenchText("", id="message")

    def failure_responses(self) -> Mapping[str, OnFailure]:
        return {"import": OnFailure(undo=self.undo, faults=self.faults)}

    def undo(self) -> None:
        self.undone += 1

    def faults(self, error: BadInput) -> str:
        self.listed = error.faults
        return f"{len(error.faults)} erreur(s) : {error.message}"

    @work(thread=True, exclusive=True, exit_on_error=False, name="load", group="load")
    def load(self, error: Exception) -> None:
        raise error

    @work(thread=True, exclusive=True, exit_on_error=False, name="import", group="import")
    def run_import(self, error: Exception) -> None:
        raise error


def message_of(screen: Screen[None]) -> str:
    return str(screen.query_one("#message", FrenchText).text)


async def test_a_failed_task_is_told_in_french_by_the_one_handler() -> None:
    app: App[None] = App()
    async with app.run_test():
        screen = FailingScreen()
        await app.push_screen(screen)
        screen.load(Refused("La base de données est injoignable : réessayez."))
        await wait_until_async(
            lambda: "injoignable" in message_of(screen), what="message du service"
        )
        assert message_of(screen) == "La base de données est injoignable : réessayez."
        assert screen.query_one("#message").has_class("error")
        screen.load(KeyError("x"))  # a bug: said in French, never a traceback
        await wait_until_async(
            lambda: "inattendue" in message_of(screen), what="message d'erreur inattendue"
        )
        assert message_of(screen) == (
            "Erreur inattendue (KeyError) : l'opération n'a pas abouti ; "
            "rien n'a été enregistré à moitié."
        )
        assert screen.undone == 0  # « load » declared nothing to undo


async def test_a_screen_undoes_or_lists_faults_through_the_same_handler() -> None:
    app: App[None] = App()
    async with app.run_test():
        screen = FailingScreen()
        await app.push_screen(screen)
        screen.run_import(Refused("Import refusé."))
        await wait_until_async(lambda: message_of(screen) == "Import refusé.", what="refus")
        assert screen.undone == 1 and screen.listed == []
        screen.run_import(BadInput("Fichier refusé.", ["ligne 2 : INE invalide"]))
        await wait_until_async(lambda: "Fichier refusé" in message_of(screen), what="fautes")
        assert message_of(screen) == "1 erreur(s) : Fichier refusé."
        assert screen.listed == ["ligne 2 : INE invalide"] and screen.undone == 1


class ProgressApp(App[None]):
    """Records the generation counts it gets to handle."""

    def __init__(self) -> None:
        super().__init__()
        self.counts: list[tuple[str, int]] = []

    def on_generation_progress(self, message: GenerationProgress) -> None:
        self.counts.append((message.uai, message.done))


async def test_a_newer_progress_replaces_an_older_one_still_waiting() -> None:
    assert GenerationProgress("0999999F", 2, 9).can_replace(GenerationProgress("0999999F", 3, 9))
    assert not GenerationProgress("0999999F", 2, 9).can_replace(GenerationProgress("X", 3, 9))
    app = ProgressApp()
    async with app.run_test() as pilot:
        for done in (1, 2, 3):  # posted faster than the app handles them
            app.post_message(GenerationProgress("0999999F", done, 9))
        await pilot.pause()
        assert app.counts == [("0999999F", 3)]
        app.counts.clear()
        for uai, done in (("0999999F", 4), ("0392689L", 1), ("0999999F", 5)):
            app.post_message(GenerationProgress(uai, done, 9))
        await pilot.pause()  # another school's count replaces nothing
        assert app.counts == [("0999999F", 4), ("0392689L", 1), ("0999999F", 5)]


class FollowingScreen(Screen[None], ShowsGeneration):
    """Records the generation messages the app forwards to it."""

    def __init__(self) -> None:
        super().__init__()
        self.received: list[Message] = []

    def compose(self) -> ComposeResult:
        yield Static("génération")

    def on_generation_progress(self, message: GenerationProgress) -> None:
        self.received.append(message)

    def on_generation_finished(self, message: GenerationFinished) -> None:
        self.received.append(message)

    def on_generation_failed(self, message: GenerationFailed) -> None:
        self.received.append(message)


def fake_generation(
    gate: threading.Event, error: Exception | None = None
) -> Callable[..., RunResult]:
    """``accounts.generate`` hashing three passwords once ``gate`` opens, then ending."""

    def generate(
        actor: Actor, uai: str, progress: Callable[[int, int], None], settings: Settings
    ) -> RunResult:
        for done in (1, 2, 3):
            progress(done, 3)
            assert gate.wait(20)
        if error is not None:
            raise error
        return RunResult(run_id=1, created=3, documents=[], message="3 compte(s) créé(s).")

    return generate


class GeneratingApp(GenerationLifecycle):
    session: UiSession | None = None


@pytest.mark.parametrize("fails", [False, True])
async def test_a_generation_reports_by_messages_to_the_screen_showing_it(
    monkeypatch: pytest.MonkeyPatch, fails: bool
) -> None:
    gate = threading.Event()
    error = Refused("Le service n'est pas positionné.") if fails else None
    monkeypatch.setattr(generations.account_generation, "generate", fake_generation(gate, error))
    app = GeneratingApp()
    async with app.run_test() as pilot:
        screen = FollowingScreen()
        await app.push_screen(screen)
        generation = app.generations.start(Actor("demo"), "0999999F", Settings(), 3)
        assert generation is not None and generation.total == 3
        await wait_until_async(lambda: generation.done == 1, what="premier mot de passe haché")
        assert app.generations.start(Actor("demo"), "0999999F", Settings(), 3) is None
        gate.set()
        await wait_until_async(lambda: not generation.running, what="fin de la génération")
        await pilot.pause()
        last = screen.received[-1]
        if fails:
            assert isinstance(last, GenerationFailed) and last.error is error
            assert generation.error is error and generation.result is None
        else:
            assert isinstance(last, GenerationFinished) and last.result.created == 3
            assert generation.result is not None and generation.done == 3
        assert all(isinstance(m, GenerationProgress) for m in screen.received[:-1])
