-- Everything sent without a participant's press goes through one scheduler:
-- reminders, week openings, memory checks, the coaches' digests and alerts.
-- Each recipient's message is one row, claimed in a transaction before it is
-- sent and marked after, so a rerun or a restart sends nothing twice and skips
-- nothing. The text is made at send time: no message text is stored.

CREATE TABLE scheduled_items (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    chat_id INTEGER NOT NULL,
    participant_id INTEGER NULL REFERENCES participants (id) ON DELETE CASCADE,
    coach_id INTEGER NULL REFERENCES coaches (id) ON DELETE CASCADE,
    -- At most one unasked message a day to a participant: "participant:local date".
    nudge_day TEXT NULL UNIQUE,
    -- For a reminder: the participant's last activity it was planned from.
    anchor TEXT NULL,
    payload TEXT NOT NULL DEFAULT '{}',
    priority INTEGER NOT NULL DEFAULT 1,
    due_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'due'
        CHECK (status IN ('due', 'claimed', 'sent', 'failed', 'dropped')),
    attempts INTEGER NOT NULL DEFAULT 0,
    claimed_at TEXT NULL,
    sent_at TEXT NULL,
    error TEXT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX scheduled_items_due ON scheduled_items (status, due_at);
CREATE INDEX scheduled_items_participant ON scheduled_items (participant_id, kind);
CREATE INDEX scheduled_items_coach ON scheduled_items (coach_id);

-- The participant's own choices: when reminders may come, and a pause.
-- paused_by: participant, coach, ladder (after three reminders) or blocked (a 403).
-- A pause without paused_until lasts until the participant writes again.
CREATE TABLE participant_settings (
    participant_id INTEGER PRIMARY KEY REFERENCES participants (id) ON DELETE CASCADE,
    reminder_window TEXT NULL,
    paused_at TEXT NULL,
    paused_until TEXT NULL,
    pause_reason TEXT NULL,
    paused_by TEXT NULL
);

-- Memory checks: one Leitner card per participant and question.
CREATE TABLE review_cards (
    participant_id INTEGER NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    lesson_id TEXT NOT NULL,
    question_id TEXT NOT NULL,
    box INTEGER NOT NULL,
    due_on TEXT NOT NULL,
    safety INTEGER NOT NULL DEFAULT 0 CHECK (safety IN (0, 1)),
    PRIMARY KEY (participant_id, lesson_id, question_id)
);

-- Today's memory check, at most one a day: the questions and how far it got.
CREATE TABLE review_checks (
    participant_id INTEGER NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    questions TEXT NOT NULL,
    position INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (participant_id, day)
);

-- How sure a participant was after a safety question; a wrong answer given
-- with high confidence is what the coach is shown.
CREATE TABLE review_confidence (
    id INTEGER PRIMARY KEY,
    participant_id INTEGER NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    lesson_id TEXT NOT NULL,
    question_id TEXT NOT NULL,
    correct INTEGER NOT NULL CHECK (correct IN (0, 1)),
    confidence TEXT NOT NULL,
    answered_at TEXT NOT NULL
);
CREATE INDEX review_confidence_participant ON review_confidence (participant_id);
