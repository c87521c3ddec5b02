"""Cross-app primitives with no domain knowledge: nothing here imports a domain app."""
