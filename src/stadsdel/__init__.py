"""Stadsdel: software for area-based urban development work in Sweden."""

__version__ = "0.1.0"
