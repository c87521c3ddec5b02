"""Sources: the documents registry data was taken from (the government offer, the agreements, the
Stockholm programme) and the faults and repairs found in them while loading, attached to the
record each concerns. At the bottom of the domain apps, so every record can name its source."""
