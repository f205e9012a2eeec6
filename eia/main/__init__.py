"""The home page (My work), the accessibility statement and the health check."""
