-- Indexes for the lookups and housekeeping that are not keyed by a primary key:
-- a group's participants and coaches, the rows a deleted group or coach cascades
-- to, the rate limit on wrong invite codes, and the daily purges.

CREATE INDEX participants_group ON participants (group_id);
CREATE INDEX group_coaches_coach ON group_coaches (coach_id);
CREATE INDEX invites_group ON invites (group_id);
CREATE INDEX invites_created_by ON invites (created_by);
CREATE INDEX invites_expires ON invites (expires_at);
CREATE INDEX departures_group ON departures (group_id);
CREATE INDEX start_attempts_telegram ON start_attempts (telegram_id, attempted_at);
CREATE INDEX start_attempts_time ON start_attempts (attempted_at);
CREATE INDEX processed_updates_time ON processed_updates (processed_at);
