"""Administration: people, roles and service areas."""
