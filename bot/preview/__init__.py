"""The trainers' local preview: the emulator's chat page, live lesson reloads."""
