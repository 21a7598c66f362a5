"""The wizard's own screen: the app's default screen, under any dialog."""

from __future__ import annotations

from typing import Any

from textual import events
from textual.screen import Screen


class WizardScreen(Screen[Any]):
    _resumed = False

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        # Handlers run subclass first, so this comes before Screen's own, which re-styles
        # the whole screen when asked. At the first resume that is redundant: the shell
        # and its step were styled as they mounted, on this screen born with its final
        # classes (AdueApp.get_default_screen); re-styling them again cost 2-5% of the
        # first frame's instructions. Later resumes (a dialog closed) refresh as Textual
        # decides.
        if not self._resumed:
            self._resumed = True
            event.refresh_styles = False
