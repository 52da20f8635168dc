"""Accounts: login throttling and equal login timing (throttle.py), login sessions that end at logout, password
change, idleness and age (sessions.py). plugins/ wires them to CKAN's IAuthenticator and signals."""
