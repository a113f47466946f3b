-- PostgreSQL's triggers for 010_report_tallies.sql: its tables and their first
-- figures come from that file (translated), these keep the figures up to date with
-- the same rules, written as PL/pgSQL functions.

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
