"""Thin views of the campaign app, one module per sub-domain."""
