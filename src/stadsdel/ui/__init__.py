"""Shared page pieces under every app that has pages: the base templates (layout, form fields,
the stale-save comparison, change history), the template filters, the style sheet and scripts,
the middleware every page passes (language, content security policy), charts and maps
(Altair/Vega-Lite with offline SVG) and form widgets. No domain knowledge; imports only `core`
and `lib`."""
