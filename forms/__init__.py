"""HTML forms (Flask-WTF with the GOV.UK widgets) and, later, the EIA form templates as data.

Forms validate what a person typed and hand a dict to a service; they never touch the database.
Choices come in through the constructor.
"""
