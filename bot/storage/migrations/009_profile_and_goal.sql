-- The vocational profile and the participant's own goal (Supported Employment, step 2).
--
-- profile_picks: per participant and topic (work: kinds of work I like; skills: what I
-- can already do; support: what support I need) the ids of the cards they ticked, as a
-- JSON list. An empty list is an answer too ("none of these"); no row means the topic
-- was not reached yet.
CREATE TABLE profile_picks (
    participant_id INTEGER NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    topic TEXT NOT NULL CHECK (topic IN ('work', 'skills', 'support')),
    cards TEXT NOT NULL,
    lesson_id TEXT NOT NULL,
    step_id TEXT NOT NULL,
    picked_at TEXT NOT NULL,
    PRIMARY KEY (participant_id, topic)
);

-- goals: the participant's own goal, one per participant. A written goal keeps its
-- text; a goal sent as a voice message keeps only that it exists and its length in
-- seconds (the recording is never fetched). At the goal review (week 10) the
-- participant says it still holds (still_holds = 1) or writes a new one: the one
-- before is kept in earlier_* so the coach sees how it changed.
CREATE TABLE goals (
    participant_id INTEGER PRIMARY KEY REFERENCES participants (id) ON DELETE CASCADE,
    text TEXT NULL,
    voice_seconds INTEGER NULL,
    week INTEGER NOT NULL,
    set_at TEXT NOT NULL,
    earlier_text TEXT NULL,
    earlier_voice_seconds INTEGER NULL,
    earlier_week INTEGER NULL,
    reviewed_week INTEGER NULL,
    reviewed_at TEXT NULL,
    still_holds INTEGER NULL CHECK (still_holds IN (0, 1)),
    CHECK (text IS NOT NULL OR voice_seconds IS NOT NULL)
);
