-- Consent first: someone who opened the bot but has not agreed yet is a newcomer.
-- Only what the language picker and the consent screen need: no name. A newcomer
-- becomes a participant the moment they agree; a newcomer row older than a day is
-- purged.
CREATE TABLE newcomers (
    telegram_id INTEGER PRIMARY KEY,
    language TEXT NULL,
    group_id INTEGER NULL REFERENCES groups (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX newcomers_created ON newcomers (created_at);

-- Questions that a button answers and that must be answered once, on the prompt
-- itself, within minutes: "erase everything?", "move to the other group?",
-- "become a coach?", "leave the quiz and read again?". A press names the prompt's
-- token; a stale, reused or forged one finds nothing and changes nothing.
CREATE TABLE prompts (
    token TEXT PRIMARY KEY,
    telegram_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    subject TEXT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX prompts_person ON prompts (telegram_id);
CREATE INDEX prompts_expires ON prompts (expires_at);
