-- The durable inbox: every update as Telegram sent it, stored (and committed) before
-- Telegram is told it arrived, and deleted once it is handled. After a crash the bot
-- handles what is left here first. The JSON holds the sender's name and what they
-- typed, so the rows carry the sender's Telegram id and go when that person is erased.
CREATE TABLE inbox (
    update_id INTEGER PRIMARY KEY,
    telegram_id INTEGER NULL,
    payload TEXT NOT NULL,
    received_at TEXT NOT NULL
);
CREATE INDEX inbox_telegram ON inbox (telegram_id);

-- The offset the next getUpdates sends: it confirms to Telegram every update stored
-- above. Kept in the same transaction as the batch, so a restart neither loses nor
-- refetches one. A single row.
CREATE TABLE inbox_offset (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    next_update_id INTEGER NOT NULL
);

-- Rendered messages Telegram did not take after every retry, in order, per chat:
-- the next press or /continue of that person sends them first. Erased with the person.
CREATE TABLE undelivered (
    id INTEGER PRIMARY KEY,
    chat_id INTEGER NOT NULL,
    message TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX undelivered_chat ON undelivered (chat_id, id);
