"""One engine: base models, splits, the user's model outputs, and stack fitting (pre → model → post)."""
