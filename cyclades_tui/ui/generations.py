"""Generations run by the app, not by a screen: they go on when « Générer » is left.

A generation's thread reports by posting messages to the app: ``GenerationProgress`` after
each hash (a newer one replaces an older one still waiting, so a busy app shows the last
count, not every count), then ``GenerationFinished`` or ``GenerationFailed``. The app
(:class:`GenerationLifecycle`) keeps where each school's generation stands, forwards the
messages to the screens that show generations and tells the user of the outcome. The screen
shows the progress of its school's generation whenever it is (re)opened, and a second
generation for the same school is refused while one runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from textual.app import App
from textual.message import Message

from cyclades_tui.services import account_generation
from cyclades_tui.services.actor import Actor
from cyclades_tui.services.slip_documents import RunResult
from cyclades_tui.settings import Settings
from cyclades_tui.ui.session import UiSession
from cyclades_tui.ui.widgets.modals import CANCELLED, ConfirmModal
from cyclades_tui.ui.workers import GENERATE_GROUP


class GenerationCancelled(Exception):
    """Raised from the progress callback to abandon a generation before anything is stored."""


class GenerationProgress(Message, bubble=False):
    """``done`` of ``total`` passwords of school ``uai`` are hashed."""

    def __init__(self, uai: str, done: int, total: int) -> None:
        super().__init__()
        self.uai = uai
        self.done = done
        self.total = total

    def can_replace(self, message: Message) -> bool:
        """A newer count of the same school makes an older one still waiting useless."""
        return isinstance(message, GenerationProgress) and message.uai == self.uai


class GenerationFinished(Message, bubble=False):
    """School ``uai``'s accounts and documents are stored."""

    def __init__(self, uai: str, result: RunResult) -> None:
        super().__init__()
        self.uai = uai
        self.result = result


class GenerationFailed(Message, bubble=False):
    """School ``uai``'s generation stopped before anything was stored."""

    def __init__(self, uai: str, error: BaseException) -> None:
        super().__init__()
        self.uai = uai
        self.error = error


@dataclass
class Generation:
    """Where one school's generation stands, written on the app's thread from its messages.

    ``post`` hands a message to the app (safe from the generation's thread).
    """

    uai: str
    post: Callable[[Message], object]
    done: int = 0
    total: int = 0
    result: RunResult | None = None
    error: BaseException | None = None
    ended: bool = False
    cancelled: bool = False

    @property
    def running(self) -> bool:
        """True until the accounts and documents are stored (or the generation failed)."""
        return not self.ended

    def progress(self, done: int, total: int) -> None:
        """The hashing callback, in the generation's thread: report, or stop if cancelled."""
        if self.cancelled:
            raise GenerationCancelled
        self.post(GenerationProgress(self.uai, done, total))

    def run(self, actor: Actor, settings: Settings) -> None:
        """Generate (in the generation's thread), then post how it ended."""
        try:
            result = account_generation.generate(
                actor, self.uai, progress=self.progress, settings=settings
            )
        except BaseException as error:  # shown by the screen, in French
            self.post(GenerationFailed(self.uai, error))
        else:
            self.post(GenerationFinished(self.uai, result))


class Generations(dict[str, Generation]):
    """UAI -> its generation (the running one, or the last one of this session).

    Screens start one through :meth:`start` without knowing the app.
    """

    def __init__(self, app: App[None]) -> None:
        super().__init__()
        self._app = app

    def start(self, actor: Actor, uai: str, settings: Settings, expected: int) -> Generation | None:
        """Generate ``uai``'s missing accounts (``expected`` of them) in a thread; None while
        one already runs."""
        current = self.get(uai)
        if current is not None and current.running:
            return None
        generation = Generation(uai, self._app.post_message, total=expected)
        self[uai] = generation
        self._app.run_worker(
            lambda: generation.run(actor, settings),
            thread=True,
            group=GENERATE_GROUP,
            name=f"generate-{uai}",
            exit_on_error=False,
        )
        return generation

    def running(self) -> bool:
        """True while any generation of this session runs."""
        return any(g.running for g in self.values())


class ShowsGeneration:
    """Marks a screen that shows its school's generation (« Générer »): the app forwards it
    the generation's messages, and does not tell of the outcome over it."""


class GenerationLifecycle(App[None]):
    """The app part that runs generations: their messages, their outcome, quitting."""

    def __init__(self) -> None:
        super().__init__()
        # UAI -> its generation (the running one, or the last one of this session).
        self.generations = Generations(self)
        self._quit_after_generations = False

    # The session open now (set by the app; None when nobody is logged in).
    session: UiSession | None

    def _forward(self, make: Callable[[], Message]) -> None:
        """Hand a message made by ``make`` to each screen that shows generations (a message
        is handled by one receiver: each screen gets its own)."""
        for screen in self.screen_stack:
            if isinstance(screen, ShowsGeneration):
                screen.post_message(make())

    def on_generation_progress(self, message: GenerationProgress) -> None:
        """Where the generation stands, for the screens that show it."""
        generation = self.generations.get(message.uai)
        if generation is None or not generation.running:
            return
        generation.done, generation.total = message.done, message.total
        self._forward(lambda: GenerationProgress(message.uai, message.done, message.total))

    def on_generation_finished(self, message: GenerationFinished) -> None:
        """Accounts and documents stored."""
        self._ended(
            message.uai,
            lambda: GenerationFinished(message.uai, message.result),
            result=message.result,
            error=None,
        )

    def on_generation_failed(self, message: GenerationFailed) -> None:
        """Stopped before anything was stored."""
        self._ended(
            message.uai,
            lambda: GenerationFailed(message.uai, message.error),
            result=None,
            error=message.error,
        )

    def _ended(
        self,
        uai: str,
        outcome: Callable[[], Message],
        result: RunResult | None,
        error: BaseException | None,
    ) -> None:
        """Record the outcome, then tell the user, wherever they are (``outcome`` makes the
        message the screens showing generations get)."""
        generation = self.generations.get(uai)
        if generation is None:
            return
        generation.result, generation.error, generation.ended = result, error, True
        if self._quit_after_generations:
            if not self.generations.running():
                self.exit(
                    message=(
                        f"Génération terminée avant l'arrêt : {result.message}"
                        if result is not None
                        else "Génération interrompue avant l'enregistrement : aucun compte n'a été "
                        "créé ; relancez « Générer » pour la faire."
                    )
                )
            return
        self._forward(outcome)  # the screen shows the outcome
        if isinstance(self.screen, ShowsGeneration):
            return
        if self.session is None or self.session.uai != generation.uai:
            # Whoever is at the keyboard now (logged out, another school) is not told of it:
            # the school's result shows when its staff open « Générer ».
            return
        if result is not None:
            self.notify(f"Génération terminée ({generation.uai}) : {result.message}", timeout=10)
        else:
            self.notify(
                f"La génération ({generation.uai}) n'a pas abouti : ouvrez « Générer ».",
                severity="error",
                timeout=10,
            )

    async def action_quit(self) -> None:
        """Quit; while a generation runs, only after confirmation (it would be abandoned)."""
        if not self.generations.running():
            self.exit()
            return

        def confirmed(answer: bool | None) -> None:
            if answer:
                # Stop hashing, then quit once the thread has let go (see _ended).
                self._quit_after_generations = True
                for generation in self.generations.values():
                    generation.cancelled = True
                self.notify("Arrêt de la génération en cours…", timeout=30)
            else:
                say = getattr(self.screen, "show_info", None)
                if callable(say):
                    say(CANCELLED)
                else:
                    self.notify(CANCELLED)

        self.push_screen(
            ConfirmModal(
                "Une génération est en cours. Quitter l'abandonne (rien n'est enregistré à "
                "moitié ; il faudra la relancer). Quitter quand même ?",
                "Quitter",
            ),
            confirmed,
        )
