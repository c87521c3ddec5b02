"""Writes of the statistics, one module per concern:

- `catalogue`: the indicator catalogue and exclusion rules from the seed file;
- `units`: the units a figure is for (area, district, municipality, county, country) and the
  resolution of the codes files use;
- `observations`: the valid ranges and the one writer every figure goes through;
- `bulk`: that writer's set-based SQL (COPY or executemany in chunks, UPDATE … FROM a temporary
  table) and the history rows of changed figures;
- `imports`: files of figures (CSV, Excel, PxWeb, Kolada), from the command line or an upload;
- `aggregation`: district figures summed from their areas;
- `microdata`: register extracts aggregated with disclosure control;
- `crosswalks`: keys between code systems and the figures mapped across them.

Every import runs in one transaction: a file either goes in whole or leaves nothing behind. An
observation that already exists with the same figures is left alone (so the same file twice
writes nothing); a changed figure is updated and simple-history keeps the earlier one together
with the import that set it. A new figure's history is its import batch until it first changes.
"""
