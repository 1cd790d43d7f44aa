"""A question as practitioners type it reads as the procedures would say it: typos and chat
spellings mended, acronyms and lay words looked up in corpus/thesaurus.toml, and nothing
"corrected" that was a real word or an acronym. A bad thesaurus entry is one clear line."""

from pathlib import Path

import pytest

from answer.normalise import normalise
from answer.thesaurus import Thesaurus, ThesaurusError, load_thesaurus
from conftest import ROOT

THESAURUS = load_thesaurus(ROOT / "corpus" / "thesaurus.toml")
CORPUS_WORDS = frozenset({"safety", "referral", "social", "children", "care", "lscbs", "neighbours", "procedures"})


def test_typos_are_mended_against_the_corpus_and_english():
    read = normalise("does the saftey refferal go to socail services", CORPUS_WORDS, THESAURUS)
    assert read.text == "does the safety referral go to social services"
    assert ("saftey", "safety") in read.corrections and ("refferal", "referral") in read.corrections


def test_a_word_is_mended_only_by_a_slip_of_the_fingers_never_into_a_different_word():
    # "vape" is one letter from "rape", a corpus word, but v and r are far apart on a keyboard:
    # read as typed, never as a question about rape; "wrk" is a letter missed, so it is mended.
    words = CORPUS_WORDS | {"rape", "work", "note"}
    read = normalise("can kids vape at school or ofsted wrk", words, THESAURUS)
    assert "vape" in read.text.split() and "rape" not in read.text.split()
    assert "ofsted" in read.text.split()
    assert read.corrections == (("wrk", "work"),)


def test_chat_spellings_and_contractions_are_expanded():
    read = normalise("whats the rule if u cant tell ur manager", CORPUS_WORDS, THESAURUS)
    assert read.text.startswith("what is the rule if you cannot tell your manager")


def test_acronyms_and_real_words_are_never_corrected():
    read = normalise("wat r the lado timescales and is lunchtime covered", CORPUS_WORDS, THESAURUS)
    assert "lado" in read.text.split() and "lunchtime" in read.text.split()
    assert "local authority designated officer" in read.rewritten
    assert read.corrections == ()


def test_an_unknown_word_typed_in_capitals_is_left_alone_as_an_acronym():
    assert normalise("what is a MARAC", CORPUS_WORDS, Thesaurus()).text == "what is a marac"
    assert normalise("do they need ID", CORPUS_WORDS, THESAURUS).text == "do they need id"  # not chat for "i'd"
    assert normalise("wrk", frozenset({"work"}), Thesaurus()).text == "work"  # short: only to a corpus word
    assert normalise("what is a lado", CORPUS_WORDS, Thesaurus()).text == "what is a lado"


def test_lay_words_gain_the_procedures_wording_and_are_marked_lay():
    read = normalise("who do i tell about a kid", CORPUS_WORDS, THESAURUS)
    assert "refer" in read.expansions and "child" in read.expansions
    assert set(read.lay) == {"tell", "kid"}
    assert read.rewritten == "who do i tell refer about a kid child"


def test_a_phrase_is_matched_before_its_words():
    read = normalise("should social services be told", CORPUS_WORDS, THESAURUS)
    assert ("social services", ("children's social care",)) in read.phrases


def test_the_shipped_thesaurus_loads_and_knows_the_field(tmp_path):
    assert THESAURUS.expansions("lscb") == ("local safeguarding children board",)
    assert THESAURUS.expansions("council") == ("local authority",)
    assert load_thesaurus(tmp_path / "absent.toml") == Thesaurus()


@pytest.mark.parametrize(
    "text, expected",
    [
        ('[acronyms]\nlscb = ["local safeguarding children board"]\ndsl = "designated safeguarding lead"\n', r"thesaurus\.toml:3: \[acronyms\] dsl should be a list"),
        ('[lay]\nkid = ["child"]\nKids = ["children"]\n', r"thesaurus\.toml:3: \[lay\] key 'Kids' should be 1–3 lower-case words"),
        ('[lay]\nkid = []\n', r"thesaurus\.toml:2: \[lay\] kid should be a list of one or more phrases"),
        ('[acronym]\nlscb = ["x"]\n', r"thesaurus\.toml:1: unknown table \[acronym\]"),
        ('[acronyms]\n"a-and-e" = ["accident and emergency"]\n', r"thesaurus\.toml:2: \[acronyms\] key 'a-and-e' should be"),
        ('[lay]\nkid = ["child"]\nlad = \n', r"thesaurus\.toml: .*line 3"),
    ],
    ids=["not a list", "upper case key", "empty list", "unknown table", "a key no question can contain", "broken TOML"],
)
def test_a_bad_entry_is_one_line_naming_the_file_and_line(tmp_path: Path, text, expected):
    path = tmp_path / "thesaurus.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ThesaurusError, match=expected) as error:
        load_thesaurus(path)
    assert "\n" not in str(error.value)


def test_an_admin_edit_to_the_thesaurus_is_used_by_the_next_question(assistant, tmp_path):
    from answer.assistant import Assistant

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "thesaurus.toml").write_text('[lay]\nzorblat = ["children\'s social care"]\n', encoding="utf-8")
    edited = Assistant(assistant.settings.with_overrides(corpus_dir=corpus), assistant.embedder)
    query = edited.read("should i tell zorblat").query
    assert "children's social care" in query.normalised.rewritten
    (corpus / "thesaurus.toml").write_text("[lay]\n", encoding="utf-8")
    import os

    os.utime(corpus / "thesaurus.toml", (1, 1))  # a different modification time, as any save gives
    query = edited.read("should i tell zorblat").query
    assert "children's social care" not in query.normalised.rewritten
