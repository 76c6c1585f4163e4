"""What the words around a finding mean: the one place the reader's context categories get
their sense.

medspaCy's ConText tells, for every finding, which cue categories reach it (their words live
in the language file). This module turns that set into a decision, separately for the two
kinds of finding, because the same words weigh differently:

- a **warning sign** is escalated only when stated plainly about the person (or the person
  they ask for: "my son can't stand on it", "my dad is breathless"), now. Doubt of any kind
  (uncertain, mild, now-and-then, a question, "what if", the past, an ordinary explanation
  such as ice or a sprint) asks one confirming question instead; a denial, a sign that has
  clearly gone, or someone else's history drops it. "A bit numb" is doubt here.
- a **fact** about the pain (a lump, stiffness, hills) counts as said unless it is a question,
  a "what if", or about someone else; "a bit stiff" or "it was swollen last week" still count
  as yes, "maybe a lump" counts as not sure, "no lump" as no.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

SignStatus = Literal["stated", "doubtful", "dropped"]
FactStatus = Literal["stated", "denied", "unsure", "dropped"]

DOUBT = frozenset(
    {"uncertain", "mild", "intermittent", "hypothetical", "question", "past", "earlier", "long_ago", "explained",
     "generic"}
)  # fmt: skip
NOT_A_STATEMENT = frozenset({"hypothetical", "question", "other_person", "generic"})


def _settle(categories: Iterable[str], *, past_counts: bool = False) -> set[str]:
    """Cues that cancel others: "never had it until today" is new, "it's still swollen" is
    now, "why is my calf swollen?" takes the swelling as given."""
    found = set(categories)
    if "until_now" in found:
        found -= {"negated", "past", "earlier", "long_ago", "resolved"}
    if "current" in found:
        found -= {"past", "earlier", "long_ago", "intermittent"}
    if "asserted" in found:
        found -= {"question", "hypothetical", "uncertain"}
    if "proxy" in found:  # "my son can't stand on it": the person the check is for
        found -= {"other_person", "generic"}
    if past_counts:
        found.discard("past")
    return found


def sign_status(categories: Iterable[str], *, past_counts: bool = False) -> SignStatus:
    found = _settle(categories, past_counts=past_counts)
    if "negated" in found:
        return "doubtful" if "uncertain" in found else "dropped"
    if "resolved" in found:
        return "dropped"
    if "other_person" in found:
        # Someone else's history or worry is not this person's sign; someone else's sign told
        # as now is, for whoever is typing ("my dad is breathless", "he can't stand on it");
        # without a time it is worth one question, answered for them ("my friend's knee
        # locked after a tackle"). A sign whose own words are past ("swelled up within the
        # hour") counts the past for the person, never for someone else: "my teammate's knee
        # swelled up after a fall" is their history.
        if (found | (_settle(categories) & {"past"})) & DOUBT:
            return "dropped"
        return "stated" if found & {"current", "until_now", "present"} else "doubtful"
    if found & DOUBT:
        return "doubtful"
    return "stated"


def fact_status(categories: Iterable[str]) -> FactStatus:
    found = _settle(categories)
    if found & NOT_A_STATEMENT:
        return "dropped"
    if "negated" in found:
        return "denied"  # "no lump", and "I don't think there's a lump" too
    if "uncertain" in found:
        return "unsure"
    return "stated"
