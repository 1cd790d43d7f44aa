"""Structure and chunking: passages short enough to quote, lists kept with their lead-in,
numbered paragraphs whole, every chunk with its section path and offsets."""

from pathlib import Path

import pytest
from conftest import ROOT, corpus_text

from config import Settings
from ingest.load import load, read_manifest
from ingest.prepare import prepare

SETTINGS = Settings()


def chunks_of(name: str):
    source = load(ROOT / "corpus" / name, read_manifest(ROOT / "corpus"), SETTINGS)
    return prepare(source, SETTINGS)


def chunks_of_text(text: str, tmp_path: Path, **overrides):
    path = tmp_path / "page.txt"
    path.write_text(text, encoding="utf-8")
    return prepare(load(path, {}, SETTINGS), SETTINGS.with_overrides(**overrides))


CORPUS = sorted(p.name for p in (ROOT / "corpus").glob("*.txt"))


@pytest.mark.parametrize("name", CORPUS)
def test_chunks_are_quotable_and_point_into_the_file(name):
    document, chunks = chunks_of(name)
    original = corpus_text(name)
    assert chunks
    for chunk in chunks:
        assert len(chunk.text.split()) <= SETTINGS.chunk_max_words
        # A repeated lead-in sits before the span; the passage's own last line is inside it.
        last_line = chunk.text.split("\n")[-1][:30]
        assert last_line in original[chunk.start : chunk.end].replace("\u00a0", " ")
        assert chunk.print_date == document.print_date
        # the print line is a passage of its own, in no other
        assert ("correct as printed" in chunk.text) == chunk.stamp
    assert sum(c.stamp for c in chunks) == (1 if document.print_date else 0)  # these pages have one dated line at most


def test_section_paths_follow_numbered_and_plain_headings():
    _, chunks = chunks_of("003_59e7203d59049fa8.txt")
    paths = {c.section_path for c in chunks}
    assert ("2.1 Policies, Principles and Values", "1. Agreed Policy") in paths
    assert (
        "2.1 Policies, Principles and Values",
        "2. Principles Underpinning all Work to Safeguard and Promote the Welfare of Children",
        "Importance of a child-centred approach",
    ) in paths
    assert ("2.1 Policies, Principles and Values", "4. Commitments") in paths


def test_a_passage_is_searched_under_its_own_heading_not_the_headings_of_its_part():
    # Shown with its whole path, searched under the area, the title and its own heading: the
    # headings above are every passage's of that part and say nothing of this one.
    _, chunks = chunks_of("003_59e7203d59049fa8.txt")
    chunk = next(c for c in chunks if c.section_path[-1:] == ("Importance of a child-centred approach",))
    assert len(chunk.section_path) == 3 and "2. Principles Underpinning" in chunk.section
    assert chunk.embed_text.split("\n")[0] == "Milton Keynes > 2.1 Policies, Principles and Values > Importance of a child-centred approach"


def test_numbered_paragraphs_are_labelled_and_never_split_when_they_fit():
    _, chunks = chunks_of("001_85fc01a5fa2a4b07.txt")
    by_para = {}
    for chunk in chunks:
        for number in chunk.paragraphs:
            by_para.setdefault(number, []).append(chunk)
    assert set(by_para) == {str(n) for n in range(1, 24)}
    # Paragraph 15 (the list of who works with children) is short: one chunk holds all of it.
    assert len(by_para["15"]) == 1
    assert "Everyone who works with children" in by_para["15"][0].text and "has a responsibility for keeping them safe" in by_para["15"][0].text


def test_a_list_stays_with_its_lead_in():
    _, chunks = chunks_of("000_7e969022eef22aac.txt")
    holding = [c for c in chunks if "protecting children from maltreatment" in c.text]
    assert holding and all("defines safeguarding and promoting the welfare of children as:" in c.text for c in holding)


def test_a_list_too_long_for_one_chunk_repeats_its_lead_in():
    _, chunks = chunks_of("001_85fc01a5fa2a4b07.txt")
    parts = [c for c in chunks if c.paragraphs == ("3",)]
    assert len(parts) >= 2
    assert all(c.text.startswith("This guidance is issued under:") for c in parts)
    items = sum(c.text.count("• ") for c in parts)
    assert items == 8  # every statute once, none lost or doubled


def test_a_long_lead_paragraph_gives_way_so_a_list_stays_whole():
    # "You should make sure … You should be guided by the following key principles:" and its
    # four principles do not fit one chunk: the paragraph stands alone and the list keeps its
    # last sentence, rather than the fourth principle being cut off from the other three.
    _, chunks = chunks_of("002_6e6ee004ff62726c.txt")
    holding = [c for c in chunks if "key principles" in c.text]
    assert len(holding) == 1
    assert holding[0].text.startswith("You should be guided by the following key principles:\n• Children have a right")
    assert holding[0].text.count("• ") == 4
    alone = next(c for c in chunks if c.text.startswith("You should make sure that you are alert"))
    assert alone.text.endswith("immediate danger.")


def test_a_heading_like_line_leading_into_a_list_is_kept_as_text():
    _, chunks = chunks_of("001_85fc01a5fa2a4b07.txt")
    assert any(c.text.startswith("Children have said that they need\n• Vigilance") for c in chunks)


def test_long_paragraph_splits_at_sentences(tmp_path):
    sentence = "Practitioners should record every concern about a child clearly and promptly. "
    _, chunks = chunks_of_text("Heading\n\n" + sentence * 40 + "\n", tmp_path, chunk_max_words=60)
    assert len(chunks) >= 5
    assert all(len(c.text.split()) <= 60 and c.text.endswith("promptly.") for c in chunks)


def test_title_comes_from_the_text_when_the_manifest_has_no_entry(tmp_path):
    document, chunks = chunks_of_text("\n\nSharing Information\n\nPractitioners share information.\n", tmp_path)
    assert document.title == "Sharing Information"
    assert chunks[0].area is None and chunks[0].print_date is None


def test_manifest_titles_and_areas_are_used():
    document, chunks = chunks_of("003_59e7203d59049fa8.txt")
    assert document.area == "Milton Keynes" and chunks[0].area == "Milton Keynes"


def test_a_lead_in_ending_in_colon_dash_keeps_its_list(tmp_path):
    # ":-" ends a lead-in in older UK documents ("This might involve:-", in the DfE's local offer guidance).
    items = "\n".join(f"• Support number {n} with housing, money, health and education when moving on." for n in range(12))
    text = f"Accommodation\n\nIf you are over 18, your adviser will help you to find somewhere. This might involve:-\n{items}\n"
    _, chunks = chunks_of_text(text, tmp_path, chunk_max_words=60)
    holding = [c for c in chunks if "• Support number" in c.text]
    assert len(holding) >= 2 and all("This might involve:-\n• Support number" in c.text for c in holding)
