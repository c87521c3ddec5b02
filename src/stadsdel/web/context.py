"""Template context shared by every page."""

from stadsdel import __version__


def site(request):
    return {"stadsdel_version": __version__}
