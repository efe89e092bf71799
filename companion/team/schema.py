"""The team database's schema: roles, tables and row-level security, versioned and migrated step by step.

``team init`` runs the migrations with an admin login inside one transaction
each, under an advisory lock, so two admins running it at once, or running it
again, change nothing twice.  Every connection checks the version: a database
set up by a newer app is refused with one message rather than misread.

Who sees what lives here and only here, as PostgreSQL policies:
- an agent's login reads and writes only the sessions it pushed, and reads the notes on them;
- a lead's login reads (and may delete) the sessions of the teams it leads, and writes notes on them;
- an admin manages teams, users and the retention period, and sees everything.
Sessions older than the retention period are invisible to every login but the schema's
owner (a restrictive policy), and ``team.purge_expired()`` deletes them; the database decides
what is expired.
"""

from __future__ import annotations

import psycopg

from companion.team.errors import TeamError

SCHEMA = "team"
AGENT_ROLE = "cc_team_agent"
LEAD_ROLE = "cc_team_lead"
ADMIN_ROLE = "cc_team_admin"
GROUP_ROLES = {"agent": AGENT_ROLE, "lead": LEAD_ROLE, "admin": ADMIN_ROLE}
_LOCK_KEY = 7_316_014  # advisory lock held while migrating: one migrator at a time

V1 = f"""
DO $$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{AGENT_ROLE}') THEN CREATE ROLE {AGENT_ROLE} NOLOGIN; END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{LEAD_ROLE}') THEN CREATE ROLE {LEAD_ROLE} NOLOGIN; END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{ADMIN_ROLE}') THEN CREATE ROLE {ADMIN_ROLE} NOLOGIN; END IF;
END $$;

CREATE TABLE team.teams (
    id   serial PRIMARY KEY,
    name text NOT NULL UNIQUE
);

-- A login's place: an agent of one team, or the lead of one or more.
CREATE TABLE team.members (
    login   name NOT NULL,
    team_id int NOT NULL REFERENCES team.teams(id) ON DELETE CASCADE,
    role    text NOT NULL CHECK (role IN ('agent', 'lead', 'admin')),
    PRIMARY KEY (login, team_id)
);

CREATE TABLE team.settings (
    one            boolean PRIMARY KEY DEFAULT true CHECK (one),
    retention_days int CHECK (retention_days > 0)
);
INSERT INTO team.settings DEFAULT VALUES;

-- The teams the current login leads (members' own rows are visible to it, see below).
CREATE FUNCTION team.led_teams() RETURNS int[] LANGUAGE sql STABLE
    AS $f$ SELECT coalesce(array_agg(team_id), '{{}}') FROM team.members
           WHERE login = current_user AND role = 'lead' $f$;

CREATE FUNCTION team.my_team() RETURNS int LANGUAGE sql STABLE
    AS $f$ SELECT team_id FROM team.members WHERE login = current_user AND role = 'agent'
           ORDER BY team_id LIMIT 1 $f$;

-- The oldest start a session may have and still be kept; NULL keeps everything.
CREATE FUNCTION team.retention_cutoff() RETURNS timestamptz LANGUAGE sql STABLE
    AS $f$ SELECT now() - make_interval(days => retention_days) FROM team.settings $f$;

CREATE TABLE team.sessions (
    id              bigserial UNIQUE,
    uid             text PRIMARY KEY,
    agent_login     name NOT NULL DEFAULT current_user,
    team_id         int NOT NULL DEFAULT team.my_team() REFERENCES team.teams(id),
    agent           text NOT NULL DEFAULT '',
    title           text NOT NULL DEFAULT '',
    source          text NOT NULL DEFAULT '',
    started_at      timestamptz NOT NULL,
    duration        real NOT NULL DEFAULT 0,
    state           text NOT NULL DEFAULT 'complete',
    channels        jsonb NOT NULL DEFAULT '[]',
    playbook_steps  jsonb NOT NULL DEFAULT '[]',
    note            text NOT NULL DEFAULT '',
    sentiment_start real,
    sentiment_min   real,
    sentiment_end   real,
    recovery        real,
    first_empathy_s real,
    talk_ratio      real,
    steps_done      text[] NOT NULL DEFAULT '{{}}',
    steps_missed    text[] NOT NULL DEFAULT '{{}}',
    pitfalls        int NOT NULL DEFAULT 0,
    pitfall_kinds   text[] NOT NULL DEFAULT '{{}}',
    alerts          int NOT NULL DEFAULT 0,
    utterances      int NOT NULL DEFAULT 0,
    scorecard       jsonb NOT NULL DEFAULT '{{}}',
    transcript      tsvector NOT NULL DEFAULT ''::tsvector,
    audio_bytes     bigint NOT NULL DEFAULT 0,
    checksum        text NOT NULL,
    uploaded_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sessions_team_started ON team.sessions (team_id, started_at DESC);
CREATE INDEX sessions_login_started ON team.sessions (agent_login, started_at DESC);
CREATE INDEX sessions_started ON team.sessions (started_at DESC);
CREATE INDEX sessions_transcript ON team.sessions USING gin (transcript);

CREATE TABLE team.events (
    session_uid text NOT NULL REFERENCES team.sessions(uid) ON DELETE CASCADE,
    seq         int NOT NULL,
    t           real NOT NULL,
    type        text NOT NULL,
    data        text NOT NULL,
    PRIMARY KEY (session_uid, seq)
);

-- Audio in chunks so a replay can start before the whole file has arrived.
CREATE TABLE team.audio_chunks (
    session_uid text NOT NULL REFERENCES team.sessions(uid) ON DELETE CASCADE,
    n           int NOT NULL,
    data        bytea NOT NULL,
    PRIMARY KEY (session_uid, n)
);
-- Opus is compressed already: stored out of line as it is, not compressed again on every write.
ALTER TABLE team.audio_chunks ALTER COLUMN data SET STORAGE EXTERNAL;

CREATE TABLE team.notes (
    uid         text PRIMARY KEY,
    session_uid text NOT NULL REFERENCES team.sessions(uid) ON DELETE CASCADE,
    t           real NOT NULL,
    author      text NOT NULL,
    login       name NOT NULL DEFAULT current_user,
    text        text NOT NULL,
    kind        text NOT NULL DEFAULT 'note',
    created_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX notes_session ON team.notes (session_uid);
CREATE INDEX notes_created ON team.notes (created_at);

ALTER TABLE team.members ENABLE ROW LEVEL SECURITY;
ALTER TABLE team.sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE team.events ENABLE ROW LEVEL SECURITY;
ALTER TABLE team.audio_chunks ENABLE ROW LEVEL SECURITY;
ALTER TABLE team.notes ENABLE ROW LEVEL SECURITY;

-- Each policy names the role it is for (TO ...), so a login is checked against its own
-- role's rule alone: an agent's reads are "agent_login = current_user", which the
-- (agent_login, started_at) index answers, not an OR over every role's rule.
-- Functions are called as scalar sub-selects: evaluated once per query, not once per row.
CREATE POLICY members_own ON team.members FOR SELECT USING (login = current_user);
CREATE POLICY members_admin ON team.members TO {ADMIN_ROLE} USING (true) WITH CHECK (true);

CREATE POLICY sessions_agent_read ON team.sessions FOR SELECT TO {AGENT_ROLE} USING (agent_login = current_user);
CREATE POLICY sessions_agent_insert ON team.sessions FOR INSERT TO {AGENT_ROLE}
    WITH CHECK (agent_login = current_user AND team_id = (SELECT team.my_team()));
CREATE POLICY sessions_agent_update ON team.sessions FOR UPDATE TO {AGENT_ROLE}
    USING (agent_login = current_user) WITH CHECK (agent_login = current_user AND team_id = (SELECT team.my_team()));
CREATE POLICY sessions_lead_read ON team.sessions FOR SELECT TO {LEAD_ROLE}
    USING (team_id = ANY ((SELECT team.led_teams())::int[]));
CREATE POLICY sessions_lead_delete ON team.sessions FOR DELETE TO {LEAD_ROLE}
    USING (team_id = ANY ((SELECT team.led_teams())::int[]));
CREATE POLICY sessions_admin ON team.sessions TO {ADMIN_ROLE} USING (true) WITH CHECK (true);
CREATE POLICY sessions_retention ON team.sessions AS RESTRICTIVE FOR SELECT
    USING ((SELECT team.retention_cutoff()) IS NULL OR started_at >= (SELECT team.retention_cutoff()));

-- A session's parts follow the session: visible when the session is (its own policies
-- apply inside the sub-query), written only by the agent who owns it.
CREATE POLICY events_read ON team.events FOR SELECT
    USING (EXISTS (SELECT 1 FROM team.sessions s WHERE s.uid = session_uid));
CREATE POLICY events_write ON team.events TO {AGENT_ROLE}
    USING (EXISTS (SELECT 1 FROM team.sessions s WHERE s.uid = session_uid AND s.agent_login = current_user))
    WITH CHECK (EXISTS (SELECT 1 FROM team.sessions s WHERE s.uid = session_uid AND s.agent_login = current_user));
CREATE POLICY audio_read ON team.audio_chunks FOR SELECT
    USING (EXISTS (SELECT 1 FROM team.sessions s WHERE s.uid = session_uid));
CREATE POLICY audio_write ON team.audio_chunks TO {AGENT_ROLE}
    USING (EXISTS (SELECT 1 FROM team.sessions s WHERE s.uid = session_uid AND s.agent_login = current_user))
    WITH CHECK (EXISTS (SELECT 1 FROM team.sessions s WHERE s.uid = session_uid AND s.agent_login = current_user));
CREATE POLICY notes_read ON team.notes FOR SELECT
    USING (EXISTS (SELECT 1 FROM team.sessions s WHERE s.uid = session_uid));
CREATE POLICY notes_lead_write ON team.notes FOR INSERT TO {LEAD_ROLE}
    WITH CHECK (login = current_user AND EXISTS (
        SELECT 1 FROM team.sessions s
        WHERE s.uid = session_uid AND s.team_id = ANY ((SELECT team.led_teams())::int[])));
CREATE POLICY notes_admin ON team.notes TO {ADMIN_ROLE} USING (true) WITH CHECK (true);

-- Deletes what the retention period no longer keeps, whoever calls it: the database decides.
CREATE FUNCTION team.purge_expired() RETURNS int LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, team AS $f$
DECLARE cutoff timestamptz := team.retention_cutoff(); gone int;
BEGIN
    IF cutoff IS NULL THEN RETURN 0; END IF;
    DELETE FROM team.sessions WHERE started_at < cutoff;
    GET DIAGNOSTICS gone = ROW_COUNT;
    RETURN gone;
END $f$;
REVOKE ALL ON FUNCTION team.purge_expired() FROM PUBLIC;

GRANT USAGE ON SCHEMA team TO {AGENT_ROLE}, {LEAD_ROLE}, {ADMIN_ROLE};
GRANT SELECT ON team.teams, team.members, team.settings, team.schema_version
    TO {AGENT_ROLE}, {LEAD_ROLE}, {ADMIN_ROLE};
GRANT SELECT, INSERT, UPDATE ON team.sessions TO {AGENT_ROLE};
GRANT SELECT, INSERT, DELETE ON team.events, team.audio_chunks TO {AGENT_ROLE};
GRANT SELECT ON team.notes TO {AGENT_ROLE};
GRANT USAGE ON SEQUENCE team.sessions_id_seq TO {AGENT_ROLE}, {ADMIN_ROLE};
GRANT SELECT, DELETE ON team.sessions TO {LEAD_ROLE};
GRANT SELECT ON team.events, team.audio_chunks TO {LEAD_ROLE};
GRANT SELECT, INSERT ON team.notes TO {LEAD_ROLE};
GRANT ALL ON ALL TABLES IN SCHEMA team TO {ADMIN_ROLE};
GRANT USAGE ON ALL SEQUENCES IN SCHEMA team TO {ADMIN_ROLE};
GRANT EXECUTE ON FUNCTION team.purge_expired() TO {AGENT_ROLE}, {LEAD_ROLE}, {ADMIN_ROLE};
"""

MIGRATIONS: tuple[str, ...] = (V1,)
"""``MIGRATIONS[n - 1]`` takes the team database from version ``n - 1`` to ``n``."""


def newer_schema_error(found: int, known: int) -> TeamError:
    return TeamError(
        f"the team database was set up by a newer version of Call Companion (schema {found}, "
        f"this app knows up to {known}); update the app to use it"
    )


def schema_version(conn: psycopg.Connection) -> int:
    """The team schema's version, 0 for a database where ``team init`` never ran."""
    row = conn.execute("SELECT to_regclass('team.schema_version') IS NOT NULL").fetchone()
    if not row or not row[0]:
        return 0
    found = conn.execute("SELECT max(version) FROM team.schema_version").fetchone()
    return int(found[0] or 0) if found else 0


def check_schema(conn: psycopg.Connection, migrations: tuple[str, ...] = MIGRATIONS) -> int:
    """Refuse a database without the schema, or with a newer one than this app knows."""
    version = schema_version(conn)
    if version == 0:
        raise TeamError("the team database is not set up; the admin runs: call-companion team init --db URL")
    if version > len(migrations):
        raise newer_schema_error(version, len(migrations))
    if version < len(migrations):
        raise TeamError(
            f"the team database has schema {version} and this app needs {len(migrations)}; "
            "the admin runs: call-companion team init --db URL"
        )
    return version


def migrate(conn: psycopg.Connection, migrations: tuple[str, ...] = MIGRATIONS) -> tuple[int, int]:
    """Bring the schema up to date with an admin login: (version before, version after)."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
        before = schema_version(conn)
        if before > len(migrations):
            raise newer_schema_error(before, len(migrations))
        if before == 0:
            conn.execute("CREATE SCHEMA IF NOT EXISTS team")
            conn.execute("CREATE TABLE IF NOT EXISTS team.schema_version (version int NOT NULL)")
        for version in range(before, len(migrations)):
            conn.execute(migrations[version])
            conn.execute("INSERT INTO team.schema_version (version) VALUES (%s)", (version + 1,))
    return before, len(migrations)
