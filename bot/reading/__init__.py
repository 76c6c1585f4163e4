"""Reading what a person typed: a message in, a `Reading` (plain data) out."""

from bot.reading.reader import Reader, Reading

__all__ = ["Reader", "Reading"]
