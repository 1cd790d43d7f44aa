"""Admin changes to the corpus folder: manifest entries checked and written back, withdrawn
chapters retired to a dated folder (never deleted) and no longer read by ingest."""

from datetime import date

import pytest

from ingest.load import IngestError, ManifestEntry, find_files, read_manifest
from ingest.manifest import checked_entry, retire, set_entry


def test_an_edited_entry_is_written_and_read_back_with_the_comments_kept(corpus):
    entry = checked_entry(' Ch 2 "Neglect" ', "Milton Keynes", "https://mkscb.procedures.org.uk/ch2?x=1&y=2")
    set_entry(corpus, "002_6e6ee004ff62726c.txt", entry)
    entries = read_manifest(corpus)
    assert entries["002_6e6ee004ff62726c.txt"] == ManifestEntry('Ch 2 "Neglect"', "Milton Keynes", "https://mkscb.procedures.org.uk/ch2?x=1&y=2")
    assert entries["000_7e969022eef22aac.txt"].source_url == "http://westmidlands.procedures.org.uk"
    assert (corpus / "manifest.toml").read_text(encoding="utf-8").startswith("# What the texts themselves do not say clearly")
    set_entry(corpus, "002_6e6ee004ff62726c.txt", checked_entry("", "", ""))
    assert "002_6e6ee004ff62726c.txt" not in read_manifest(corpus)


@pytest.mark.parametrize(("title", "area", "url", "field"), [
    ("t", "a", "javascript:alert(1)", "source_url"),
    ("t", "a", "ftp://example.org/x", "source_url"),
    ("t", "a", 'https://example.org/"><script>', "source_url"),
    ("two\nlines", "a", "", "title"),
    ("t", "x" * 101, "", "area"),
])
def test_the_edit_form_refuses_bad_values_in_one_line_naming_the_field(title, area, url, field):
    with pytest.raises(IngestError) as refused:
        checked_entry(title, area, url)
    assert str(refused.value).startswith(f"{field}: ") and "\n" not in str(refused.value)


def test_only_corpus_files_can_be_edited_or_retired(corpus):
    for name in ("../manifest.toml", "missing.txt", "manifest.toml"):
        with pytest.raises(IngestError):
            set_entry(corpus, name, ManifestEntry("t"))
        with pytest.raises(IngestError):
            retire(corpus, name, date(2026, 11, 24))


def test_a_retired_chapter_moves_with_its_entry_to_a_dated_folder_and_ingest_skips_it(corpus):
    moved = retire(corpus, "000_7e969022eef22aac.txt", date(2026, 11, 24))
    assert moved == corpus / "retired" / "2026-11-24" / "000_7e969022eef22aac.txt" and moved.exists()
    assert "000_7e969022eef22aac.txt" not in [p.name for p in find_files([corpus])]
    assert "000_7e969022eef22aac.txt" not in read_manifest(corpus)
    assert read_manifest(moved.parent)["000_7e969022eef22aac.txt"].area == "West Midlands"
    (corpus / "000_7e969022eef22aac.txt").write_text("1.2 Introduction\n\nAgain.\n", encoding="utf-8")
    again = retire(corpus, "000_7e969022eef22aac.txt", date(2026, 11, 24))
    assert again.name == "000_7e969022eef22aac (2).txt" and moved.exists()  # nothing is overwritten


def test_a_manifest_address_that_is_not_http_is_refused_at_ingest(tmp_path):
    (tmp_path / "manifest.toml").write_text('["a.txt"]\nsource_url = "javascript:alert(1)"\n', encoding="utf-8")
    with pytest.raises(IngestError, match="source_url"):
        read_manifest(tmp_path)
