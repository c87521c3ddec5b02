"""Django-free helpers: pure functions with no database, settings or request."""
