-- Where each participant stands, summed up from their progress: what a coach's
-- overview, the chart and the exports read, one row a participant, instead of
-- parsing every participant's progress JSON at every view.
--
-- bot/storage/progress.py writes the row in the transaction that saves the
-- progress (bot/reports/standing.py computes it from the progress and the course).
-- A row is current while `progress_at` equals the progress's `updated_at` and
-- `course` the running course's key (bot.course.summary.course_key): any other
-- writer of progress, a changed course, or the rows stored before this
-- migration are summed up again by the report before it reads
-- (bot.storage.reports.stale_progress), so the figures never differ from the
-- progress they come from. Erasure deletes the row with the participant.
CREATE TABLE standings (
    participant_id INTEGER PRIMARY KEY REFERENCES participants (id) ON DELETE CASCADE,
    course TEXT NOT NULL,
    progress_at TEXT NOT NULL,
    finished INTEGER NOT NULL,
    week INTEGER NULL,
    lessons_done INTEGER NOT NULL,
    quiz_average INTEGER NULL,
    started INTEGER NOT NULL,
    passed TEXT NOT NULL,
    recovered TEXT NOT NULL,
    grid TEXT NOT NULL,
    week_cells TEXT NOT NULL
);
