"""The session store: every call kept in SQLite with its audio."""
