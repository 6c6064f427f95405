"""A background task's result is dropped when it is no longer wanted (ui/workers.py)."""

from __future__ import annotations

import threading

from textual import work
from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widgets import Static

from cyclades_tui.ui.workers import deliver
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
