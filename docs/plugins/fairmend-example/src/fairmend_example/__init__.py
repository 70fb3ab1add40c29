"""Example fairmend plugin package (see docs/plugins.md)."""
