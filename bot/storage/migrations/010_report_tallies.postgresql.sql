-- PostgreSQL's own version of 010_report_tallies.sql: the same tables and the
-- same rules, with the triggers written as PL/pgSQL functions.
--
-- The coaches' figures kept up to date as answers arrive, so a report is one
-- indexed SELECT per table instead of re-reading every answer of the group.
-- Triggers keep them in the transaction that records the answer (or the quiz
-- run, the reset, the move to another group, the erasure): they can never
-- disagree with the rows they count. bot/reports/progress.py reads them; its
-- aggregation of the raw rows stays the reference they are tested against.

-- Each participant's first answer to each question, as first given: the hard
-- questions and the options chosen count a person once, by this answer.
CREATE TABLE first_answers (
    participant_id BIGINT NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    lesson_id TEXT NOT NULL,
    question_id TEXT NOT NULL,
    correct INTEGER NOT NULL,
    answer TEXT NOT NULL,
    PRIMARY KEY (participant_id, lesson_id, question_id)
);

INSERT INTO first_answers (participant_id, lesson_id, question_id, correct, answer)
SELECT participant_id, lesson_id, question_id, correct, answer FROM answers
WHERE id IN (
    SELECT MIN(id) FROM answers WHERE attempt = 1
    GROUP BY participant_id, lesson_id, question_id
);

-- Per group, question and first answer given: how many gave it. The share right
-- at the first try and the options chosen both come from these few rows.
CREATE TABLE answer_counts (
    group_id BIGINT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    lesson_id TEXT NOT NULL,
    question_id TEXT NOT NULL,
    answer TEXT NOT NULL,
    correct INTEGER NOT NULL,
    people INTEGER NOT NULL,
    PRIMARY KEY (group_id, lesson_id, question_id, answer, correct)
);

INSERT INTO answer_counts (group_id, lesson_id, question_id, answer, correct, people)
SELECT p.group_id, f.lesson_id, f.question_id, f.answer, f.correct, COUNT(*)
FROM first_answers f JOIN participants p ON p.id = f.participant_id
WHERE p.group_id IS NOT NULL
GROUP BY p.group_id, f.lesson_id, f.question_id, f.answer, f.correct;

-- Per participant and lesson: the quiz runs failed since the latest reset by a
-- coach (two mean stuck), the latest reset, and when it was last passed.
CREATE TABLE quiz_tallies (
    participant_id BIGINT NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    lesson_id TEXT NOT NULL,
    failed_since_reset INTEGER NOT NULL DEFAULT 0,
    reset_at TEXT NULL,
    last_passed_at TEXT NULL,
    PRIMARY KEY (participant_id, lesson_id)
);

INSERT INTO quiz_tallies (participant_id, lesson_id, reset_at)
SELECT participant_id, detail, MAX(at) FROM coach_actions WHERE kind = 'reset_quiz'
GROUP BY participant_id, detail;

INSERT INTO quiz_tallies (participant_id, lesson_id, failed_since_reset, last_passed_at)
SELECT q.participant_id, q.lesson_id,
    SUM(CASE WHEN q.passed = 0 AND (t.reset_at IS NULL OR q.finished_at > t.reset_at)
        THEN 1 ELSE 0 END),
    MAX(CASE WHEN q.passed = 1 THEN q.finished_at END)
FROM quiz_results q
LEFT JOIN quiz_tallies t ON t.participant_id = q.participant_id AND t.lesson_id = q.lesson_id
WHERE true
GROUP BY q.participant_id, q.lesson_id
ON CONFLICT (participant_id, lesson_id) DO UPDATE SET
    failed_since_reset = excluded.failed_since_reset,
    last_passed_at = excluded.last_passed_at;

-- --- keeping them up to date ---------------------------------------------------

CREATE FUNCTION answers_first() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO first_answers (participant_id, lesson_id, question_id, correct, answer)
    VALUES (NEW.participant_id, NEW.lesson_id, NEW.question_id, NEW.correct, NEW.answer)
    ON CONFLICT (participant_id, lesson_id, question_id) DO NOTHING;
    RETURN NULL;
END $$;
CREATE TRIGGER answers_first AFTER INSERT ON answers
FOR EACH ROW WHEN (NEW.attempt = 1) EXECUTE FUNCTION answers_first();

CREATE FUNCTION first_answers_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO answer_counts (group_id, lesson_id, question_id, answer, correct, people)
    SELECT p.group_id, NEW.lesson_id, NEW.question_id, NEW.answer, NEW.correct, 1
    FROM participants p WHERE p.id = NEW.participant_id AND p.group_id IS NOT NULL
    ON CONFLICT (group_id, lesson_id, question_id, answer, correct)
    DO UPDATE SET people = answer_counts.people + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER first_answers_counted AFTER INSERT ON first_answers
FOR EACH ROW EXECUTE FUNCTION first_answers_counted();

-- Leaving a group (or erasure, which deletes the row) takes their answers out of
-- its counts; joining one adds them. The participant's row is still there BEFORE
-- the delete, so their group is known.
CREATE FUNCTION participants_uncounted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE answer_counts SET people = people - 1
    WHERE group_id = OLD.group_id
      AND (lesson_id, question_id, answer, correct) IN (
          SELECT lesson_id, question_id, answer, correct FROM first_answers
          WHERE participant_id = OLD.id);
    RETURN OLD;
END $$;
CREATE TRIGGER participants_uncounted BEFORE DELETE ON participants
FOR EACH ROW WHEN (OLD.group_id IS NOT NULL) EXECUTE FUNCTION participants_uncounted();

CREATE FUNCTION participants_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.group_id IS NOT NULL THEN
        UPDATE answer_counts SET people = people - 1
        WHERE group_id = OLD.group_id
          AND (lesson_id, question_id, answer, correct) IN (
              SELECT lesson_id, question_id, answer, correct FROM first_answers
              WHERE participant_id = OLD.id);
    END IF;
    IF NEW.group_id IS NOT NULL THEN
        INSERT INTO answer_counts (group_id, lesson_id, question_id, answer, correct, people)
        SELECT NEW.group_id, lesson_id, question_id, answer, correct, 1
        FROM first_answers WHERE participant_id = NEW.id
        ON CONFLICT (group_id, lesson_id, question_id, answer, correct)
        DO UPDATE SET people = answer_counts.people + 1;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER participants_moved AFTER UPDATE OF group_id ON participants
FOR EACH ROW WHEN (OLD.group_id IS DISTINCT FROM NEW.group_id)
EXECUTE FUNCTION participants_moved();

CREATE FUNCTION quiz_results_tallied() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO quiz_tallies (participant_id, lesson_id, failed_since_reset, last_passed_at)
    VALUES (NEW.participant_id, NEW.lesson_id, 1 - NEW.passed,
        CASE WHEN NEW.passed = 1 THEN NEW.finished_at END)
    ON CONFLICT (participant_id, lesson_id) DO UPDATE SET
        failed_since_reset = quiz_tallies.failed_since_reset + CASE
            WHEN NEW.passed = 0
                AND (quiz_tallies.reset_at IS NULL OR NEW.finished_at > quiz_tallies.reset_at)
            THEN 1 ELSE 0 END,
        last_passed_at = CASE
            WHEN NEW.passed = 1 AND (quiz_tallies.last_passed_at IS NULL
                OR NEW.finished_at > quiz_tallies.last_passed_at)
            THEN NEW.finished_at ELSE quiz_tallies.last_passed_at END;
    RETURN NULL;
END $$;
CREATE TRIGGER quiz_results_tallied AFTER INSERT ON quiz_results
FOR EACH ROW EXECUTE FUNCTION quiz_results_tallied();

-- A coach's reset: only the runs failed after the latest reset count again.
CREATE FUNCTION quiz_reset_tallied() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO quiz_tallies (participant_id, lesson_id, reset_at)
    VALUES (NEW.participant_id, NEW.detail, NEW.at)
    ON CONFLICT (participant_id, lesson_id) DO UPDATE SET
        reset_at = GREATEST(COALESCE(quiz_tallies.reset_at, excluded.reset_at), excluded.reset_at);
    UPDATE quiz_tallies SET failed_since_reset = (
        SELECT COUNT(*) FROM quiz_results q
        WHERE q.participant_id = NEW.participant_id AND q.lesson_id = NEW.detail
          AND q.passed = 0 AND q.finished_at > quiz_tallies.reset_at)
    WHERE participant_id = NEW.participant_id AND lesson_id = NEW.detail;
    RETURN NULL;
END $$;
CREATE TRIGGER quiz_reset_tallied AFTER INSERT ON coach_actions
FOR EACH ROW WHEN (NEW.kind = 'reset_quiz') EXECUTE FUNCTION quiz_reset_tallied();
