"""Currency warnings: superseded terms and editions, old and missing print dates, checked
passage by passage on the real corpus."""

from datetime import date

import pytest
from conftest import ROOT

from answer.currency import CurrencyRulesError, age_label, load_rules, warnings_for
from answer.render import to_plain_text
from records import Answer, Chunk

RULES = load_rules(ROOT / "corpus" / "currency.toml")
TODAY = date(2026, 11, 23)
LSCB, SCR, HCPC = "mentions LSCBs", "mentions Serious Case Reviews", "HCPC registration"
WT2010, WT2013, WT2015 = "cites Working Together 2010", "cites Working Together 2013", "cites Working Together 2015"

# Checked by hand against the corpus: a phrase unique to each flagged passage → its warnings.
EXPECTED = {
    "a clear framework for Local Safeguarding Children Boards (LSCBs)": {LSCB, WT2013},
    "section 14B(7) of the Children Act 2004, which states that LSCBs must": {LSCB},
    "in exercising their functions relating to LSCBs": {LSCB},
    "LSCB Chairs and senior managers": {LSCB, HCPC},
    "LSCBs coordinate the work to safeguard children locally": {LSCB},
    "when things go wrong Serious Case Reviews (SCRs) are published": {SCR},
    "effective local coordination and challenge by the LSCBs": {LSCB},
    "The LSCB should use this assessment": {LSCB},
    "by the partner agencies of MKSCB reflects": {LSCB},
    "All MKSCB partner agencies will work to ensure": {LSCB},
    "(from Working Together to Safeguard Children, 2015)": {WT2015},
    "as set out in Working Together to Safeguard Children (2010)": {WT2010},
    "effective local co-ordination by the Local Safeguarding Children Board": {LSCB},
}


def term_warnings(chunk: Chunk) -> set[str]:
    found = warnings_for(chunk, RULES, 12, TODAY)
    kinds = {LSCB, SCR, HCPC, WT2010, WT2013, WT2015}
    return {kind for kind in kinds if any(w.startswith(kind) or kind in w for w in found)}


def test_every_flagged_corpus_passage_has_the_right_warnings_and_nothing_else_is_flagged(assistant):
    chunks = assistant.index().chunks
    for phrase, expected in EXPECTED.items():
        holding = [c for c in chunks if phrase in c.text]
        assert holding, phrase
        for chunk in holding:
            assert expected <= term_warnings(chunk), (phrase, chunk.id)
    flagged_phrases = set(EXPECTED)
    for chunk in chunks:
        if not any(p in chunk.text for p in flagged_phrases):
            assert term_warnings(chunk) == set(), chunk.text[:80]


def test_matching_uses_word_boundaries_and_abbreviations():
    def flags(text):
        return term_warnings(Chunk("x#0", "x", "t", None, (), (), "2026-10-01", 0, len(text), text))

    assert flags("Refer to the local safeguarding children board.") == {LSCB}
    assert flags("The LSCBs and the MKSCB agreed.") == {LSCB}
    assert flags("The SCBX clinic and LSCBISH are unrelated words.") == set()
    for text in ("CCGs fund it.", "Clinical Commissioning Groups fund it."):
        chunk = Chunk("x#0", "x", "t", None, (), (), "2026-10-01", 0, len(text), text)
        assert any("integrated care boards on 1 July 2022" in w for w in warnings_for(chunk, RULES, 12, TODAY))
    assert flags("Working Together to Safeguard Children 2023 applies.") == set()


def test_old_and_missing_print_dates_are_flagged():
    old = Chunk("x#0", "x", "t", None, (), (), "2019-11-22", 0, 1, "Text.")
    recent = Chunk("x#0", "x", "t", None, (), (), "2026-06-01", 0, 1, "Text.")
    undated = Chunk("x#0", "x", "t", None, (), (), None, 0, 1, "Text.")
    assert warnings_for(old, RULES, 12, TODAY) == ("printed 7 years ago: check the live procedures",)
    assert warnings_for(recent, RULES, 12, TODAY) == ()
    assert warnings_for(undated, RULES, 12, TODAY) == ("print date not stated: check the live procedures",)
    assert age_label("2026-02-10", TODAY) == "9 months ago"


def test_warnings_reach_the_chat_answer_and_the_copied_text(assistant):
    answer = assistant.ask("what did the MKSCB partner agencies commit to?")
    cited = next(c for c in answer.citations if "MKSCB" in c.chunk.text)
    assert any(w.startswith(LSCB) for w in cited.warnings)
    assert any(w.startswith("printed 7 years ago") for w in cited.warnings)
    copied = to_plain_text(Answer("q", "q", answer.text, False, (cited,)))
    assert "⚠ [1] mentions LSCBs" in copied


def test_a_broken_rules_file_is_one_clear_error(tmp_path):
    path = tmp_path / "currency.toml"
    path.write_text("current_working_together = 2023\n[[superseded]]\npatterns = ['(']\nwarning = 'x'\n", encoding="utf-8")
    with pytest.raises(CurrencyRulesError, match="currency.toml"):
        load_rules(path)
