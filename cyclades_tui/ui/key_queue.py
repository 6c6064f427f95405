"""Burst-safe keys: keys that arrive together are handed over one at a time, each once the
previous one has had all its effects (the app part that makes typing ahead over SSH safe)."""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque

from textual import events
from textual.app import App
from textual.dom import DOMNode

from cyclades_tui.ui.workers import KEYS_DO_NOT_WAIT_FOR

# A task that takes longer than this (a locked database) no longer holds the keys back.
KEY_WAIT_LIMIT_S = 15.0
# Rounds of « let everything pending run » before a key is handed over anyway.
SETTLE_ROUNDS = 12


class BurstSafeKeys(App[None]):
    """The key queue of the app; ``note_activity`` is told of every key and click."""

    def __init__(self) -> None:
        super().__init__()
        # Keys wait here and are handed over one at a time (see on_event).
        self._keys: deque[events.Key | events.Paste] = deque()
        self._releasing: events.Event | None = None
        self._key_task: asyncio.Task[None] | None = None

    def note_activity(self) -> None:
        """Hook: a key or a click from the person (the idle countdown restarts)."""

    async def on_event(self, event: events.Event) -> None:
        """Hand keys over one at a time, each once the previous one has had all its effects.

        Over SSH, keys typed quickly (or pasted) arrive in one packet; Textual would forward
        them all at once to the widget focused at that moment, before the first of them has
        moved the focus, pushed a screen or started a look-up. Here each key from the
        terminal waits in a queue until the app has settled (screens mounted, focus set,
        look-ups finished), so it reaches the screen and field it would reach if typed slowly.
        """
        if (isinstance(event, events.Key) and event is not self._releasing) or isinstance(
            event, events.MouseDown | events.MouseScrollDown | events.MouseScrollUp
        ):
            self.note_activity()
        if (
            isinstance(event, events.Key | events.Paste)
            and not event.is_forwarded
            and event is not self._releasing
        ):
            if isinstance(event, events.Key) and event.key.startswith("alt+"):
                # « Échap » then a key, in one packet, reads as alt+key: the app binds no
                # alt+ key, so it is what was typed (Échap to go back, then the letter).
                self._keys.append(events.Key("escape", "\x1b"))
                self._keys.append(events.Key(event.key.removeprefix("alt+"), event.character))
            else:
                self._keys.append(event)
            if self._key_task is None or self._key_task.done():
                self._key_task = asyncio.create_task(self._hand_over_keys())
            return
        await super().on_event(event)

    @property
    def input_pending(self) -> bool:
        """True while typed keys wait to be handed over (tests wait on it)."""
        return bool(self._keys) or (self._key_task is not None and not self._key_task.done())

    async def _hand_over_keys(self) -> None:
        """Release the queued keys in order, settling before and after each one."""
        while self._keys:
            await self._settle()
            if not self._keys:
                break
            event = self._keys.popleft()
            self._releasing = event
            try:
                self.post_message(event)
                await self._round_trip(self)
            finally:
                self._releasing = None
            await self._settle()

    async def _round_trip(self, node: DOMNode) -> None:
        """Wait until ``node`` has handled every message posted to it so far."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        def mark() -> None:
            if not done.done():
                done.set_result(None)

        if (node is not self and not node.is_attached) or not node.call_later(mark):
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done, KEY_WAIT_LIMIT_S)

    def _input_state(self) -> tuple[int, int, int]:
        screen = self.screen
        return id(screen), id(screen.focused), len(self.screen_stack)

    async def _settle(self) -> None:
        """Let the last key's effects finish: bubbling, actions, screens, focus, look-ups."""
        for _ in range(SETTLE_ROUNDS):
            before = self._input_state()
            target: DOMNode = self.screen.focused or self.screen
            for node in [target, *target.ancestors]:
                await self._round_trip(node)
            await self._round_trip(self.screen)
            waiting = [
                w for w in self.workers if not w.is_finished and w.group not in KEYS_DO_NOT_WAIT_FOR
            ]
            for worker in waiting:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(worker.wait(), KEY_WAIT_LIMIT_S)
            await self._round_trip(self)
            if not waiting and self._input_state() == before:
                return
