"""Reads for the campaign app, always scoped by user; one module per sub-domain."""
