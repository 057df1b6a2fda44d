"""Writes for the campaign app, one module per sub-domain."""
