"""The start page: what a visitor or a signed-in user sees first."""
