-- Readers: trusted people (a trainer, a translator, a coach) who record the course
-- aloud in one language each. The administrator adds them with `python -m bot readers`.
CREATE TABLE readers (
    telegram_id INTEGER NOT NULL,
    language TEXT NOT NULL,
    added_at TEXT NOT NULL,
    PRIMARY KEY (telegram_id, language)
);

-- A reader's open recording session: the card shown last, named by its key and the
-- hash of its wording, so a voice note is stored for exactly the text the reader saw.
-- Cards skipped in this session are not shown again until the session ends.
CREATE TABLE recording_sessions (
    telegram_id INTEGER PRIMARY KEY,
    language TEXT NOT NULL,
    card_key TEXT NULL,
    wording_hash TEXT NULL,
    skipped TEXT NOT NULL DEFAULT '[]',
    started_at TEXT NOT NULL
);
