"""Forms of the campaign app (shape validation only), one module per sub-domain."""
