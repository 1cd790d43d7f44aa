"""Step 5a of ingest: running text → sentences, by pysbd (a maintained rule-based segmenter
that knows "e.g.", "s.47", "No. 3" and quotations), so no passage starts or ends mid-sentence.

Used by the chunker (where a long paragraph may be cut) and by sentence splitting (what is
embedded and quoted).
"""

from __future__ import annotations

import re
from functools import lru_cache

# Only text with a full stop, question or exclamation mark before more text can hold two
# sentences: the rest (most list items, headings, short paragraphs) skips the segmenter,
# which costs about a millisecond per sentence.
MAYBE_TWO = re.compile(r"[.!?…][\"'’”)\]]*\s+\S")
# Statutory guidance cites by abbreviation ("see para. 14", "pp. 3-4", "reg. 5"): pysbd ends
# a sentence at "para." before a number, so a part starting with that number rejoins it.
CITES = re.compile(r"\b(?:paras?|pp?|regs?|arts?|chs?|nos?|sch|vol|figs?|sections?|ss?)\.\s*$", re.IGNORECASE)


@lru_cache(maxsize=1)
def _segmenter():
    import pysbd

    return pysbd.Segmenter(language="en", clean=False)


@lru_cache(maxsize=65536)
def split_sentences(text: str) -> tuple[str, ...]:
    """The sentences of one line of running text, verbatim, in order."""
    text = text.strip()
    if not text:
        return ()
    if not MAYBE_TWO.search(text):
        return (text,)
    parts: list[str] = []
    for part in (p.strip() for p in _segmenter().segment(text)):
        if not part:
            continue
        if parts and (CITES.search(parts[-1]) and part[:1].isdigit() or not part[:1].isalnum() and len(part) < 3):
            parts[-1] = f"{parts[-1]} {part}"
        else:
            parts.append(part)
    return tuple(parts)
