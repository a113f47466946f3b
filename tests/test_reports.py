"""The coaches' reports as pure functions: the aggregation layer and what is built on it."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from openpyxl import load_workbook

from bot.course.model import Course
from bot.course.progress import LessonResult, Progress, Stage
from bot.i18n.translator import Translator, translator
from bot.reports import chart, export
from bot.reports.digest import build_digest, digest_text, newly_quiet, quiet_alert
from bot.reports.progress import (
    AnswerFact,
    Flag,
    GroupFacts,
    Member,
    QuizFact,
    Status,
    build_report,
    question_difficulty,
    wrong_at_first,
)
from bot.telegram.coach import callbacks as cb
from bot.telegram.coach import render as view
from tests.conftest import ROOT

NOW = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)  # a Monday
ABOUT = export.About(coach="Karin", weeks_open=2)
HEADER_ROWS = 6
"""The header block (group, coach, start, report date, weeks open) and a blank row."""


def sheet_table(sheet: Any) -> list[tuple[Any, ...]]:
    """A sheet's table: the rows from its header row on, below the header block."""
    return list(sheet.iter_rows(min_row=HEADER_ROWS + 1, values_only=True))


AMINA, ERIK, SARA, OMAR = 1, 2, 3, 4


@pytest.fixture
def tr(course: Course) -> Translator:
    return translator(ROOT / "locales", "sv")


def progress_through(course: Course, weeks: int, percent: int = 90) -> str:
    """Passed every lesson of the first ``weeks`` weeks, ready for the next lesson."""
    lessons = [x for w in course.weeks[:weeks] for x in w.lessons]
    results = {x.id: LessonResult(percent, True, 1, 0) for x in lessons}
    following = course.lessons[len(lessons)].id if len(lessons) < len(course.lessons) else None
    stage = Stage.READY if following else Stage.DONE
    return Progress(stage=stage, lesson_id=following, results=results).to_json()


def failed_first_lesson(course: Course) -> str:
    first = course.lessons[0].id
    return Progress(
        stage=Stage.FAILED, lesson_id=first, results={first: LessonResult(40, False, 2, 2)}
    ).to_json()


def facts(course: Course, **changes: object) -> GroupFacts:
    first = course.lessons[0]
    assert first.quiz is not None
    q1, q2 = first.quiz.questions[0].id, first.quiz.questions[1].id
    base = GroupFacts(
        group_id=7,
        name="Vetlanda VT 2027",
        start_date=NOW.date() - timedelta(days=7),  # week 2 has just opened
        self_paced=False,
        members=(
            Member(AMINA, "Amina", NOW - timedelta(hours=3), progress_through(course, 1)),
            Member(ERIK, "Erik", NOW - timedelta(days=1), failed_first_lesson(course)),
            Member(SARA, "Sara", NOW - timedelta(days=9), progress_through(course, 1)),
            Member(OMAR, "Omar", NOW - timedelta(days=30), progress_through(course, 10)),
        ),
        answers=(
            AnswerFact(AMINA, first.id, q1, 1, True),
            AnswerFact(AMINA, first.id, q2, 1, True),
            AnswerFact(ERIK, first.id, q1, 1, False),
            AnswerFact(ERIK, first.id, q1, 2, True),  # a second try does not count
            AnswerFact(ERIK, first.id, q2, 1, True),
            AnswerFact(ERIK, first.id, q1, 1, True),  # the rerun: not his first try any more
            AnswerFact(SARA, first.id, q1, 1, False),
        ),
        quiz_results=(
            QuizFact(AMINA, first.id, True, NOW - timedelta(days=2)),
            QuizFact(AMINA, course.lessons[1].id, True, NOW - timedelta(days=1)),
            QuizFact(ERIK, first.id, False, NOW - timedelta(days=2)),
            QuizFact(ERIK, first.id, False, NOW - timedelta(days=1)),
            QuizFact(SARA, first.id, True, NOW - timedelta(days=12)),
        ),
        departures=(NOW - timedelta(days=2), NOW - timedelta(days=40)),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_the_overview_holds_each_participants_figures(course: Course) -> None:
    report = build_report(course, facts(course), NOW)
    amina, erik, sara, omar = (report.line(i) for i in (AMINA, ERIK, SARA, OMAR))
    assert amina and erik and sara and omar
    week_one = len(course.weeks[0].lessons)
    assert (amina.week, amina.lessons_done, amina.quiz_average) == (2, week_one, 90)
    assert amina.status is Status.ON_TRACK and amina.recent_lessons == 2
    assert (erik.week, erik.lessons_done, erik.quiz_average) == (1, 0, 40)
    assert erik.flags == {Flag.STUCK} and erik.stuck_lessons == (course.lessons[0].id,)
    assert sara.flags == {Flag.QUIET} and sara.days_inactive == 9 and sara.recent_lessons == 0
    assert omar.finished and omar.status is Status.FINISHED and not omar.flags
    assert report.pace_week == 2 and report.lessons_total == len(course.lessons)
    assert (report.departures, report.departures_recent) == (2, 1)


def test_someone_who_has_not_agreed_yet_is_only_counted(course: Course) -> None:
    waiting = Member(9, "Noor", NOW, None, consented=False)
    report = build_report(course, facts(course, members=(*facts(course).members, waiting)), NOW)
    assert report.waiting == 1 and report.line(9) is None


def test_two_weeks_behind_a_paced_group_is_stuck_but_not_when_self_paced(course: Course) -> None:
    late = facts(course, start_date=NOW.date() - timedelta(days=21))  # week 4 is open
    report = build_report(course, late, NOW)
    amina = report.line(AMINA)
    assert amina and amina.weeks_behind == 2 and Flag.STUCK in amina.flags
    free = build_report(course, facts(course, self_paced=True), NOW)
    assert free.pace_week is None
    line = free.line(AMINA)
    assert line is not None and line.weeks_behind == 0
    erik = free.line(ERIK)
    assert erik and Flag.STUCK in erik.flags  # the failed quiz still counts


def test_a_quiz_passed_after_two_failures_is_no_longer_stuck(course: Course) -> None:
    first = course.lessons[0].id
    passed = Progress(
        stage=Stage.READY,
        lesson_id=course.lessons[1].id,
        results={first: LessonResult(80, True, 3, 2)},
    ).to_json()
    members = (Member(ERIK, "Erik", NOW, passed),)
    report = build_report(course, facts(course, members=members), NOW)
    erik = report.line(ERIK)
    assert erik is not None and not erik.flags


def test_hard_questions_count_each_persons_first_try_worst_first(course: Course) -> None:
    first = course.lessons[0]
    assert first.quiz is not None
    stats = question_difficulty(course, facts(course).answers)
    q1, q2 = first.quiz.questions[0].id, first.quiz.questions[1].id
    assert [(s.question.id, s.asked, s.right_first) for s in stats] == [(q1, 3, 1), (q2, 2, 2)]
    assert stats[0].percent == 33


def test_the_hard_questions_say_the_scoring_rule_they_follow(
    course: Course, tr: Translator
) -> None:
    """A second try counts for passing (the quiz's score), not for the coach's first tries."""
    report = build_report(course, facts(course), NOW)
    text = "\n".join(m.text for m in view.hard_questions(tr, report))
    assert tr._(view.SCORING_RULE) in text
    assert "andra försöket räknas för att klara" in text
    assert report.questions[0].right_first == 1  # Erik's right second try is not in it


def test_the_questions_someone_got_wrong_are_named(course: Course) -> None:
    first = course.lessons[0]
    assert first.quiz is not None
    wrong = wrong_at_first(course, facts(course).answers, ERIK)
    assert wrong == {first.id: (first.quiz.questions[0],)}
    assert wrong_at_first(course, facts(course).answers, AMINA) == {}


def test_the_overview_text_and_the_detail(course: Course, tr: Translator) -> None:
    report = build_report(course, facts(course), NOW)
    text = "\n".join(m.text for m in view.overview(tr, course, report))
    assert "Amina" in text and "Erik" in text
    assert (
        tr.ngettext(
            "{n} participant left the course", "{n} participants left the course", 2
        ).format(n=2)
        in text
    )
    assert tr._("stuck") in text and tr._("gone quiet") in text
    buttons = [b.data for row in view.overview(tr, course, report)[-1].buttons for b in row]
    assert cb.participant(7, ERIK) in buttons and cb.export(7, "x") in buttons
    erik = report.line(ERIK)
    assert erik is not None
    wrong = wrong_at_first(course, facts(course).answers, ERIK)
    detail = "\n".join(m.text for m in view.detail(tr, course, report, erik, wrong))
    first = course.lessons[0]
    assert first.quiz is not None
    assert tr.lesson(first.quiz.questions[0].text) in detail
    assert "40 %" in detail


def test_the_xlsx_and_csv_carry_the_same_figures_and_no_formulas(
    course: Course, tr: Translator
) -> None:
    members = (*facts(course).members, Member(9, "=HYPERLINK(1)", NOW, None))
    report = build_report(course, facts(course, members=members), NOW)
    book = load_workbook(io.BytesIO(export.to_xlsx(tr, course, report, ABOUT)))
    assert book.sheetnames[:2] == [tr._("Overview"), tr._("Lessons per participant")]
    rows = sheet_table(book[tr._("Overview")])
    assert rows[0][0] == tr._("First name")
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["Amina"][1:6] == (
        tr._("on track"),
        2,
        len(course.weeks[0].lessons),
        len(course.lessons),
        90,
    )
    assert by_name["Erik"][1] == tr._("stuck")
    assert "'=HYPERLINK(1)" in by_name
    questions = sheet_table(book[tr._("Questions")])
    assert questions[1][2:] == (3, 1, 33)
    data = export.to_csv(tr, report)
    assert data.startswith("\ufeff".encode())
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert table[0] == export.overview_header(tr) and len(table) == len(members) + 1


def test_the_chart_is_a_png(course: Course, tr: Translator) -> None:
    png = chart.progress_chart(tr, course, build_report(course, facts(course), NOW))
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5000


def test_the_digest_names_who_moved_on_is_stuck_or_quiet(course: Course, tr: Translator) -> None:
    report = build_report(course, facts(course), NOW)
    digest = build_digest(report)
    assert [x.first_name for x in digest.moved_on] == ["Amina"]
    assert [x.first_name for x in digest.stuck] == ["Erik"]
    assert [x.first_name for x in digest.quiet] == ["Sara"]
    assert digest.left == 1
    assert digest.hard and digest.hard[0].right_first == 1
    text = digest_text(tr, course, digest)
    text = text[text.index(tr._("Moved on:")) :]
    assert text.index("Amina") < text.index("Erik") < text.index("Sara")
    assert tr.lesson(course.weeks[2].title) in text  # week 3 opens next
    assert tr.lesson(course.lessons[0].title) in text  # go through the lesson with Erik


def test_a_quiet_spell_alerts_once(course: Course, tr: Translator) -> None:
    report = build_report(course, facts(course), NOW)
    assert [x.first_name for x in newly_quiet(report, 7, NOW - timedelta(days=3))] == ["Sara"]
    assert newly_quiet(report, 7, NOW - timedelta(days=1)) == ()
    sara = report.line(SARA)
    assert sara is not None and "Sara" in quiet_alert(tr, report, sara)


def test_an_empty_group_reports_without_errors(course: Course, tr: Translator) -> None:
    empty = facts(course, members=(), answers=(), quiz_results=(), departures=())
    report = build_report(course, empty, NOW)
    assert report.lines == () and report.questions == ()
    assert view.overview(tr, course, report)
    assert load_workbook(io.BytesIO(export.to_xlsx(tr, course, report, ABOUT))).sheetnames
    assert chart.progress_chart(tr, course, report).startswith(b"\x89PNG")
    assert digest_text(tr, course, build_digest(report))


@pytest.mark.parametrize(
    "data",
    [
        "1G|7|8",
        "1G|-7",
        "1G|07",
        "1G|7x",
        "1P|7",
        "1P|7|",
        "1F|7|pdf",
        "1I|7|9",
        "1L|xx",
        "1Z|7",
        "2G|7",
        "1G7",
        "1G|" + "9" * 13,
        "1G|٧",  # an Arabic-Indic digit is a digit to Python, not to us
    ],
)
def test_forged_coach_data_decodes_to_nothing(data: str) -> None:
    assert cb.decode(data) is None


def test_coach_data_round_trips_and_stays_short() -> None:
    big = 10**11
    for data in (
        cb.overview(big),
        cb.participant(big, big),
        cb.hard_questions(3),
        cb.export(3, "c"),
        cb.chart(3),
        cb.invite(3),
        cb.invite(3, 3),
        cb.language("fa"),
    ):
        assert len(data.encode()) <= 64 and cb.decode(data) is not None
    assert cb.decode(cb.participant(5, 6)) == cb.CoachPress("P", 5, 6)


def test_a_report_is_as_of_the_day_in_stockholm(course: Course) -> None:
    late_evening = datetime(2027, 1, 31, 23, 30, tzinfo=UTC)  # already Monday in Stockholm
    report = build_report(course, facts(course, start_date=date(2027, 2, 1)), late_evening)
    assert report.pace_week == 1


def test_chart_labels_in_arabic_script_are_shaped_and_reordered() -> None:
    from bot.reports.chart import drawable

    shaped = drawable("أمينة")
    assert shaped != "أمينة"
    assert shaped[0] == "ﺔ"  # the final form of ة comes first in visual order
    assert drawable("Erik") == "Erik"
    assert drawable("Олена") == "Олена"
