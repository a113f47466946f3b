"""Coaches end to end: the real Application polling the emulator, the admin's real CLI.

An administrator creates a group and a coach link; the coach joins with it and
makes a participant link; participants join with that and take the course; the
coach reads the overview, a participant's detail, the hard questions, the
exports, the chart and the Monday digest. Every refusal is tried: another
group's coach, a participant, forged buttons, wrong codes.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, timedelta
from typing import Any

from openpyxl import load_workbook

from bench.simulation import SimulatedParticipant
from bot.clock import utc_now
from bot.course.model import Course
from bot.i18n.translator import Translator, translator
from bot.reports.names import isolate
from bot.telegram import callbacks
from bot.telegram.coach import callbacks as cb
from bot.telegram.coach import jobs as coach_jobs
from bot.telegram.coach.handlers import CSV_FILES, FOR_COACHES, NOT_YOURS
from bot.telegram.context import BotContext
from bot.telegram.participant.joining import TOO_MANY_TRIES, WRONG_CODE
from tests import databases
from tests.conftest import ROOT, RunningBot
from tests.emulator_client import EmulatorClient
from tests.test_bot_e2e import button, rows, stored_progress, take_week

KARIN, LENA = 7_340_051_901, 7_340_051_902  # coaches
ERIK, AMINA, STRANGER, NOOR = 7_340_051_923, 7_340_051_924, 7_340_051_925, 7_340_051_926
LINK = re.compile(r"https://t\.me/\w+\?start=([A-Za-z0-9_-]+)")


async def new_group(cli: Any, name: str, start: date) -> str:
    """Create a group; return the code of a coach link for it."""
    await cli("create_group_command", name=name, start=start.isoformat(), self_paced=False)
    printed = await cli("invite_coach_command", group=name, qr=None)
    found = LINK.search(printed)
    assert found, printed
    return found.group(1)


def group_id(bot: RunningBot, name: str) -> int:
    found: int = rows(bot, "SELECT id FROM groups WHERE name = ?", name)[0][0]
    return found


def participant_id(bot: RunningBot, telegram_id: int) -> int:
    found: int = rows(bot, "SELECT id FROM participants WHERE telegram_id = ?", telegram_id)[0][0]
    return found


async def say(users: EmulatorClient, user_id: int, text: str, name: str) -> list[dict[str, Any]]:
    """Type a message; return the bot's messages that came in answer."""
    before = len(await users.bot_messages(user_id))
    await users.send(user_id, text, first_name=name, language_code="sv")
    await users.idle()
    return (await users.bot_messages(user_id))[before:]


async def press(users: EmulatorClient, user_id: int, data: str) -> list[dict[str, Any]]:
    """Press a button with ``data`` under the newest message; return what came after."""
    messages = await users.bot_messages(user_id)
    await users.press(user_id, messages[-1]["message_id"], data)
    await users.idle()
    return (await users.bot_messages(user_id))[len(messages) :]


async def last_answer(users: EmulatorClient, user_id: int) -> str:
    text: str = (await users.chat(user_id))["answers"][-1]["text"]
    return text


async def coach_joins(users: EmulatorClient, coach: int, code: str, name: str) -> str:
    return "\n".join(m["text"] for m in await say(users, coach, f"/start {code}", name))


async def participant_link(users: EmulatorClient, coach: int, group: int) -> str:
    """The coach's /invite, the first preset: the code of the link, and a QR code photo."""
    await say(users, coach, "/invite", "Coach")
    came = await press(users, coach, cb.invite(group, 0))
    found = LINK.search(came[0]["text"])
    assert found and came[-1]["photo"], came
    assert (await users.media(came[-1]["photo"]["url"])).startswith(b"\x89PNG")
    return found.group(1)


async def joins(users: EmulatorClient, user_id: int, code: str, name: str) -> None:
    """/start <code>, then the usual language and consent."""
    await say(users, user_id, f"/start {code}", name)
    await users.press(user_id, *await button(users, user_id, callbacks.language("sv")))
    await users.idle()
    await users.press(user_id, *await button(users, user_id, callbacks.consent(True)))
    await users.idle()
    await users.press(user_id, *await button(users, user_id, callbacks.window("afternoon")))
    await users.idle()


async def fail_a_quiz_twice(bot: RunningBot, users: EmulatorClient, course: Course) -> None:
    player = SimulatedParticipant(users, course, AMINA, right=False)
    for _ in range(200):
        failed = rows(
            bot,
            "SELECT COUNT(*) FROM quiz_results q JOIN participants p ON p.id = q.participant_id"
            " WHERE p.telegram_id = ? AND q.passed = 0",
            AMINA,
        )[0][0]
        if failed >= 2:
            return
        assert await player.step() is not None
        await users.idle()
    raise AssertionError("Amina never failed twice")


def job_context(bot: RunningBot) -> BotContext:
    """What PTB hands a job: the application's bot and bot_data."""
    assert bot.application is not None
    return BotContext(bot.application)


def text_of(messages: list[dict[str, Any]]) -> str:
    return "\n".join(m["text"] or m["caption"] or "" for m in messages)


def line_of(text: str, name: str) -> str:
    """The overview's line of the participant: it opens with their isolated name."""
    return next(line for line in text.splitlines() if line.startswith(isolate(name)))


async def test_a_coach_follows_a_group_from_invite_to_digest(
    bot: RunningBot, users: EmulatorClient, course: Course, cli: Any, tr: Translator
) -> None:
    today = bot.today()
    code = await new_group(cli, "Vetlanda VT 2027", today)
    welcome = await coach_joins(users, KARIN, code, "Karin")
    assert (
        tr._("Welcome, {name}! You are now a coach of {group}.").format(
            name="Karin", group="Vetlanda VT 2027"
        )
        in welcome
    )
    group = group_id(bot, "Vetlanda VT 2027")
    menu = {c["command"] for c in await users.commands(KARIN)}
    assert {"group", "invite"} <= menu

    link = await participant_link(users, KARIN, group)
    await joins(users, ERIK, link, "Erik")
    await joins(users, AMINA, link, "Amina")
    assert rows(bot, "SELECT first_name, group_id FROM participants ORDER BY first_name") == [
        ("Amina", group),
        ("Erik", group),
    ]
    await take_week(users, course, ERIK, 1, bot)
    await fail_a_quiz_twice(bot, users, course)

    overview = text_of(await say(users, KARIN, "/group", "Karin"))
    week_one = len(course.weeks[0].lessons)
    erik_line, amina_line = line_of(overview, "Erik"), line_of(overview, "Amina")
    lessons = tr._("{done}/{total} lessons")
    assert lessons.format(done=week_one, total=len(course.lessons)) in erik_line
    assert tr._("on track") in erik_line and tr._("week {number}").format(number=2) in erik_line
    assert lessons.format(done=0, total=len(course.lessons)) in amina_line
    assert tr._("stuck") in amina_line

    first = course.lessons[0]
    assert first.quiz is not None
    detail = text_of(await press(users, KARIN, cb.participant(group, participant_id(bot, AMINA))))
    wrong = rows(
        bot,
        "SELECT DISTINCT question_id FROM answers a JOIN participants p ON p.id = a.participant_id"
        " WHERE p.telegram_id = ? AND a.attempt = 1 AND a.correct = 0",
        AMINA,
    )
    assert wrong
    for (question_id,) in wrong:
        question = first.quiz.question(question_id)
        assert question is not None and tr.lesson(question.text) in detail
    assert tr.ngettext("{n} failed try", "{n} failed tries", 2).format(n=2) in detail

    hard = text_of(await press(users, KARIN, cb.hard_questions(group)))
    # Two answers (Erik right, Amina wrong) are too few to call a question hard.
    assert tr._("No hard question yet: a question counts once three people answered it.") in hard

    sheet = (await press(users, KARIN, cb.export(group, "x")))[-1]["document"]
    book = load_workbook(io.BytesIO(await users.media(sheet["url"])))
    table = {r[0]: r for r in book[tr._("Overview")].iter_rows(min_row=7, values_only=True)}
    assert table["Erik"][1:5] == (tr._("on track"), 2, week_one, len(course.lessons))
    assert table["Amina"][1:4] == (tr._("stuck"), 1, 0)
    assert sheet["file_name"].endswith(".xlsx")
    # The CSV button gives every table, one CSV each, the overview first; so does an old
    # button for the overview's CSV alone.
    shown = (await say(users, KARIN, "/group", "Karin"))[-1]
    csv_button = next(b for row in shown["buttons"] for b in row if b["text"].startswith("CSV"))
    assert csv_button["data"] == cb.export(group, "z")
    for fmt in ("z", "c"):
        sent = await press(users, KARIN, cb.export(group, fmt))
        assert tr._(CSV_FILES) in sent[-1]["caption"]
        archive = zipfile.ZipFile(io.BytesIO(await users.media(sent[-1]["document"]["url"])))
        names = archive.namelist()
        assert len(names) == 6 and names[0].startswith("1-")
        assert "Erik" in archive.read(names[0]).decode("utf-8-sig")

    photo = (await press(users, KARIN, cb.chart(group)))[-1]["photo"]
    assert (await users.media(photo["url"])).startswith(b"\x89PNG")

    context = job_context(bot)
    assert await coach_jobs.send_digests(context, utc_now() + timedelta(days=1)) == 1
    await users.idle()
    digest = (await users.bot_messages(KARIN))[-1]["text"]
    moved, stuck = digest.index(tr._("Moved on:")), digest.index(tr._("Stuck:"))
    assert moved < digest.index("Erik") < stuck < digest.index("Amina", stuck)
    assert tr.lesson(first.title) in digest and tr.lesson(course.weeks[1].title) in digest

    later = utc_now() + timedelta(days=8)  # both crossed the 7-day line a day ago
    sent = await coach_jobs.send_quiet_alerts(context, later, later - timedelta(days=2))
    assert sent == 2
    await users.idle()
    alerts = text_of((await users.bot_messages(KARIN))[-2:])
    assert "Erik" in alerts and "Amina" in alerts
    assert await coach_jobs.send_quiet_alerts(context, later, later) == 0


async def test_a_coach_sees_nothing_of_another_group(
    bot: RunningBot, users: EmulatorClient, cli: Any, tr: Translator
) -> None:
    today = bot.today()
    await coach_joins(users, KARIN, await new_group(cli, "Vetlanda", today), "Karin")
    await coach_joins(users, LENA, await new_group(cli, "Eksjö", today), "Lena")
    vetlanda, eksjo = group_id(bot, "Vetlanda"), group_id(bot, "Eksjö")
    code = await participant_link(users, KARIN, vetlanda)
    await joins(users, AMINA, code, "Amina")
    amina = participant_id(bot, AMINA)
    await say(users, NOOR, f"/start {code}", "Noor")  # opens the link, has not agreed yet
    karins = text_of(await say(users, KARIN, "/group", "Karin"))
    assert "Amina" in karins and "Noor" not in karins
    waiting = tr.ngettext(
        "{n} person opened the link but has not agreed yet",
        "{n} people opened the link but have not agreed yet",
        1,
    )
    assert waiting.format(n=1) in karins

    own = text_of(await say(users, LENA, "/group", "Lena"))
    assert "Eksjö" in own and "Amina" not in own and tr._("Nobody has joined yet.") in own
    for forged in (
        cb.participant(eksjo, amina),  # her id under Lena's own group
        cb.participant(vetlanda, amina),
        cb.overview(vetlanda),
        cb.hard_questions(vetlanda),
        cb.export(vetlanda, "x"),
        cb.export(vetlanda, "c"),
        cb.chart(vetlanda),
        cb.invite(vetlanda, 0),
        cb.invite(vetlanda),
    ):
        assert await press(users, LENA, forged) == [], forged
        assert await last_answer(users, LENA) == tr._(NOT_YOURS)
    assert rows(bot, "SELECT COUNT(*) FROM invites WHERE kind = 'participant'") == [(1,)]

    for command in ("/group", "/invite"):
        refusal = await say(users, AMINA, command, "Amina")
        assert text_of(refusal) == tr._(FOR_COACHES)
        assert "Amina" not in text_of(refusal)
        assert text_of(await say(users, STRANGER, command, "Sam")) == tr._(FOR_COACHES)
    assert await press(users, AMINA, cb.overview(vetlanda)) == []
    assert await last_answer(users, AMINA) == tr._(FOR_COACHES)
    assert await press(users, AMINA, cb.participant(vetlanda, amina)) == []
    assert rows(bot, "SELECT COUNT(*) FROM participants WHERE telegram_id = ?", STRANGER) == [(0,)]


async def test_after_delete_nothing_holds_the_id_and_the_coach_sees_one_left(
    bot: RunningBot, users: EmulatorClient, course: Course, cli: Any, tr: Translator
) -> None:
    await coach_joins(users, KARIN, await new_group(cli, "Vetlanda", bot.today()), "Karin")
    group = group_id(bot, "Vetlanda")
    code = await participant_link(users, KARIN, group)
    await say(users, ERIK, "/start not-a-real-code-at-all", "Erik")  # a wrong try is stored
    await joins(users, ERIK, code, "Erik")
    player = SimulatedParticipant(users, course, ERIK)
    while not rows(bot, "SELECT COUNT(*) FROM answers")[0][0]:
        await player.step()
        await users.idle()
    assert rows(bot, "SELECT COUNT(*) FROM start_attempts WHERE telegram_id = ?", ERIK) == [(1,)]

    await say(users, ERIK, "/delete", "Erik")
    await users.press(ERIK, *await button(users, ERIK, "1A|erase|"))
    await users.idle()

    where = bot.settings.database
    for table in databases.tables(where):
        for column in databases.columns(where, table):
            ((hits,),) = databases.query(
                where,
                f"SELECT COUNT(*) FROM {table} WHERE CAST({column} AS TEXT) LIKE ?",
                f"%{ERIK}%",
            )
            assert hits == 0, f"{table}.{column} still holds the Telegram id"
    assert "Erik" not in databases.dump(where)
    overview = text_of(await say(users, KARIN, "/group", "Karin"))
    left = tr.ngettext("{n} participant left the course", "{n} participants left the course", 1)
    assert left.format(n=1) in overview


async def test_wrong_codes_are_rate_limited_and_a_coach_is_no_participant(
    bot: RunningBot, users: EmulatorClient, cli: Any, tr: Translator
) -> None:
    await coach_joins(users, KARIN, await new_group(cli, "Vetlanda", bot.today()), "Karin")
    group = group_id(bot, "Vetlanda")
    code = await participant_link(users, KARIN, group)
    for attempt in range(5):
        wrong = f"{code[:-3]}x{attempt:02d}"
        assert text_of(await say(users, STRANGER, f"/start {wrong}", "Sam")) == tr._(WRONG_CODE)
    assert text_of(await say(users, STRANGER, f"/start {code}", "Sam")) == tr._(TOO_MANY_TRIES)
    assert rows(bot, "SELECT COUNT(*) FROM participants") == [(0,)]
    assert rows(bot, "SELECT uses_left FROM invites WHERE kind = 'participant'") == [(10,)]

    await say(users, KARIN, f"/start {code}", "Karin")  # testing her own link
    helped = text_of(await say(users, KARIN, "/start", "Karin"))
    assert "/group" in helped and "/invite" in helped
    assert "/invite" in text_of(await say(users, KARIN, "hej", "Karin"))
    assert rows(bot, "SELECT COUNT(*) FROM participants") == [(0,)]
    assert rows(bot, "SELECT uses_left FROM invites WHERE kind = 'participant'") == [(10,)]

    await say(users, KARIN, "/language", "Karin")
    answer = text_of(await press(users, KARIN, cb.language("en")))
    assert rows(bot, "SELECT language FROM coaches") == [("en",)]
    english = translator(ROOT / "locales", "en")
    assert english._("Good! I will write in {language} now.").format(language="English") in answer


async def test_a_paced_group_waits_for_next_week_and_says_when_it_opens(
    bot: RunningBot, users: EmulatorClient, course: Course, cli: Any, tr: Translator
) -> None:
    """Week 2 of a group that started today opens in 7 days: the participant is told the date."""
    from bot.course.schedule import unlock_date
    from tests.test_bot_e2e import take_week

    start = bot.today()
    await coach_joins(users, KARIN, await new_group(cli, "Vetlanda", start), "Karin")
    code = await participant_link(users, KARIN, group_id(bot, "Vetlanda"))
    await joins(users, AMINA, code, "Amina")
    await take_week(users, course, AMINA, 1, bot)
    opens = tr.date(unlock_date(start, 2))
    expected = tr._("Week {number} opens on {date}. See you then!").format(number=2, date=opens)
    newest = (await users.bot_messages(AMINA))[-1]
    assert newest["text"].endswith(expected)
    assert not newest.get("buttons")  # nothing to press until then
    assert text_of(await say(users, AMINA, "/continue", "Amina")) == expected
    before = stored_progress(bot, AMINA)
    begin = callbacks.begin(course.weeks[1].lessons[0].id)  # a forged press does not open it
    assert text_of(await press(users, AMINA, begin)) == expected
    assert stored_progress(bot, AMINA) == before
