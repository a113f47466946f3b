"""Simulated participants who take the course through the emulator, as a person would.

A participant looks at the last message with buttons in their chat and presses
what a good student presses: Next, the right answer, the right order, and for a
practical task they send a file. Used by the end-to-end tests and the benchmark;
it only ever acts through the emulator's control API.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.course import events as ev
from bot.course.model import Course
from bot.emulator.client import EmulatorClient
from bot.telegram import callbacks

PDF = b"%PDF-1.4\n% CV_Amina_Hassan.pdf\n%%EOF\n"


@dataclass
class Press:
    message_id: int
    data: str


@dataclass
class SimulatedParticipant:
    users: EmulatorClient
    course: Course
    user_id: int
    right: bool = True  # False: choose wrong answers where there is a choice

    async def last_with_buttons(self) -> dict[str, Any] | None:
        for message in reversed(await self.users.bot_messages(self.user_id)):
            if message.get("buttons"):
                found: dict[str, Any] = message
                return found
        return None

    async def step(self) -> str | None:
        """Make one move; returns what was done ("press", "upload") or None when stuck."""
        message = await self.last_with_buttons()
        if message is None:
            return None
        choice = self.choose(message)
        if choice == "upload":
            await self.users.upload(self.user_id, "document", "CV.pdf", "application/pdf", PDF)
            return "upload"
        if not isinstance(choice, Press):
            return None
        await self.users.press(self.user_id, choice.message_id, choice.data)
        return "press"

    def choose(self, message: dict[str, Any]) -> Press | str | None:
        buttons = [b for row in message["buttons"] for b in row if "data" in b]
        seed = str(self.user_id)  # the bot shuffles a participant's options by their id
        decoded = [(b["data"], callbacks.decode(b["data"], self.course, seed)) for b in buttons]
        for data, event in decoded:
            if isinstance(event, ev.Next | ev.Begin | ev.RetryQuiz):
                return Press(message["message_id"], data)
            if isinstance(event, callbacks.ChooseWindow) and event.window == "none":
                return Press(message["message_id"], data)  # the reminder time at onboarding
        for data, event in decoded:
            if isinstance(event, ev.Skip):
                return "upload" if self.right else Press(message["message_id"], data)
            if self.wants(event):
                return Press(message["message_id"], data)
        for data, event in decoded:
            if isinstance(event, ev.Submit):
                return Press(message["message_id"], data)
        return None

    def wants(self, event: callbacks.Decoded | None) -> bool:
        """Whether a good (or, with right=False, a poor) student presses this."""
        match event:
            case ev.Choose():
                return (
                    self.correct(event.lesson_id, event.question_id, event.option_id) == self.right
                )
            case ev.Toggle():
                right = self.correct(event.lesson_id, event.question_id, event.option_id)
                return event.on == (right == self.right)
            case ev.Pick():
                if not self.right:  # items are never shown in the right order
                    return True
                question = self.question(event.lesson_id, event.question_id)
                return question is not None and question.options[event.slot].id == event.option_id
        return False

    def question(self, lesson_id: str, question_id: str) -> Any:
        located = self.course.locate(lesson_id)
        quiz = located[1].quiz if located else None
        return quiz.question(question_id) if quiz else None

    def correct(self, lesson_id: str, question_id: str, option_id: str) -> bool:
        question = self.question(lesson_id, question_id)
        option = question.option(option_id) if question else None
        return bool(option and option.correct)
