"""Sentences are what is quoted: a passage never starts or ends inside one."""

import pytest

from ingest.segment import split_sentences


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("Staff, e.g. teachers and nurses, report to the DSL. Then they record it.",
         ("Staff, e.g. teachers and nurses, report to the DSL.", "Then they record it.")),
        ("See para. 14 for the process. It applies to all staff.", ("See para. 14 for the process.", "It applies to all staff.")),
        ("Under s.47 of the Children Act 1989 the local authority must act. No. 3 applies here.",
         ("Under s.47 of the Children Act 1989 the local authority must act.", "No. 3 applies here.")),
        ('The child said "I am scared. Please help." Then she left.', ('The child said "I am scared. Please help."', "Then she left.")),
        ("A list item without a full stop", ("A list item without a full stop",)),
    ],
)
def test_sentences_end_where_a_reader_would_end_them(text, sentences):
    assert split_sentences(text) == sentences
