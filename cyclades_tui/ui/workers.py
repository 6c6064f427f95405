"""The one way a screen's background task hands its result over: only while it is wanted.

A look-up runs in a thread (``@work(thread=True, exclusive=True)``); a newer look-up (the
input changed) cancels it and leaving the screen cancels it, but a thread cannot be stopped:
it finishes and would still deliver its now stale result, over the newer one. ``deliver``
checks, on the app's thread at the moment of delivery, that the task was not cancelled and
that its screen is still there; otherwise the result is dropped.

A task that fails raises: the screen's one handler (``BaseScreen.on_worker_state_changed``)
shows the French message. What a screen does beyond that message is declared once, per task
name, as an :class:`OnFailure`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from textual.dom import DOMNode
from textual.worker import get_current_worker

from cyclades_tui.services.errors import BadInput

# Worker groups that the burst-safe key queue (ui/key_queue.py) does not wait for: a generation
# runs for minutes while the user goes on working, and a print job is handed to CUPS while
# the next key already acts. Every other task (a look-up, a page, a check) decides where
# keys go next. The names are shared here so that a renamed group cannot silently make
# keys wait (or stop waiting).
GENERATE_GROUP = "generate"
SEND_GROUP = "send"
KEYS_DO_NOT_WAIT_FOR = frozenset({GENERATE_GROUP, SEND_GROUP})


@dataclass(frozen=True)
class OnFailure:
    """What a screen does when one of its background tasks fails, beside the French message.

    ``undo`` puts the screen back as it was before the task (a button enabled again, a
    choice forgotten); it runs after the message is shown. ``faults`` shows the faults of a
    refused input (``BadInput``) in the screen instead, and returns the message to show with
    them; ``undo`` is not run then.
    """

    undo: Callable[[], None] | None = None
    faults: Callable[[BadInput], str] | None = None


# A task whose failure needs nothing but the message.
JUST_SAY_IT = OnFailure()


def deliver(node: DOMNode, callback: Callable[..., Any], *args: Any) -> None:
    """From a worker's thread: run ``callback(*args)`` on the app's thread, unless the worker
    has been cancelled (replaced by a newer one, or its screen closed) by then."""
    worker = get_current_worker()

    def if_still_wanted() -> None:
        if worker.is_cancelled or not node.is_attached:
            return  # stale: a newer task delivers, or nobody is there to see it
        callback(*args)

    try:
        app = node.app
    except RuntimeError:  # Textual's NoActiveAppError: the screen is closed, nobody to tell
        return
    app.call_from_thread(if_still_wanted)
