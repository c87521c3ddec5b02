"""Progress of a long write (an import, an aggregation, a backup or restore): the write calls
`progress` with one line of text at each step. A command passes its output's writer; pages, the
API and tests leave the default, which says nothing."""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[str], None]


def quiet(_message: str) -> None:
    """The default `Progress`: reports nothing."""


class TerminalBar:
    """A one-line progress bar for a long command (`stadsdel import` over many files): how many
    of the parts are done, as a bar and a percentage, and the step under way. Drawn only when
    the stream is a terminal; in CI or into a pipe it draws nothing (no carriage returns in a
    log), and `lines` says whether the command should write its step lines instead.

    `stream` is a command's `self.stderr` (Django's OutputWrapper) or any text stream."""

    WIDTH = 30

    def __init__(self, stream, *, total: int, force: bool | None = None):
        self.stream = getattr(stream, "_out", stream)
        isatty = getattr(self.stream, "isatty", None)
        self.active = force if force is not None else bool(isatty and isatty())
        self.total = max(total, 1)
        self.done = 0
        self.text = ""

    @property
    def lines(self) -> bool:
        return not self.active

    def advance(self, done: int, text: str = "") -> None:
        self.done = min(done, self.total)
        self.text = text
        self._draw()

    def step(self, text: str) -> None:
        """A `Progress`: the part under way says what it is doing; the bar stays where it is."""
        self.text = text
        self._draw()

    def _draw(self) -> None:
        if not self.active:
            return
        import shutil

        fraction = self.done / self.total
        filled = round(self.WIDTH * fraction)
        head = f"[{'#' * filled}{'.' * (self.WIDTH - filled)}] {100 * fraction:3.0f} % {self.done}/{self.total} "
        room = max(shutil.get_terminal_size((80, 20)).columns - len(head) - 1, 0)
        # \r back to the line's start, \x1b[K clears what a longer line left behind.
        self.stream.write(f"\r{head}{self.text[:room]}\x1b[K")
        self.stream.flush()

    def close(self) -> None:
        if self.active:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
