"""The demo, on top of every domain app: the demo builder (`stadsdel demo`), its logins, the
synthetic fund, evaluation and plan, and every synthetic generator (the register and its reported
crimes, `stadsdel synth`; the area boundaries). Domain apps never import it."""
