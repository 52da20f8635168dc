"""How names and titles people type are compared and which characters they may not hold.

A name may look like another and be different text: a zero-width space, a right-to-left override (U+202E turns
"Data Penduduk" around on screen), a fullwidth letter or a Cyrillic "а" in place of the Latin "a". Such names are
refused on input where they would be shown (logic/input_types.py, the data element schema), and two names that
read the same are one name where a list must not hold it twice (the daftar elemen data)."""
from __future__ import annotations

import unicodedata

# Zero-width and invisible formatting characters, and the bidirectional controls (embeddings, overrides,
# isolates, marks): never part of a name a person means to type.
INVISIBLE = frozenset(
    "\u00ad\u034f\u061c\u115f\u1160\u180e\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\u3164\ufeff\uffa0")
_WITHOUT_INVISIBLE = {ord(char): None for char in INVISIBLE}

# Cyrillic and Greek letters (after casefolding) drawn like Latin ones: the common confusables, not Unicode's whole
# table. NFKC already folds fullwidth letters, ligatures and compatibility forms.
LOOKALIKES = str.maketrans({
    # Cyrillic
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c", "т": "t",
    "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i", "ј": "j", "һ": "h", "ԁ": "d", "ԛ": "q", "ԝ": "w", "ӏ": "l",
    "ɡ": "g",
    # Greek
    "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u",
    "χ": "x", "ϲ": "c", "ϳ": "j",
    # Latin letters that read as others
    "ı": "i", "ȷ": "j", "ℓ": "l",
})


def has_invisible(text: str) -> bool:
    """Whether `text` holds a zero-width, invisible or text-direction character."""
    return any(char in INVISIBLE for char in text)


def without_invisible(text: str) -> str:
    return text.translate(_WITHOUT_INVISIBLE)


def comparable(text: str) -> str:
    """`text` as it reads: NFKC, without invisible characters, casefolded, lookalike letters folded to Latin,
    whitespace collapsed. Two names with the same comparable form are the same name to a reader."""
    folded = unicodedata.normalize("NFKC", without_invisible(text)).casefold().translate(LOOKALIKES)
    return " ".join(folded.split())
