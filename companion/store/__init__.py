"""The session store: every call kept in SQLite and a compressed audio file, replayable and shareable."""
