"""Progress of a long write (an import, an aggregation, a backup or restore): the write calls
`progress` with one line of text at each step. A command passes its output's writer; pages, the
API and tests leave the default, which says nothing."""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[str], None]


def quiet(_message: str) -> None:
    """The default `Progress`: reports nothing."""
