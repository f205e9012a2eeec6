"""Reminders: what is due for each person, shown in the app and sent as one daily email digest."""
