"""Engine actions turned into localized messages and keyboards.

Rendering is a pure function of the actions and a Translator: it returns
``Outgoing`` values and sends nothing, so it is tested without Telegram and the
same texts appear in the bot and the preview. Lesson texts come through the
``lessons`` catalogs, everything else through the ``bot`` catalogs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from pathlib import Path

from bot.course import events as ev
from bot.course.limits import GOAL_CHARS
from bot.course.model import Question, QuestionKind, Step, StepKind, Text, UploadKind, Week
from bot.course.summary import WeekSummary
from bot.i18n.languages import SOURCE
from bot.i18n.translator import N_, Translator
from bot.media.speech import Card, VoiceStore
from bot.reports.names import isolate
from bot.storage.profile import Goal
from bot.telegram import callbacks
from bot.telegram.outgoing import CLOSE_PRESSED, AlbumPhoto, Button, Outgoing, coalesce

CHECK, BOX = "☑", "☐"
LETTERS = "ABCDEFGHIJ"
"""A picture answer's options, by the place they are shown at (at most 10, as in an album)."""
RIGHT_MARK, WRONG_MARK = "✔", "✘"

# A multiple-choice question whose own text already says to tick all right answers
# ("Tryck på alla rätta svar", "Välj alla som stämmer") gets no second instruction.
SAYS_TICK_ALL = re.compile(r"\balla\b", re.IGNORECASE)


UPLOAD_NAMES = {
    UploadKind.PHOTO: N_("a photo"),
    UploadKind.DOCUMENT: N_("a file"),
    UploadKind.VOICE: N_("a voice message"),
}

REFUSALS = {
    ev.Refusal.STALE: N_("That button is from earlier."),
    ev.Refusal.LOCKED: N_("That lesson is not open yet."),
    ev.Refusal.UNKNOWN: N_("That button is from earlier."),
    ev.Refusal.EMPTY_SELECTION: N_("Tick at least one answer first."),
    ev.Refusal.NOT_EXPECTED: N_(
        "Thank you! I do not need a file right now. I did not keep it. Tap /continue to go on."
    ),
    ev.Refusal.GOAL_LENGTH: N_("Please write your goal in a few words, at most {count} letters."),
}

WRITE_GOAL = N_("Write your new goal as a message, or send it as a voice message.")
VOICE_NOTE = N_(
    "Of a voice message I only note that it came and how long it is. "
    "I never listen to it or keep it."
)

UnlockDate = Callable[[Week], date | None]


class Renderer:
    """Renders for one reader; ``lessons_dir`` is where images and audio live.

    With ``voices`` every card gets its 🔊 buttons where there is audio to play.
    """

    def __init__(
        self,
        tr: Translator,
        lessons_dir: Path,
        unlock_date: UnlockDate | None = None,
        voices: VoiceStore | None = None,
    ):
        self.tr = tr
        self.lessons_dir = lessons_dir
        self.unlock_date = unlock_date or (lambda week: None)
        self.goal: Goal | None = None
        self.voices = voices

    # ------------------------------------------------------------ helpers

    def lesson_text(self, text: Text) -> str:
        """A lesson text marked for the direction of the language it is shown in."""
        return self.tr.lesson_shown(text)

    def finish(self, text: str) -> str:
        return self.tr.message(text)

    def forward(self, label: str) -> str:
        """A "go on" arrow points the way the reader reads: leftwards in Arabic and Persian."""
        return label.replace("▶", "◀") if self.tr.rtl else label

    def refusal(self, reason: ev.Refusal) -> str:
        return self.finish(self.tr._(REFUSALS[reason]).format(count=GOAL_CHARS))

    # ------------------------------------------------------------ actions

    def render(self, actions: Iterable[ev.Action], goal: Goal | None = None) -> list[Outgoing]:
        """The messages for the actions; an answer's verdict goes where the reader looks.

        The answered card is edited to show the answer and loses its buttons; a
        wrong answer with a try left is said on the question itself, redrawn
        with fresh buttons, so only the current card in the chat is live.
        ``goal`` is the participant's stored goal, which a goal review shows back.
        """
        self.goal = goal
        out: list[Outgoing] = []
        retry: ev.Feedback | None = None
        for action in actions:
            if isinstance(action, ev.Feedback):
                retry = action if action.try_again else None
                out += [] if retry else self.answered(action)
            elif isinstance(action, ev.AskQuestion) and retry is not None:
                out.append(self.question(action, preface=self.retry_prompt(retry)))
                retry = None
            elif (rendered := self.render_one(action)) is not None:
                out.append(rendered)
        return coalesce(out)

    def way_on(self) -> Outgoing:
        """After an old button: one button to where the participant stands now."""
        text = self.tr._("That button is from earlier. Here is the way on:")
        button = Button(self.forward(self.tr._("Go on ▶")), callbacks.continue_here())
        return Outgoing(self.finish(text), ((button,),))

    def render_one(self, action: ev.Action) -> Outgoing | None:
        match action:
            case ev.ShowStep():
                return self.step(action)
            case ev.AskQuestion():
                return self.question(action)
            case ev.Feedback():
                return self.feedback(action)
            case ev.QuizResult():
                return self.quiz_result(action)
            case ev.LessonDone():
                title = self.lesson_text(action.lesson.title)
                return Outgoing(
                    self.finish(self.tr._("🎉 Lesson done: {title}").format(title=title))
                )
            case ev.WeekDone():
                return Outgoing(self.finish(self.week_done(action.week)))
            case ev.CourseDone():
                return Outgoing(
                    self.finish(
                        self.tr._(
                            "🏆 You have finished the whole course Räkna med mig! "
                            "Your coach will give you your certificate. "
                            "You can count on yourself, and others can count on you."
                        )
                    )
                )
            case ev.OfferLesson():
                return self.offer(action)
            case ev.WeekLocked():
                return Outgoing(self.finish(self.week_locked(action.week)))
            case ev.Refused():
                return Outgoing(self.refusal(action.reason))
            case ev.WrongUpload():
                return Outgoing(self.finish(self.wrong_upload(action)))
            case ev.GoalSaved():
                return Outgoing(self.finish(self.goal_saved(action)))
            case ev.Moved():
                return Outgoing(
                    self.finish(self.tr._("The course has been updated. You go on from here."))
                )
        return None  # records are for storage, not for the reader

    def step(self, action: ev.ShowStep) -> Outgoing:
        header = self.tr._("{lesson} · {number}/{total}").format(
            lesson=self.lesson_text(action.lesson.title), number=action.number, total=action.total
        )
        step = action.step
        parts = [header, *self.goal_shown(action), self.lesson_text(step.text), self.terms(step)]
        parts += self.step_help(action)
        body = "\n\n".join(part for part in parts if part)
        return Outgoing(
            self.finish(body),
            self.step_buttons(action) + self.listen_row(action.lesson.id, step),
            photo=None if action.refresh else self.media(step.image),
            audio=None if action.refresh else self.media(step.audio),
            edit=action.refresh,
            redrawn=step.kind is not StepKind.READ,  # redrawn on a tick: nothing joins it
        )

    def step_help(self, action: ev.ShowStep) -> list[str]:
        """The bot's own words under a step that asks for something."""
        kind = action.step.kind
        if kind is StepKind.CARDS:
            return [
                self.tr._("Tick the cards that fit you, then tap Done. Several or none is fine.")
            ]
        if kind is StepKind.GOAL:  # the lesson's text says what to write
            return [self.tr._(VOICE_NOTE)]
        if action.writing:
            return [self.tr._(WRITE_GOAL), self.tr._(VOICE_NOTE)]
        return []

    def goal_shown(self, action: ev.ShowStep) -> list[str]:
        """On a goal review: the goal written before, or that there is none."""
        if action.step.kind is not StepKind.GOAL_REVIEW:
            return []
        goal = self.goal
        if goal is None:
            return [self.tr._("You have not written down a goal yet.")]
        if goal.text is not None:
            return [
                self.tr._("🎯 Your goal in week {number}: {goal}").format(
                    number=goal.week, goal=isolate(goal.text)
                )
            ]
        return [
            self.tr._(
                "🎯 In week {number} you sent your goal as a voice message ({seconds} s). "
                "You find it further up in this chat."
            ).format(number=goal.week, seconds=goal.voice_seconds or 0)
        ]

    def step_buttons(self, action: ev.ShowStep) -> tuple[tuple[Button, ...], ...]:
        lesson_id, step = action.lesson.id, action.step
        onward = callbacks.next_step(lesson_id, step.id)
        match step.kind:
            case StepKind.CARDS:
                rows = [
                    (
                        Button(
                            f"{CHECK if c.id in action.selection else BOX} "
                            f"{self.tr.lesson(c.text)}",
                            callbacks.tick_card(
                                lesson_id, step, c.id, c.id not in action.selection
                            ),
                        ),
                    )
                    for c in step.cards
                ]
                return (*rows, (Button(self.tr._("Done ✔"), onward),))
            case StepKind.GOAL:
                return ((Button(self.tr._("Skip for now"), onward),),)
            case StepKind.GOAL_REVIEW if action.writing:
                return ((Button(self.tr._("Not now"), onward),),)
            case StepKind.GOAL_REVIEW:
                change = callbacks.change_goal(lesson_id, step.id)
                if self.goal is None:
                    return (
                        (Button(self.tr._("Write a goal"), change),),
                        (Button(self.tr._("Not now"), onward),),
                    )
                return (
                    (Button(self.tr._("Yes, it still holds"), onward),),
                    (Button(self.tr._("I want to change it"), change),),
                )
        last = action.number == action.total
        has_quiz = action.lesson.quiz is not None and bool(action.lesson.quiz.questions)
        label = self.tr._("To the quiz ▶") if last and has_quiz else self.tr._("Next ▶")
        return ((Button(self.forward(label), onward),),)

    def goal_saved(self, action: ev.GoalSaved) -> str:
        if action.text is not None:
            return self.tr._("✅ Your goal is saved: {goal}").format(goal=isolate(action.text))
        return self.tr._(
            "✅ Your goal is saved as a voice message ({seconds} s). "
            "I only noted that it came and how long it is."
        ).format(seconds=action.voice_seconds or 0)

    def terms(self, step: Step) -> str:
        return "\n".join(
            f"🔑 {self.tr.term(term.term)} – {self.lesson_text(term.explanation)}"
            for term in step.terms
        )

    def listen_row(self, lesson_id: str, card: Card) -> tuple[tuple[Button, ...], ...]:
        """🔊 in the reader's language and 🔊 in Swedish, each only where there is audio.

        A Swedish reader gets one button; a Somali reader without a recording of this
        card only the Swedish one; a card without any audio none.
        """
        if self.voices is None:
            return ()
        own = self.tr.language
        row: list[Button] = []
        if self.voices.has_audio(self.voices.script(card, own)):
            row.append(
                Button(self.tr._("🔊 Listen"), callbacks.listen(lesson_id, card.id, own == SOURCE))
            )
        if own != SOURCE and self.voices.has_audio(self.voices.script(card, SOURCE)):
            row.append(
                Button(self.tr._("🔊 In Swedish"), callbacks.listen(lesson_id, card.id, True))
            )
        return (tuple(row),) if row else ()

    def media(self, relative: str | None) -> Path | None:
        return None if relative is None else self.lessons_dir / relative

    def question(self, action: ev.AskQuestion, preface: str | None = None) -> Outgoing:
        """The question card; ``preface`` is the verdict on a try that went wrong."""
        q = action.question
        lines = [self.question_card(action.number, action.total, q)]
        lines += self.question_help(action)
        if preface is not None:
            lines.insert(0, preface)
        return Outgoing(
            self.finish("\n\n".join(lines)),
            self.question_buttons(action) + self.listen_row(action.lesson.id, q),
            photo=None if action.refresh else self.media(q.image),
            edit=action.refresh,
            redrawn=True,  # redrawn on a tick and when answered: nothing is joined into it
            album=() if action.refresh else self.album(action),
        )

    def album(self, action: ev.AskQuestion) -> tuple[AlbumPhoto, ...]:
        """A picture answer's pictures in the order shown, each under the letter it is
        answered by; a redraw (a new try) keeps that order, so the album stays true."""
        q = action.question
        if not q.pictured:
            return ()
        return tuple(
            AlbumPhoto(self.lessons_dir / option.image, LETTERS[n])
            for n, option_id in enumerate(action.choices)
            if (option := q.option(option_id)) is not None and option.image is not None
        )

    def question_card(self, number: int, total: int, question: Question) -> str:
        header = self.tr._("❓ Question {number} of {total}").format(number=number, total=total)
        return f"{header}\n\n{self.lesson_text(question.text)}"

    def question_help(self, action: ev.AskQuestion) -> list[str]:
        """The bot's own instruction, only where the lesson's text does not give it."""
        q = action.question
        if q.kind is QuestionKind.MULTIPLE:
            if SAYS_TICK_ALL.search(q.text.sv):
                return []
            return [self.tr._("Tick every right answer, then tap Done.")]
        if q.kind is QuestionKind.ORDER:
            picked = [
                f"{n}. {self.lesson_text(option.text)}"
                for n, option_id in enumerate(action.selection, start=1)
                if (option := q.option(option_id)) is not None
            ]
            help_text = self.tr._("Tap the items in the right order, first one first.")
            return [help_text, "\n".join(picked)] if picked else [help_text]
        if q.kind is QuestionKind.TASK:
            return [self.tr._("I only note that it arrived. I do not keep the file.")]
        return []

    def question_buttons(self, action: ev.AskQuestion) -> tuple[tuple[Button, ...], ...]:
        q, lesson_id, attempt = action.question, action.lesson.id, action.attempt
        shown = action.choices
        if q.kind is QuestionKind.TRUE_FALSE:
            labels = {"true": self.tr._("True"), "false": self.tr._("False")}
            return (
                tuple(
                    Button(labels[i], callbacks.choose(lesson_id, q, attempt, shown, i))
                    for i in shown
                ),
            )
        if q.kind is QuestionKind.SINGLE and q.pictured:  # one short row: A B C
            return (
                tuple(
                    Button(LETTERS[n], callbacks.choose(lesson_id, q, attempt, shown, i))
                    for n, i in enumerate(shown)
                ),
            )
        if q.kind is QuestionKind.SINGLE:
            return tuple(
                (
                    Button(
                        self.option_label(q, i), callbacks.choose(lesson_id, q, attempt, shown, i)
                    ),
                )
                for i in shown
            )
        if q.kind is QuestionKind.MULTIPLE:
            rows = [
                (
                    Button(
                        f"{CHECK if i in action.selection else BOX} {self.option_label(q, i)}",
                        callbacks.toggle(
                            lesson_id, q, attempt, shown, i, i not in action.selection
                        ),
                    ),
                )
                for i in shown
            ]
            rows.append((Button(self.tr._("Done ✔"), callbacks.submit(lesson_id, q, attempt)),))
            return tuple(rows)
        if q.kind is QuestionKind.ORDER:
            slot = len(action.selection)
            rows = [
                (
                    Button(
                        self.option_label(q, i),
                        callbacks.pick(lesson_id, q, attempt, shown, i, slot),
                    ),
                )
                for i in shown
                if i not in action.selection
            ]
            if action.selection:
                rows.append(
                    (
                        Button(
                            self.tr._("↺ Start over"), callbacks.clear_picks(lesson_id, q, attempt)
                        ),
                    )
                )
            return tuple(rows)
        return ((Button(self.tr._("Skip for now"), callbacks.skip(lesson_id, q, attempt)),),)

    def option_label(self, question: Question, option_id: str) -> str:
        option = question.option(option_id)
        return "" if option is None else self.tr.lesson(option.text)

    def answered(self, action: ev.Feedback) -> list[Outgoing]:
        """The pressed card shows what was chosen, without buttons; then the verdict."""
        q = action.question
        if q.kind is QuestionKind.TASK:  # an upload is no press; a skip leaves the card as it is
            card = None if action.correct else CLOSE_PRESSED
        else:
            chosen = self.tr._("✔ Your answer: {answer}").format(answer=self.chosen(action))
            text = f"{self.question_card(action.number, action.total, q)}\n\n{chosen}"
            card = Outgoing(self.finish(text), edit=True)
        verdict = Outgoing(self.finish("\n\n".join(self.verdict(action))))
        return [verdict] if card is None else [card, verdict]

    def chosen(self, action: ev.Feedback) -> str:
        q = action.question
        if q.kind is QuestionKind.TRUE_FALSE:
            return self.tr._("True") if action.chosen == ("true",) else self.tr._("False")
        texts = [self.named(q, i, action.choices) for i in action.chosen]
        return " → ".join(texts) if q.kind is QuestionKind.ORDER else self.tr.listing(texts)

    def named(self, question: Question, option_id: str, shown: Sequence[str] = ()) -> str:
        """An option in words; a picture answer's also by the letter it was shown under."""
        option = question.option(option_id)
        text = "" if option is None else self.lesson_text(option.text)
        if question.pictured and option_id in shown:
            return f"{LETTERS[list(shown).index(option_id)]} ({text})"
        return text

    def feedback(self, action: ev.Feedback) -> Outgoing:
        """The verdict alone, as one message (the preview and tests use it)."""
        return Outgoing(self.finish("\n\n".join(self.verdict(action))))

    def verdict(self, action: ev.Feedback) -> list[str]:
        """The verdict, the chosen options' own feedback and, once no try is left, the answer.

        When an option explains itself, the verdict is only its mark (✅/❌), so the
        reader does not get "Not quite." twice; a mark is understood without reading.
        A multiple-choice answer is taken apart: what was right, what was wrong and,
        once no try is left, what was missed, each option's own words under its mark.
        """
        q = action.question
        if q.kind is QuestionKind.TASK:
            return [self.task_verdict(action)]  # the explanation is its praise
        if q.kind is QuestionKind.MULTIPLE:
            parts = [self.tr._("✅ Right!") if action.correct else self.tr._("❌ Not quite.")]
            parts += self.ticks(action)
        else:
            own = [self.lesson_text(t) for t in action.feedback]
            mark = "✅" if action.correct else "❌"
            parts = [f"{mark} {own[0]}", *own[1:]] if own else []
            parts = parts or [
                self.tr._("✅ Right!") if action.correct else self.tr._("❌ Not quite.")
            ]
            if not action.correct and not action.try_again:
                right = self.answer(q, action.choices)
                parts.append(self.tr._("The right answer: {answer}").format(answer=right))
        if action.explanation is not None:
            parts.append(self.lesson_text(action.explanation))
        return parts

    def task_verdict(self, action: ev.Feedback) -> str:
        """An upload is praised once: by the lesson's own words when it has them."""
        if not action.correct:
            return self.tr._("That is fine. You can practise it with your coach.")
        if action.explanation is not None:
            return f"✅ {self.lesson_text(action.explanation)}"
        return self.tr._("✅ It arrived. Well done: that is how you attach a file.")

    def ticks(self, action: ev.Feedback) -> list[str]:
        """Right ticks, wrong ticks and (with no try left) the missed ones, named; then each
        ticked option's own words under its mark. All right: the options' words say it."""
        q, chosen = action.question, set(action.chosen)
        right = [o for o in q.options if o.id in chosen and o.correct]
        wrong = [o for o in q.options if o.id in chosen and not o.correct]
        missed = [o for o in q.options if o.id not in chosen and o.correct]
        named: list[str] = []
        if not action.correct:
            for label, options, mark in (
                (N_("Right: {options}"), right, RIGHT_MARK),
                (N_("Not right: {options}"), wrong, WRONG_MARK),
            ):
                if options:
                    names = self.tr.listing([self.lesson_text(o.text) for o in options])
                    named.append(f"{mark} {self.tr._(label).format(options=names)}")
        if missed and action.try_again:
            count = len(missed)
            named.append(
                self.tr.ngettext(
                    "One right answer is missing.", "{count} right answers are missing.", count
                ).format(count=count)
            )
        elif missed:
            names = self.tr.listing([self.lesson_text(o.text) for o in missed])
            named.append(self.tr._("Missed: {options}").format(options=names))
        own = [
            f"{RIGHT_MARK if o.correct else WRONG_MARK} {self.lesson_text(o.feedback)}"
            for o in (*right, *wrong)
            if o.feedback is not None
        ]
        return [block for block in ("\n".join(named), "\n".join(own)) if block]

    def retry_prompt(self, action: ev.Feedback) -> str:
        """What went wrong, and the scoring rule in plain words: a new try still counts."""
        rule = self.tr._("Try once more. If you get it right now, it still counts for passing.")
        return "\n\n".join([*self.verdict(action), rule])

    def answer(self, question: Question, shown: Sequence[str] = ()) -> str:
        """The right answer in words: the options (a picture's with its letter), the order,
        or True/False."""
        if question.kind is QuestionKind.TRUE_FALSE:
            right = next(o.id for o in question.options if o.correct)
            return self.tr._("True") if right == "true" else self.tr._("False")
        texts = [self.named(question, o.id, shown) for o in question.options if o.correct]
        if question.kind is QuestionKind.ORDER:
            return " → ".join(texts)
        return self.tr.listing(texts)

    def quiz_result(self, action: ev.QuizResult) -> Outgoing:
        score = self.score(action)
        if action.passed:
            passed = self.tr._("Well done, you passed the quiz!")
            return Outgoing(self.finish(f"{score}\n{passed}"))
        advice = self.tr._(
            "You need {percent} % to pass. Read the lesson again or try the quiz once more."
        )
        buttons = (
            (Button(self.tr._("Try the quiz again"), callbacks.retry_quiz(action.lesson.id)),),
            (Button(self.tr._("Read the lesson again"), callbacks.repeat(action.lesson.id)),),
        )
        return Outgoing(
            self.finish(f"{score}\n{advice.format(percent=action.pass_percent)}"), buttons
        )

    def score(self, action: ev.QuizResult) -> str:
        """The score by the one rule: right at the first or the second try both count."""
        if action.after_retry:
            text = self.tr.ngettext(
                "You got {right} of {total} question right, {retried} after a new try "
                "({percent} %).",
                "You got {right} of {total} questions right, {retried} after a new try "
                "({percent} %).",
                action.total,
            )
        else:
            text = self.tr.ngettext(
                "You got {right} of {total} question right ({percent} %).",
                "You got {right} of {total} questions right ({percent} %).",
                action.total,
            )
        return text.format(
            right=action.right,
            total=action.total,
            retried=action.after_retry,
            percent=action.percent,
        )

    def week_done(self, week: Week) -> str:
        return self.tr._("⭐ You finished week {number}: {title}!").format(
            number=week.number, title=self.lesson_text(week.title)
        )

    def offer(self, action: ev.OfferLesson) -> Outgoing:
        text = self.tr._("Next lesson – week {number}: {title}").format(
            number=action.week.number, title=self.lesson_text(action.lesson.title)
        )
        button = Button(self.forward(self.tr._("Start ▶")), callbacks.begin(action.lesson.id))
        return Outgoing(self.finish(text), ((button,),))

    def week_locked(self, week: Week) -> str:
        opens = self.unlock_date(week)
        if opens is None:
            return self.tr._(
                "Week {number} is not open yet. Your coach will tell you when."
            ).format(number=week.number)
        return self.tr._("Week {number} opens on {date}. See you then!").format(
            number=week.number, date=self.tr.date(opens)
        )

    def wrong_upload(self, action: ev.WrongUpload) -> str:
        kinds = self.tr.either([self.tr._(UPLOAD_NAMES[k]) for k in action.question.accepts])
        text = self.tr._("You sent {got}. This task needs {kinds}.").format(
            got=self.tr._(UPLOAD_NAMES[action.got]), kinds=kinds
        )
        if action.question.hint is not None:
            text += "\n\n" + self.lesson_text(action.question.hint)
        return text

    # ------------------------------------------------------------ progress

    def progress(self, weeks: Sequence[WeekSummary], here: Week | None = None) -> Outgoing:
        """/progress: each week by its title, what is done, where the reader is, what opens
        when, and a button back to the current step."""
        lines = [self.tr._("Your progress"), ""]
        lines += [self.progress_line(summary, summary.week == here) for summary in weeks]
        button = Button(self.forward(self.tr._("Go on ▶")), callbacks.continue_here())
        return Outgoing(self.finish("\n".join(lines)), ((button,),))

    def progress_line(self, summary: WeekSummary, here: bool) -> str:
        week = summary.week
        named = {"number": week.number, "title": self.lesson_text(week.title)}
        if summary.total and summary.done == summary.total:
            return self.tr._("✅ Week {number}: {title}, done").format(**named)
        if here:
            return self.tr._(
                "👉 Week {number}: {title}, you are here ({done} of {total} lessons done)"
            ).format(**named, done=summary.done, total=summary.total)
        opens = self.unlock_date(week)
        if opens is not None:
            return self.tr._("🔒 Week {number}: {title}, opens on {date}").format(
                **named, date=self.tr.date(opens)
            )
        return self.tr._("▫️ Week {number}: {title}").format(**named)
