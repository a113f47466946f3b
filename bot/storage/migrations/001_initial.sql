-- The first schema. Store the least data that does the job: the participants are
-- vulnerable people. No usernames, phone numbers or last names, never the contents
-- of an uploaded file. Times are ISO-8601 UTC strings; booleans are 0/1 integers.
-- Tables are created parents first so the same order works on PostgreSQL.

CREATE TABLE groups (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    start_date TEXT NOT NULL,
    self_paced INTEGER NOT NULL DEFAULT 0 CHECK (self_paced IN (0, 1)),
    created_at TEXT NOT NULL,
    ended_at TEXT NULL
);

CREATE TABLE coaches (
    id INTEGER PRIMARY KEY,
    telegram_id INTEGER NOT NULL UNIQUE,
    first_name TEXT NOT NULL,
    language TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE group_coaches (
    group_id INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    coach_id INTEGER NOT NULL REFERENCES coaches (id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, coach_id)
);

CREATE TABLE participants (
    id INTEGER PRIMARY KEY,
    telegram_id INTEGER NOT NULL UNIQUE,
    first_name TEXT NOT NULL,
    language TEXT,
    group_id INTEGER NULL REFERENCES groups (id) ON DELETE SET NULL,
    consent_at TEXT NULL,
    created_at TEXT NOT NULL,
    last_active_at TEXT NOT NULL,
    blocked_at TEXT NULL
);

-- The engine's progress, serialised by the engine: the storage does not read it.
CREATE TABLE progress (
    participant_id INTEGER PRIMARY KEY REFERENCES participants (id) ON DELETE CASCADE,
    state TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- One row per answer given. `answer` holds the chosen option ids joined by ","
-- or, for a practical task, the kind of upload (photo, document, voice).
CREATE TABLE answers (
    id INTEGER PRIMARY KEY,
    participant_id INTEGER NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    week_id TEXT NOT NULL,
    lesson_id TEXT NOT NULL,
    question_id TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    correct INTEGER NOT NULL CHECK (correct IN (0, 1)),
    answer TEXT NOT NULL,
    answered_at TEXT NOT NULL
);
CREATE INDEX answers_participant ON answers (participant_id);
CREATE INDEX answers_question ON answers (lesson_id, question_id);

CREATE TABLE quiz_results (
    id INTEGER PRIMARY KEY,
    participant_id INTEGER NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    week_id TEXT NOT NULL,
    lesson_id TEXT NOT NULL,
    run INTEGER NOT NULL,
    score_percent INTEGER NOT NULL CHECK (score_percent BETWEEN 0 AND 100),
    passed INTEGER NOT NULL CHECK (passed IN (0, 1)),
    finished_at TEXT NOT NULL
);
CREATE INDEX quiz_results_participant_lesson ON quiz_results (participant_id, lesson_id);

-- Telegram update ids already applied, so a redelivered update is not applied twice.
-- No user id here: erasing a participant leaves nothing personal behind.
CREATE TABLE processed_updates (
    update_id INTEGER PRIMARY KEY,
    processed_at TEXT NOT NULL
);

-- Only the hash of an invite code is kept, never the code itself. A participant
-- invite always names its group; a coach invite may.
CREATE TABLE invites (
    code_hash TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('coach', 'participant')),
    group_id INTEGER NULL REFERENCES groups (id) ON DELETE CASCADE,
    created_by INTEGER NULL REFERENCES coaches (id) ON DELETE SET NULL,
    uses_left INTEGER NULL CHECK (uses_left IS NULL OR uses_left >= 0),
    expires_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    CHECK (kind = 'coach' OR group_id IS NOT NULL)
);

-- Wrong invite codes, for rate limiting; purged after a day.
CREATE TABLE start_attempts (
    telegram_id INTEGER NOT NULL,
    attempted_at TEXT NOT NULL
);

-- What a coach sees after a participant erased their data: only that someone left.
CREATE TABLE departures (
    id INTEGER PRIMARY KEY,
    group_id INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    left_at TEXT NOT NULL
);

-- When each scheduled job is next due, so a restart neither skips nor repeats one.
CREATE TABLE due_jobs (
    name TEXT PRIMARY KEY,
    due_at TEXT NOT NULL
);
