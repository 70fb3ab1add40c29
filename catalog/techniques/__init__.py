"""Executable implementations of catalog techniques, one subpackage per lifecycle stage."""
