"""The coach's flags, names, exports, chart and one-page summary as pure functions."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from bot.course.model import Course
from bot.course.progress import LessonResult, Progress, Stage
from bot.course.schedule import access_for
from bot.i18n.translator import Translator, translator
from bot.reports import chart, export, fonts, one_page, xlsx
from bot.reports.digest import build_digest, digest_text
from bot.reports.names import FSI, PDI, distinct_names, isolate
from bot.reports.progress import (
    MIN_ANSWERS_HARD,
    SURE_WRONG_DAYS,
    AnswerFact,
    Flag,
    GroupReport,
    Member,
    SureMistake,
    build_report,
    wrong_at_first,
)
from bot.reports.todo import Why, action_list
from bot.telegram.coach import callbacks as cb
from bot.telegram.coach import render as view
from tests.conftest import ROOT
from tests.test_reports import AMINA, ERIK, NOW, OMAR, SARA, facts, progress_through

ARABIC, GEEZ = "أمينة", "ዮናስ"


@pytest.fixture
def tr() -> Translator:
    return translator(ROOT / "locales", "sv")


# ---------------------------------------------------------------- the flag rules


def test_a_late_joiner_is_not_stuck_for_being_behind(course: Course) -> None:
    late_group = facts(course, start_date=NOW.date() - timedelta(days=21))  # week 4 open
    joined = {AMINA: NOW - timedelta(days=2), SARA: NOW - timedelta(days=20)}
    members = tuple(replace(m, joined_at=joined.get(m.id)) for m in late_group.members)
    report = build_report(course, replace(late_group, members=members), NOW)
    amina, sara = report.line(AMINA), report.line(SARA)
    assert amina and amina.weeks_behind == 2 and Flag.STUCK not in amina.flags
    assert sara and sara.weeks_behind == 2 and Flag.STUCK in sara.flags


def test_a_question_answered_by_fewer_than_three_is_not_hard(course: Course) -> None:
    first = course.lessons[0]
    assert first.quiz is not None
    q1 = first.quiz.questions[0].id
    one = facts(course, answers=(AnswerFact(SARA, first.id, q1, 1, False),))
    report = build_report(course, one, NOW)
    assert report.questions[0].asked == 1 and report.questions[0].share == 0
    assert report.hard_questions == () and build_digest(report).hard == ()
    three = facts(
        course,
        answers=tuple(AnswerFact(p, first.id, q1, 1, False) for p in (AMINA, ERIK, SARA)),
    )
    hard = build_report(course, three, NOW).hard_questions
    assert len(hard) == 1 and hard[0].asked == MIN_ANSWERS_HARD


def test_passed_after_failing_shows_both(course: Course, tr: Translator) -> None:
    first = course.lessons[0].id
    passed = Progress(
        stage=Stage.READY,
        lesson_id=course.lessons[1].id,
        results={first: LessonResult(80, True, 5, 4)},
    ).to_json()
    report = build_report(course, facts(course, members=(Member(ERIK, "Erik", NOW, passed),)), NOW)
    erik = report.line(ERIK)
    assert erik and not erik.flags and erik.recovered_lessons == (first,)
    text = "\n".join(m.text for m in view.overview(tr, course, report))
    line = next(x for x in text.splitlines() if x.startswith(isolate("Erik")))
    assert tr._("on track") in line
    assert (
        tr.ngettext(
            "passed {n} lesson after failing", "passed {n} lessons after failing", 1
        ).format(n=1)
        in line
    )


def test_a_reset_quiz_no_longer_makes_stuck(course: Course) -> None:
    first = course.lessons[0].id
    reset = facts(course, resets=((ERIK, first, NOW - timedelta(hours=1)),))
    erik = build_report(course, reset, NOW).line(ERIK)
    assert erik and Flag.STUCK not in erik.flags


def test_gone_quiet_counts_unanswered_reminders_and_a_pause_silences_it(course: Course) -> None:
    base = facts(course)
    members = tuple(replace(m, reminders_unanswered=3) if m.id == SARA else m for m in base.members)
    report = build_report(course, replace(base, members=members), NOW)
    todo = {t.line.participant_id: t for t in action_list(report)}
    quiet = next(r for r in todo[SARA].reasons if r.why is Why.QUIET)
    assert (quiet.count, quiet.reminders) == (9, 3)
    assert [r.why for r in todo[ERIK].reasons] == [Why.FAILED_TWICE]
    paused = tuple(
        replace(m, paused_until=NOW.date() + timedelta(days=7)) if m.id == SARA else m
        for m in members
    )
    sara = build_report(course, replace(base, members=paused), NOW).line(SARA)
    assert sara and Flag.QUIET not in sara.flags


def test_sure_but_wrong_on_a_safety_question_is_named_in_the_coachs_words(
    course: Course, tr: Translator
) -> None:
    mistakes = (
        SureMistake(SARA, "w4-get", "q-share", NOW - timedelta(days=2)),
        SureMistake(SARA, "w4-get", "q-share", NOW - timedelta(days=3)),  # the same, once
        SureMistake(OMAR, "w4-get", "q-share", NOW - timedelta(days=SURE_WRONG_DAYS + 1)),
    )
    report = build_report(course, replace(facts(course), sure_mistakes=mistakes), NOW)
    sara, omar = report.line(SARA), report.line(OMAR)
    assert sara and Flag.SURE_WRONG in sara.flags and sara.sure_mistakes == (("w4-get", "q-share"),)
    assert omar and Flag.SURE_WRONG not in omar.flags  # long ago: no longer this week's call
    todo = {t.line.participant_id: t for t in action_list(report)}
    assert todo[SARA].reasons[0].why is Why.SURE_WRONG
    overview = view.overview(tr, course, report)[0].text
    located = course.locate("w4-get")
    quiz = located[1].quiz if located else None
    asked = quiz.question("q-share") if quiz else None
    assert asked is not None
    question = tr.lesson(asked.text)
    said = tr._("was sure, but wrong, on a safety question: «{question}»").format(question=question)
    todo_part = overview[overview.index(tr._("To do this week:")) :]
    assert f"{isolate('Sara')}: {said}" in todo_part
    assert said in digest_text(tr, course, build_digest(report))


def test_the_action_list_opens_the_overview_and_the_digest(course: Course, tr: Translator) -> None:
    base = facts(course)
    members = tuple(replace(m, reminders_unanswered=3) if m.id == SARA else m for m in base.members)
    report = build_report(course, replace(base, members=members), NOW)
    overview = view.overview(tr, course, report)[0].text
    heading = overview.index(tr._("To do this week:"))
    assert heading < overview.index(isolate("Erik")) < overview.index(isolate("Sara"))
    failed = tr._("failed the quiz of «{lesson}» twice").format(
        lesson=tr.lesson(course.lessons[0].title)
    )
    quiet = tr.ngettext("gone quiet for {n} day", "gone quiet for {n} days", 9).format(n=9)
    reminders = tr.ngettext("{n} reminder unanswered", "{n} reminders unanswered", 3).format(n=3)
    assert f"{isolate('Erik')}: {failed}" in overview
    assert f"{isolate('Sara')}: {quiet} ({reminders})" in overview
    digest = digest_text(tr, course, build_digest(report))
    assert digest.index(tr._("To do this week:")) < digest.index(failed)
    assert isolate("Amina") not in digest[: digest.index(tr._("Moved on:"))]


def test_early_weeks_open_on_top_of_the_pacing() -> None:
    start = NOW.date()
    assert access_for(start, False, start).weeks_open == 1
    assert access_for(start, False, start, extra_weeks=1).weeks_open == 2
    assert access_for(start, True, start, extra_weeks=1).weeks_open is None


# ---------------------------------------------------------------- names


def test_equal_first_names_get_a_mark_and_every_name_is_isolated() -> None:
    by_initial = distinct_names([(1, "Amina", "K"), (2, "Amina", "S"), (3, "Erik", None)])
    assert by_initial == {1: "Amina K.", 2: "Amina S.", 3: "Erik"}
    by_number = distinct_names([(1, "Amina", None), (2, "amina", "S")])
    assert by_number == {1: "Amina 1", 2: "amina 2"}
    assert isolate(ARABIC) == f"{FSI}{ARABIC}{PDI}"
    assert isolate("\u202eevil\u2069") == f"{FSI}evil{PDI}"  # its own marks cannot escape


def test_two_aminas_are_told_apart_in_the_overview_and_the_digest(
    course: Course, tr: Translator
) -> None:
    members = (
        Member(1, "Amina", NOW, progress_through(course, 1), joined_at=NOW, last_initial="K"),
        Member(2, "Amina", NOW, progress_through(course, 1), joined_at=NOW, last_initial="S"),
    )
    report = build_report(course, facts(course, members=members, quiz_results=()), NOW)
    text = view.overview(tr, course, report)[0].text
    assert isolate("Amina K.") in text and isolate("Amina S.") in text
    labels = [b.text for row in view.overview(tr, course, report)[0].buttons for b in row]
    assert isolate("Amina K.") in labels and isolate("Amina S.") in labels


# ---------------------------------------------------------------- exports


@pytest.mark.parametrize(
    "name",
    ["=1+1", " =1+1", "\u200b=1+1", "＝1+1", "\t@SUM(A1)", "+cmd", "-1", "\ufeff-2", "﹦1"],
)
def test_every_formula_like_start_is_neutralised(name: str) -> None:
    made = export.safe(name)
    assert isinstance(made, str) and made.startswith("'")


def test_control_characters_are_stripped_and_plain_names_kept() -> None:
    assert export.safe("Ami\x00na\x1b\x07") == "Amina"
    assert export.safe("Amina") == "Amina" and export.safe(ARABIC) == ARABIC
    assert export.safe(5) == 5


def hostile_report(course: Course) -> GroupReport:
    members = (
        *facts(course).members,
        Member(9, "=HYPERLINK(1)\x00", NOW, None),
        Member(10, "$\\foo$", NOW, None),
        Member(11, ARABIC, NOW, None),
        Member(12, GEEZ, NOW, None),
    )
    return build_report(course, facts(course, members=members), NOW)


def test_the_xlsx_has_a_header_block_frozen_bold_filtered_tables_and_the_answers(
    course: Course, tr: Translator
) -> None:
    report = hostile_report(course)
    about = export.About(coach="Karin", weeks_open=2)
    book = load_workbook(io.BytesIO(export.to_xlsx(tr, course, report, about)))
    sheet = book[tr._("Overview")]
    block = {row[0]: row[1] for row in sheet.iter_rows(max_row=5, values_only=True)}
    assert block[tr._("Group")] == "Vetlanda VT 2027" and block[tr._("Coach")] == "Karin"
    assert block[tr._("Start date")].date() == NOW.date() - timedelta(days=7)
    assert block[tr._("Report date")].date() == NOW.date() and block[tr._("Weeks open")] == 2
    assert sheet.freeze_panes == "A8" and sheet.auto_filter.ref.startswith("A7:")
    assert all(cell.font.bold for cell in sheet[7]) and sheet["A7"].value == tr._("First name")
    assert sheet.column_dimensions["A"].width >= len(tr._("First name"))
    names = [row[0] for row in sheet.iter_rows(min_row=8, values_only=True)]
    assert "'=HYPERLINK(1)" in names and ARABIC in names and GEEZ in names
    amina = next(row for row in sheet.iter_rows(min_row=8, values_only=True) if row[0] == "Amina")
    assert isinstance(amina[3], int) and amina[6].date() == (NOW - timedelta(hours=3)).date()

    grid = book[tr._("Lessons per participant")]
    assert grid.cell(7, 2).value.endswith(tr.lesson(course.lessons[0].title))
    answers = book[tr._("Answers chosen")]
    assert answers.freeze_panes == "A8" and all(c.font.bold for c in answers[7])
    rows = list(answers.iter_rows(min_row=8, values_only=True))
    first = course.lessons[0].quiz
    assert first is not None
    options = [o for o in first.questions[0].options]
    assert len(rows) >= len(options)
    assert {r[2] for r in rows[: len(options)]} == {tr.lesson(o.text) for o in options}
    assert all(isinstance(r[4], int) for r in rows)


def test_every_table_is_also_a_csv(course: Course, tr: Translator) -> None:
    report = hostile_report(course)
    archive = zipfile.ZipFile(io.BytesIO(export.to_csv_zip(tr, course, report)))
    files = archive.namelist()
    assert len(files) == 6
    overview = archive.read(files[0]).decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in overview and "\x00" not in overview


# ---------------------------------------------------------------- the chart


def test_the_chart_draws_any_name_and_every_zero(course: Course, tr: Translator) -> None:
    report = hostile_report(course)
    png = chart.progress_chart(tr, course, report)
    assert png.startswith(b"\x89PNG")
    if not fonts.installed():
        pytest.skip("fonts-noto-core is not installed (make fonts)")
    assert {"Noto Sans", "Noto Sans Arabic", "Noto Sans Ethiopic"} <= set(chart.installed_fonts())


# ---------------------------------------------------------------- the one-page summary


def test_the_summary_has_one_page_per_participant_with_the_arabic_name(
    course: Course, tr: Translator
) -> None:
    report = hostile_report(course)
    facts_ = facts(course)
    people = [report.line(i) for i in (ERIK, 11, 12, OMAR)]
    pages = [
        (line, wrong_at_first(course, facts_.answers, line.participant_id), one_page.Extras())
        for line in people
        if line is not None
    ]
    extras = one_page.Extras(goal="Söka jobb som barnskötare", notes=["Ringde i tisdags"])
    pages[0] = (pages[0][0], pages[0][1], extras)
    pdf = one_page.summary_pdf(tr, course, report, pages)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == len(pages) == 4
    texts = [page.extract_text() for page in reader.pages]
    assert "Erik" in texts[0] and "barnskötare" in texts[0] and "Ringde" in texts[0]
    assert ARABIC in texts[1].replace(" ", "")
    assert tr._("The participant's own view") in texts[2]


def test_the_detail_never_calls_the_current_week_not_started(
    course: Course, tr: Translator
) -> None:
    report = build_report(course, facts(course), NOW)
    amina = report.line(AMINA)
    assert amina and amina.week == 2
    text = "\n".join(m.text for m in view.detail(tr, course, report, amina, {}))
    last = len(course.weeks)
    assert tr._("Not started: week {numbers}").format(numbers=f"3–{last}") in text
    assert (
        tr._("Week {number}: {title}").format(number=2, title=tr.lesson(course.weeks[1].title))
        in text
    )


# ---------------------------------------------------------------- a page at a time


def test_a_big_group_is_shown_a_page_at_a_time(course: Course, tr: Translator) -> None:
    many = tuple(
        Member(
            100 + n, f"Deltagare {n:02}", NOW - timedelta(days=n % 3), progress_through(course, 1)
        )
        for n in range(2 * view.PAGE_SIZE + 3)
    )
    report = build_report(course, facts(course, members=many, answers=(), quiz_results=()), NOW)
    assert view.pages(report) == 3

    def shown(page: int) -> tuple[str, list[str]]:
        messages = view.overview(tr, course, report, page)
        data = [b.data for m in messages for row in m.buttons for b in row]
        return "\n".join(m.text for m in messages), data

    first, first_buttons = shown(0)
    middle, middle_buttons = shown(1)
    last, last_buttons = shown(2)
    assert tr._("Page {page} of {pages}").format(page=1, pages=3) in first
    assert "Deltagare 00" in first and "Deltagare 25" not in first
    assert "Deltagare 25" in middle and "Deltagare 00" not in middle
    assert "Deltagare 52" in last and tr._("To do this week:") not in last
    assert cb.overview(7, 1) in first_buttons and cb.overview(7, 0) not in first_buttons
    assert {cb.overview(7, 0), cb.overview(7, 2)} <= set(middle_buttons)
    assert cb.overview(7, 1) in last_buttons and cb.overview(7, 3) not in last_buttons
    assert cb.participant(7, 100 + 2 * view.PAGE_SIZE) in last_buttons
    assert shown(99)[0] == last  # a page past the end shows the last one
    assert cb.decode(cb.overview(7, 2)) == cb.CoachPress("G", 7, value="2")
    assert cb.decode("1O|7|02") is None and cb.decode("1O|7|-1") is None
    assert cb.decode("1O|7") is None and cb.decode("1G|7|2") is None


def test_a_small_group_has_no_page_buttons(course: Course, tr: Translator) -> None:
    report = build_report(course, facts(course), NOW)
    text = "\n".join(m.text for m in view.overview(tr, course, report))
    data = [b.data for m in view.overview(tr, course, report) for row in m.buttons for b in row]
    assert view.pages(report) == 1 and not any(d.startswith("1G|") for d in data)
    assert tr._("Page {page} of {pages}").format(page=1, pages=1) not in text


def test_the_xlsx_writer_keeps_every_value_as_typed() -> None:
    """What bot/reports/xlsx.py writes reads back as the value given, whatever the text."""
    texts = ["a & b < c > d", "two\nlines", "  spaced  ", "🙂 " + ARABIC, GEEZ, "'=1+1"]
    rows: list[list[xlsx.Cell]] = [[t, n, None, 0.5, date(2027, 3, 1)] for n, t in enumerate(texts)]
    header = ["Namn", "n", "tom", "x", "dag"]
    sheets = [
        xlsx.TableSheet("Tabell", [["Grupp", "Ö"]], header, rows),
        xlsx.TableSheet("Ö'vers", [], ["a"], [["\x00\ufffeok"]]),
    ]
    book = load_workbook(io.BytesIO(xlsx.workbook(sheets)))
    assert book.sheetnames == ["Tabell", "Ö'vers"]
    table = book["Tabell"]
    assert table.freeze_panes == "A4" and table.auto_filter.ref == f"A3:E{3 + len(rows)}"
    assert table["A1"].font.bold and not table["B1"].font.bold and table["C3"].font.bold
    read = [list(r) for r in table.iter_rows(min_row=4, values_only=True)]
    assert [r[0] for r in read] == texts and [r[1] for r in read] == list(range(len(texts)))
    assert all(r[2] is None and r[3] == 0.5 and r[4].date() == date(2027, 3, 1) for r in read)
    assert book["Ö'vers"]["A3"].value == "ok"  # what XML cannot carry is dropped
