"""One module per CLI verb; each exposes a Click command named ``command``."""
