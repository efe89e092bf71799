"""The team store: finished calls pushed to a team's PostgreSQL, read back by leads.

Plain Python and psycopg; no Qt.  The database decides who sees what (roles
and row-level security); nothing in this package filters by who is asking.
"""
