"""Cleaning strips web-page chrome and markdown emphasis but never procedure text."""

from conftest import corpus_text

from ingest.clean import clean, strip_emphasis


def cleaned(text: str) -> str:
    return "\n".join(line.text for line in clean(text))


CHROME = [
    "Size: View this website with small text View this website with medium text View this website with large text View this website with high visibility",
    "Please select a partnership to see additional information:",
    "Powered by tri.x",
    "Click here to return to the top of this page.",
    "Hits: 730",
]


def test_every_kind_of_chrome_in_the_seeds_is_removed():
    texts = [cleaned(corpus_text(name)) for name in ("000_7e969022eef22aac.txt", "001_85fc01a5fa2a4b07.txt", "002_6e6ee004ff62726c.txt")]
    for line in CHROME:
        assert all(line not in text for text in texts), line


def test_contents_link_list_is_removed_but_the_same_words_as_headings_stay():
    text = cleaned(corpus_text("001_85fc01a5fa2a4b07.txt"))
    assert "Contents" not in text.split("\n")
    # The four entries also head sections further down: each must survive exactly once.
    for heading in ("About this guidance", "What is the status of this guidance?", "Who is this guidance for?"):
        assert text.split("\n").count(heading) == 1


def test_body_text_around_chrome_is_kept():
    text = cleaned(corpus_text("001_85fc01a5fa2a4b07.txt"))
    assert text.lstrip().startswith("Introduction")
    assert "Local authorities have overarching responsibility for safeguarding" in text
    assert "the Director of Public Health should ensure" in text
    assert cleaned(corpus_text("002_6e6ee004ff62726c.txt")).rstrip().endswith("unless this is inconsistent with ensuring the child’s safety.")


def test_markdown_emphasis_is_stripped_and_snake_case_is_not():
    assert strip_emphasis("all agencies **must** work together") == "all agencies must work together"
    assert strip_emphasis("as set out in *Working Together (2010)*, and") == "as set out in Working Together (2010), and"
    assert strip_emphasis("(*para 1.14*)") == "(para 1.14)"
    assert strip_emphasis("__key__ and _note_ but not file_name_here or 2*3*4") == "key and note but not file_name_here or 2*3*4"
    assert "**" not in cleaned(corpus_text("004_d47f850b34cc143b.txt"))


def test_kept_lines_point_back_into_the_original_file():
    original = corpus_text("000_7e969022eef22aac.txt")
    for line in clean(original):
        assert original[line.start : line.end].strip().replace("\u00a0", " ") == line.text.strip()


def test_a_contents_word_inside_a_sentence_is_not_chrome():
    text = "Intro\n\nThe contents of the referral must be recorded.\n"
    assert "The contents of the referral must be recorded." in cleaned(text)
