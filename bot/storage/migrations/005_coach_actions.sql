-- What coaches do about a participant, and what an admin audits.
--
-- coach_actions: every action a coach takes (a nudge, a pause, a week opened
-- early, a quiz reset, a note written), with who and when. A participant's
-- detail shows their own rows to the coaches of their group; the whole table
-- is read only by the admin (`python -m bot audit`). `detail` is a short code
-- (the nudge's key, the lesson id, the pause's end date), never free text.
CREATE TABLE coach_actions (
    id INTEGER PRIMARY KEY,
    coach_id INTEGER NULL REFERENCES coaches (id) ON DELETE SET NULL,
    participant_id INTEGER NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('nudge', 'pause', 'open_week', 'reset_quiz', 'note')),
    detail TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL
);
CREATE INDEX coach_actions_participant ON coach_actions (participant_id, at);
CREATE INDEX coach_actions_coach ON coach_actions (coach_id);

-- A coach's private notes: only the coach who wrote one reads it.
CREATE TABLE coach_notes (
    id INTEGER PRIMARY KEY,
    coach_id INTEGER NOT NULL REFERENCES coaches (id) ON DELETE CASCADE,
    participant_id INTEGER NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    text TEXT NOT NULL,
    written_at TEXT NOT NULL
);
CREATE INDEX coach_notes_participant ON coach_notes (participant_id, coach_id);

-- A planned pause: the reminder scheduler sends nothing to the participant
-- while `paused_until` (a local date, inclusive) has not passed. One row per
-- participant; a new pause replaces the old. Read it with
-- bot.storage.actions.paused_until(db, participant_id).
CREATE TABLE pauses (
    participant_id INTEGER PRIMARY KEY REFERENCES participants (id) ON DELETE CASCADE,
    paused_until TEXT NOT NULL,
    coach_id INTEGER NULL REFERENCES coaches (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL
);

-- Weeks opened early for one participant, on top of the group's pacing:
-- bot.course.schedule.access_for adds them to the weeks open.
ALTER TABLE participants ADD COLUMN extra_weeks INTEGER NOT NULL DEFAULT 0
    CHECK (extra_weeks >= 0);
-- Reminders sent and not answered since the participant's last own action.
-- The reminder scheduler counts up and a participant's own action resets it;
-- until it exists this stays 0 and the coach sees no count.
ALTER TABLE participants ADD COLUMN reminders_unanswered INTEGER NOT NULL DEFAULT 0;
-- The initial of the last name Telegram gave at joining, stored only after
-- consent, so a coach can tell two Aminas apart. One letter, never the name.
ALTER TABLE participants ADD COLUMN last_initial TEXT NULL;
