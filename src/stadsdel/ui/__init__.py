"""Shared page pieces under every app that has pages: charts and maps (Altair/Vega-Lite with
offline SVG), form widgets. No domain knowledge; imports only `core` and `lib`."""
