"""Text clean-up before tokenizing: the same for every language.

Chat text arrives with emoji skin tones, zero-width joiners, curly apostrophes, letters
repeated for emphasis ("sooo swollen") and words joined by hyphens ("short-of-breath"). This
turns it into plain lower-case text the tokenizer and the patterns agree on. A line break ends
a sentence, unless the line already ends with punctuation ("any swelling?" on one line and
"no" on the next still reads as "any swelling? no").
"""

from __future__ import annotations

import re
import unicodedata

MAX_READ_CHARS = 2000
"""A message is read up to this many characters; the rest is ignored and the person is told
so. It bounds the cost of a turn (reading is linear in length), and no real answer is longer."""

_INVISIBLE = re.compile("[\U0001f3fb-\U0001f3ff\ufe0e\ufe0f\u200b-\u200d\u2060\ufffd\u00ad\u20e3]")  # 4️⃣ -> 4
_REPEATS = re.compile(r"([^\W\d_])\1{2,}")
_HYPHEN = re.compile(r"(?<=[^\W\d_])[-\u2010\u2011\u2012\u2013](?=[^\W\d_])")
_JOINERS = re.compile(r"\s*([&+])\s*")
_LINE_END = re.compile(r"(?<![.!?;:,…])[ \t]*\n+")
_COMMAND_MARK = re.compile(r"^\s*([/!])(?=[^\W\d_])")  # "/help", "!restart": a command's mark
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'", "\u201c": '"', "\u201d": '"'})


def normalise(text: str) -> str:
    """NFKC, no control characters or emoji modifiers, straight apostrophes, lower case,
    letters repeated three or more times squeezed to two ("yesss" -> "yess"), hyphens between
    letters read as spaces, & and + standing alone, line breaks ending sentences, a leading
    / or ! set apart from the command it marks."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    text = _INVISIBLE.sub("", text).translate(_QUOTES).lower()
    text = _REPEATS.sub(r"\1\1", text)
    text = _HYPHEN.sub(" ", text)
    text = _JOINERS.sub(r" \1 ", text)
    text = _LINE_END.sub(". ", text)
    text = _COMMAND_MARK.sub(r"\1 ", text)
    return text.replace("\n", " ").replace("\t", " ")
