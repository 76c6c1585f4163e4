"""Reading what a person typed: a message in, a `Reading` (plain data) out.

syntax.py     the phrase syntax of the dialog files (parsed without any NLP library)
normalise.py  text clean-up before tokenizing (Unicode, emoji modifiers, repeated letters)
typos.py      typo repair of non-words only: a real word is never changed
pipeline.py   spaCy tokens and Matcher patterns, medspaCy ConText rules, loaded off the
              critical path
context.py    what each context category means for a warning sign and for a fact
answers.py    the answer a message gives to the question asked
reader.py     the whole reading of one message
"""
