"""Accounts: people, their roles and service areas, sign-in and sessions."""
