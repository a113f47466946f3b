-- One pause per participant, and one count of unanswered reminders.
--
-- A coach's pause was a row of `pauses`; the scheduler's (and the participant's
-- own) is `participant_settings.paused_until`. From here on the coach's pause is
-- stored there too (paused_by = 'coach'), through bot.storage.reminders.set_pause,
-- so the reminders, the participant's /settings and the coach's views read the
-- same pause. A pause planned before this moves over, unless the participant's
-- settings hold a newer one.
INSERT INTO participant_settings (participant_id, paused_at, paused_until, pause_reason, paused_by)
SELECT participant_id, created_at, paused_until, NULL, 'coach' FROM pauses WHERE true
ON CONFLICT (participant_id) DO UPDATE SET
    paused_at = excluded.paused_at,
    paused_until = excluded.paused_until,
    pause_reason = excluded.pause_reason,
    paused_by = excluded.paused_by
WHERE participant_settings.paused_at IS NULL OR participant_settings.paused_at < excluded.paused_at;

DROP TABLE pauses;

-- Unanswered reminders are counted from the scheduler's own items (reminders sent
-- since the participant's last activity, as the reminder ladder counts them), so
-- this column, which nothing ever raised above 0, goes.
ALTER TABLE participants DROP COLUMN reminders_unanswered;
