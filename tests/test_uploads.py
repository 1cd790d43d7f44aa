"""Admin uploads: a chapter is replaced only when the admin says so, the replaced file is
kept in retired/<date>/ with its manifest entry, and names keep their letters so unrelated
files do not collide. Real files in a copy of corpus/."""

import shutil
from datetime import date

import pytest
from conftest import signed_in_admin_page

from ingest.load import IngestError, read_manifest
from ingest.uploads import safe_name, save_upload

LIVE = "000_7e969022eef22aac.txt"
TODAY = date(2025, 3, 4)
MB = 2**20


@pytest.fixture
def upload(tmp_path):
    path = tmp_path / "upload.bin"
    path.write_text("1.2 Introduction\n\nA shorter draft of the chapter, uploaded by mistake.\n", encoding="utf-8")
    return path


def test_an_upload_named_like_a_live_chapter_in_another_case_is_refused_and_changes_nothing(corpus, upload):
    before = (corpus / LIVE).read_bytes()
    for name in ("000_7e969022eef22aac.TXT", "000_7E969022EEF22AAC.txt"):
        with pytest.raises(IngestError, match=rf"^{name[:-4]}\.txt: a chapter of that name is already in the corpus \({LIVE}\)"):
            save_upload(upload, name, corpus, MB, today=TODAY)
    assert (corpus / LIVE).read_bytes() == before
    assert not (corpus / "retired").exists() and sorted(p.name for p in corpus.iterdir() if p.name.startswith("000")) == [LIVE]


def test_replacing_a_chapter_is_explicit_and_keeps_the_old_file_and_its_entry(corpus, upload):
    before, entry = (corpus / LIVE).read_bytes(), read_manifest(corpus)[LIVE]
    saved = save_upload(upload, "000_7e969022eef22aac.TXT", corpus, MB, replace=True, today=TODAY)
    assert saved == corpus / LIVE and saved.read_bytes() == upload.read_bytes()
    kept = corpus / "retired" / "2025-03-04" / LIVE
    assert kept.read_bytes() == before
    assert read_manifest(corpus)[LIVE] == entry == read_manifest(kept.parent)[LIVE]


def test_names_keep_their_letters_so_unrelated_uploads_do_not_collide(corpus, upload):
    assert safe_name("résumé 名前.txt") == "résumé 名前.txt"
    assert safe_name("Re\u0301sume\u0301.txt") == "Résumé.txt"  # one spelling, however it was typed
    assert safe_name("evil\u202etxt.exe.md") == "evil_txt.exe.md"  # no right-to-left override
    names = {save_upload(upload, name, corpus, MB, today=TODAY).name for name in ("résumé 名前.txt", "resume 名.txt", "r_sum_ _.txt")}
    assert len(names) == 3


def test_replace_ticked_for_a_new_name_simply_adds_the_chapter(corpus, upload):
    assert save_upload(upload, "brand new.txt", corpus, MB, replace=True, today=TODAY) == corpus / "brand new.txt"
    assert not (corpus / "retired").exists()


def test_the_admin_page_says_which_upload_was_refused_and_which_replaced(settings, corpus, upload, tmp_path):
    page, request = signed_in_admin_page(settings.with_overrides(corpus_dir=corpus, index_dir=tmp_path / "index"))
    named = tmp_path / "000_7e969022eef22aac.TXT"
    shutil.copy(upload, named)
    refused, *_ = page.upload([str(named)], False, request)
    assert refused.startswith("refused 000_7e969022eef22aac.txt: a chapter of that name is already in the corpus")
    replaced, *_ = page.upload([str(named)], True, request)
    assert replaced.startswith(f"replaced {LIVE} (the old file is in retired/{date.today()}/)")
    assert (corpus / LIVE).read_bytes() == upload.read_bytes() and list((corpus / "retired").glob(f"*/{LIVE}"))
