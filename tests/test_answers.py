"""Real questions against the real index of corpus/: the right passage is cited first or
second with its print date, off-topic questions abstain, follow-ups resolve."""

import re

import pytest

from answer.assistant import Assistant
from answer.compose import SAFETY_NOTICE

from eval.match import holds
from ingest.build import build_index

WEST_MIDLANDS, WT2015, PRACTITIONERS, MILTON_KEYNES, SHARED = (
    "000_7e969022eef22aac.txt",
    "001_85fc01a5fa2a4b07.txt",
    "002_6e6ee004ff62726c.txt",
    "003_59e7203d59049fa8.txt",
    "004_d47f850b34cc143b.txt",
)
PRINT_DATES = {WEST_MIDLANDS: "2024-12-21", MILTON_KEYNES: "2019-11-22"}

# (question, [(file, quote that answers it)])
KNOWN = [
    ("what age is a child?", [(WT2015, "has not yet reached their 18th birthday"), (WEST_MIDLANDS, "has not yet reached their 18th birthday"), (SHARED, "has not yet achieved their 18th birthday")]),
    ("which local authority areas do the west midlands procedures cover?", [(WEST_MIDLANDS, "Birmingham, Dudley, Herefordshire, Sandwell")]),
    ("what should I do if I have concerns about a child's welfare?", [(WT2015, "should make a referral to local authority children’s social care"), (MILTON_KEYNES, "should make a referral to local authority children’s social care")]),
    ("how many children were referred to children's social care in 2013-14?", [(WT2015, "over 650,000 children")]),
    ("what duty does section 11 of the children act 2004 place on agencies?", [(WT2015, "also have a duty under section 11 of the Children Act 2004")]),
    ("how does keeping children safe in education define safeguarding?", [(WEST_MIDLANDS, "Keeping Children Safe in Education defines safeguarding")]),
    ("what should all agencies and professionals be alert to?", [(SHARED, "be alert to potential indicators of abuse or neglect"), (PRACTITIONERS, "Be alert to potential indicators of abuse or neglect")]),
    pytest.param(
        "what commitments did the MKSCB partner agencies make about training?", [(MILTON_KEYNES, "Provide and promote multi-agency training")],
        # The Organisational Intentions list ("Staff are adequately trained…") outranks the Commitments list.
        marks=pytest.mark.xfail(strict=True, reason="a ranking miss the dev-fitted ranker makes"),
    ),
    ("which guidance does working together 2015 replace?", [(WT2015, "This document replaces Working Together to Safeguard Children (2013)")]),
    ("what does a child-centred approach mean?", [(WEST_MIDLANDS, "based on a clear understanding of the needs and views of children"), (WT2015, "based on a clear understanding of the needs and views of children"), (WT2015, "Effective safeguarding systems are child centred"), (MILTON_KEYNES, "Effective safeguarding systems are child centred")]),
    ("who has a responsibility for keeping children safe?", [(WT2015, "has a responsibility for keeping them safe"), (MILTON_KEYNES, "has a responsibility for keeping them safe")]),
    ("does the guidance apply to schools?", [(WT2015, "It applies, in its entirety, to all schools.")]),
    ("how does the children act 1989 define a child?", [(SHARED, "The Children Act 1989 defines a child as anyone who has not yet achieved their 18th birthday")]),
]


@pytest.mark.parametrize("question, gold", KNOWN, ids=[k.values[0] if hasattr(k, "values") else k[0] for k in KNOWN])
def test_known_passage_is_cited_first_or_second_with_its_print_date(assistant, question, gold):
    answer = assistant.ask(question)
    assert not answer.abstained, answer.notes
    top = answer.citations[:2]
    holding = [c for c in top if any(holds(c.chunk.text, quote) for _, quote in gold)]
    assert holding, [c.chunk.text[:80] for c in top]
    for citation in holding:
        for chunk in (citation.chunk, *citation.also_in):
            assert chunk.print_date == PRINT_DATES.get(chunk.source)
    assert "[1]" in answer.text or "[2]" in answer.text
    assert "call 999" in answer.text


# Abstention on questions near the procedures is the weak spot (see the README's evaluation):
# "FGM" is a word the procedures never use, yet the question is about reporting, which they cover.
NEAR_MISS = pytest.mark.xfail(strict=True, reason="abstention recall on near-domain questions is 0.2–0.4")


@pytest.mark.parametrize(
    "question",
    [
        "what's the capital of France?",
        pytest.param("how do I report FGM?", marks=NEAR_MISS),
        "what's the phone number for children's social care in Birmingham?",
        "recommend a good pizza place",
    ],
)
def test_questions_the_corpus_cannot_answer_abstain_without_padding(assistant, question):
    answer = assistant.ask(question)
    assert answer.abstained
    assert answer.citations == ()
    assert "don't cover this" in answer.text and "children's social care" in answer.text and "call 999" in answer.text


def test_follow_up_about_schools_answers_about_schools_not_a_repeat(assistant):
    first = assistant.ask("who is responsible for safeguarding children?")
    follow = assistant.ask("what about schools?", ["who is responsible for safeguarding children?"])
    assert not follow.abstained
    assert "school" in follow.text.lower()
    assert follow.text != first.text
    assert "responsib" in follow.standalone_question  # the topic carried over


def test_the_second_one_is_the_second_item_of_the_list_answered_before(assistant):
    first = assistant.ask("what are the two key principles of safeguarding?")
    assert "• a child-centred approach" in first.text  # the second item shown
    follow = assistant.ask("can you say more about the second one", ["what are the two key principles of safeguarding?"])
    assert "a child-centred approach: for services to be effective" in follow.standalone_question
    assert "everyone's responsibility" not in follow.standalone_question
    assert holds(follow.citations[0].chunk.text, "a child-centred approach: for services to be effective")


def test_a_new_topic_is_not_polluted_by_the_previous_one(assistant):
    answer = assistant.ask("how many children were referred to children's social care in 2013-14?", ["what about schools?"])
    assert answer.standalone_question == "how many children were referred to children's social care in 2013-14?"


def test_off_topic_follow_up_still_abstains(assistant):
    answer = assistant.ask("and what's the capital of France?", ["who is responsible for safeguarding children?"])
    assert answer.abstained


def test_shared_passage_is_one_citation_listing_every_source_with_its_date(assistant):
    answer = assistant.ask("children have said that they need vigilance, stability and respect")
    citation = next(c for c in answer.citations if "Vigilance" in c.chunk.text)
    sources = {citation.chunk.source: citation.chunk.print_date} | {o.source: o.print_date for o in citation.also_in}
    assert sources == {WT2015: None, MILTON_KEYNES: "2019-11-22"}
    assert sum("Vigilance" in c.chunk.text for c in answer.citations) == 1


@pytest.mark.parametrize("question", ["what should I do if I have concerns about a child's welfare?", "what key principles should practitioners be guided by?"])
def test_answer_sentences_are_verbatim_from_cited_passages(assistant, question):
    answer = assistant.ask(question)
    lines = answer.text.split("\n\n")[0].split("\n")
    for line, following in zip(lines, [*lines[1:], ""]):
        cited = line if "[" in line else following  # a list's lead-in stands above its items
        passage = answer.citations[int(cited.rsplit("[", 1)[1].rstrip("]")) - 1].chunk.text
        assert line.rsplit(" [", 1)[0].removeprefix("• ") in passage


def test_a_short_list_is_quoted_whole_in_its_own_order_under_its_lead_in(assistant):
    answer = assistant.ask("what key principles should practitioners be guided by?")
    body = answer.text.split("\n\n")[0]
    lead = "You should be guided by the following key principles:"
    principles = ["Children have a right to be safe", "Safeguarding children is everyone’s responsibility", "It is better to help children as early as possible", "Children and families are best supported"]
    assert body.count(lead) == 1
    places = [body.find("• " + p) for p in principles]
    assert -1 not in places and places == sorted(places) and body.find(lead) < places[0]


def test_a_sentence_pointing_at_a_lost_link_is_not_an_answer(assistant):
    # 002 says "If you are worried a child is being abused or neglected please see this page.":
    # the closest sentence to the question, but its link did not survive as text.
    answer = assistant.ask("who do I tell if I'm worried about a child?")
    assert not answer.abstained and "see this page" not in answer.text
    assert re.search(r"\[\d\]", answer.text)


def _assistant_with(corpus, name: str, text: str, settings, embedder, tmp_path) -> Assistant:
    """An assistant over the seed corpus with one more file in it."""
    (corpus / name).write_text(text, encoding="utf-8")
    local = settings.with_overrides(corpus_dir=corpus, index_dir=tmp_path / "index")
    assert not build_index([corpus], local.index_dir, local, embedder).failed
    return Assistant(local, embedder)


def test_a_pointer_to_a_link_printed_as_here_is_not_an_answer(corpus, settings, embedder, tmp_path):
    # As in KCSIE: "Comprehensive guidance on private fostering can be found here: …", the
    # sentence nearest "what is private fostering?", whose link a PDF's text has lost.
    fostering = (
        "# Private fostering\n\nComprehensive guidance on private fostering can be found here.\n\n"
        "Private fostering occurs when a child under the age of 16 is cared for by someone who is not a parent or close relative for 28 days or more.\n"
    )
    answer = _assistant_with(corpus, "fostering.md", fostering, settings, embedder, tmp_path).ask("what is private fostering?")
    assert "28 days or more" in answer.text and "found here" not in answer.text


CRIMINAL_EXPLOITATION = """# Child criminal exploitation

## Signs

Some of the following can be indicators that a child is being criminally exploited, where children:

- appear with unexplained gifts, money or new possessions
- go missing for periods of time or regularly come home late
- regularly miss school or do not take part in education

## Further reading

Further information on the signs of child criminal exploitation is available in Home Office guidance for practitioners.
"""


def test_a_signpost_to_other_guidance_answers_where_to_read_not_what_the_signs_are(corpus, settings, embedder, tmp_path):
    # As in KCSIE's Annex B: the signpost repeats the question's words, the list answers it.
    assistant = _assistant_with(corpus, "exploitation.md", CRIMINAL_EXPLOITATION, settings, embedder, tmp_path)
    signs = assistant.ask("what are the signs of child criminal exploitation?")
    assert "unexplained gifts" in signs.citations[0].chunk.text and "Further information" not in signs.text
    where = assistant.ask("where can I find more information on child criminal exploitation?")
    assert "Further information on the signs of child criminal exploitation is available in Home Office guidance" in where.text


RESOURCES = """# Worried about a child

## What staff should do

Any member of staff who is worried about a child should speak to the designated safeguarding lead the same day.

## Further advice

- [What to do if you're worried a child is being abused – DfE advice](https://www.gov.uk/government/publications/what-to-do-if-youre-worried-a-child-is-being-abused--2)
- [NSPCC – Report child abuse](https://www.nspcc.org.uk/keeping-children-safe/reporting-abuse/)
"""


def test_the_title_of_a_linked_resource_answers_where_to_read_not_what_to_do(corpus, settings, embedder, tmp_path):
    # As in KCSIE's Annex B: a list of other resources, each a link whose title repeats the
    # question's words ("worried a child is being abused") without saying what to do.
    assistant = _assistant_with(corpus, "worried.md", RESOURCES, settings, embedder, tmp_path)
    what = assistant.ask("what do I do if I'm worried a child is being abused?")
    assert not what.abstained and "What to do if you're worried a child is being abused – DfE advice" not in what.text
    where = assistant.ask("where can I find advice on what to do if I'm worried a child is being abused?")
    assert "What to do if you're worried a child is being abused – DfE advice" in where.text


RECORDS_AND_MONEY = """# Leaving school and leaving care

## Transferring files

Where a pupil leaves, the designated safeguarding lead should ensure their child protection file is transferred to the new school within 5 days.

## University

Care leavers going to university are entitled to a higher education bursary of £2,000 from the local authority.

## Foster carers

Foster carers receive a weekly allowance to cover the cost of caring for the child placed with them.
"""


def test_a_question_asking_for_a_count_of_years_or_a_sum_is_refused_when_no_passage_gives_one(corpus, settings, embedder, tmp_path):
    # Near passages answer "how many days" and "how much is the bursary"; "how many years" and
    # "how much is the allowance" they only come close to, and quoting them would read as an answer.
    assistant = _assistant_with(corpus, "leaving.md", RECORDS_AND_MONEY, settings, embedder, tmp_path)
    days = assistant.ask("how many days do we have to send on a child protection file when a pupil leaves?")
    assert not days.abstained and "within 5 days" in days.text
    years = assistant.ask("how many years do we have to keep a child protection file after a pupil leaves?")
    assert years.abstained and "they set no timescale for it" in years.text and "call 999" in years.text
    bursary = assistant.ask("how much is the university bursary for care leavers?")
    assert not bursary.abstained and "£2,000" in bursary.text
    allowance = assistant.ask("how much is the weekly allowance for foster carers?")
    assert allowance.abstained and "they give no amount for it" in allowance.text


def test_a_definition_list_is_quoted_whole(assistant):
    answer = assistant.ask("How does Working Together to Safeguard Children define safeguarding and promoting the welfare of children?")
    for item in ["protecting children from maltreatment", "preventing impairment", "ensuring that children grow up", "taking action to enable all children"]:
        assert item in answer.text


@pytest.mark.parametrize("question", ["", "   ", "x" * 5000])
def test_empty_and_oversized_questions_get_a_clear_reply(assistant, question):
    answer = assistant.ask(question)
    assert answer.abstained and answer.citations == ()
    assert "call 999" in answer.text


def test_a_near_question_the_procedures_do_not_answer_abstains_with_related_passages_apart(assistant):
    answer = assistant.ask("what is the phone number for children's social care in Birmingham?")
    assert answer.abstained and answer.citations == ()
    assert 1 <= len(answer.related) <= 3 and all(c.highlights == () for c in answer.related)
    assert "call 999" in answer.text


def test_a_phone_in_the_story_is_not_a_request_for_a_phone_number(assistant):
    """"told me on the phone" asks whom to tell; only "what's the number…" asks for a number."""
    answer = assistant.ask("a girl in my class told me on the phone that she is being hurt at home, who do I tell?")
    assert not answer.abstained and "no phone number" not in answer.text
    assert "children’s social care" in answer.text


# Nothing in the five pages says what to do with a phone passing a nude round: answered, its
# passages are the nearest the pages come, and the ranker is unsure (chance "not answered" 0.73).
UNSURE = "yr 10 lad has a nude of his ex on his phone n its going round school, do i confiscate it and look at it"


def test_an_answer_from_passages_that_may_not_answer_opens_with_a_caution(assistant):
    from answer.compose import CAUTION

    unsure = assistant.ask(UNSURE)
    assert not unsure.abstained and unsure.citations
    assert unsure.text.startswith(CAUTION) and "call 999" in unsure.text
    sure = assistant.ask("who do I tell if I'm worried about a child?")
    assert not sure.caution and "may not answer" not in sure.text


def test_an_off_topic_question_abstains_with_no_related_passages(assistant):
    for question in ("what's the weather tomorrow in Leeds?", "give me a good recipe for a curry"):
        answer = assistant.ask(question)
        assert answer.abstained and answer.related == () and answer.citations == ()


def test_an_answer_carries_no_related_passages(assistant):
    answer = assistant.ask("what age is a child?")
    assert not answer.abstained and answer.related == ()


def test_typed_as_practitioners_type_it_still_finds_the_passage(assistant):
    answer = assistant.ask("wot age is a chld in the west mids procedures pls")
    assert not answer.abstained, answer.notes
    assert any(holds(c.chunk.text, "has not yet reached their 18th birthday") for c in answer.citations[:2])


def test_a_follow_up_asking_if_it_includes_someone_answers_within_the_topic(assistant):
    question = "which agencies have to cooperate with local authorities?"
    follow = assistant.ask("does that include the police?", [question])
    assert not follow.abstained and question in follow.standalone_question
    assert holds(follow.citations[0].chunk.text, "including the police and health services")


PRIVATE_FOSTERING = """# 4.7 Private Fostering

## What private fostering is

A private fostering arrangement is one made privately for the care of a child under the age of 16 (under 18 if disabled) by someone other than a parent or close relative, in their own home, with the intention that it should last for 28 days or more.

A child is not privately fostered if the person caring for them has done so for less than 28 days and does not intend to do so for longer.

## Notifying the local authority

Anyone who becomes aware of a private fostering arrangement, including school staff, should notify the local authority so that it can check the arrangement is suitable and safe for the child.
"""


def test_a_follow_up_naming_no_topic_of_its_own_is_answered_within_the_earlier_one(corpus, settings, embedder, tmp_path):
    # Neither question looks like a follow-up by its words ("one", three words of its own), and
    # alone each is answered from anywhere or not at all; after the question before, both belong to it.
    assistant = _assistant_with(corpus, "private-fostering.md", PRIVATE_FOSTERING, settings, embedder, tmp_path)
    history = ["what is private fostering?"]
    school = assistant.ask("what should the school do if we find out one of our pupils is in one?", history)
    assert not school.abstained and history[0] in school.standalone_question
    assert any("should notify the local authority" in c.chunk.text for c in school.citations[:2])
    how_long = assistant.ask("how long does it have to go on for before it counts?", history)
    assert not how_long.abstained and "28 days" in how_long.text
    alone = assistant.ask("how long does it have to go on for before it counts?")
    assert alone.standalone_question == "how long does it have to go on for before it counts?"


@pytest.mark.parametrize(
    "question",
    [
        "I'm worried about a child, who do I tell?",
        "a girl in my class says her dad hits her, where do i report it",
        "who do i ring if a kid tells me something bad is happening at home",
    ],
)
def test_a_worried_practitioner_is_told_to_refer_to_childrens_social_care_or_the_police(assistant, question):
    answer = assistant.ask(question)
    assert not answer.abstained, answer.notes
    quoted = answer.text.replace(SAFETY_NOTICE, "")
    assert "refer to children’s social care or to the police" in quoted or "should make a referral" in quoted, answer.text


def test_a_follow_up_that_brings_a_topic_of_its_own_is_off_topic(assistant):
    history = ["which areas do the west midlands procedures cover"]
    for question in ("is it going to rain there tomorrow", "and what about the football scores"):
        answer = assistant.ask(question, history)
        assert answer.abstained and answer.related == () and answer.citations == (), question
    assert not assistant.ask("does that include walsall", history).abstained


@pytest.mark.parametrize(
    ("question", "line"),
    [
        ("how up to date is the west midlands intro page, when was it printed", "This page is correct as printed on Saturday 21st of December 2024"),
        ("where do i check for updates to the milton keynes procedures", "This page is correct as printed on Friday 22nd of November 2019"),
    ],
)
def test_a_question_about_a_page_is_answered_from_its_own_print_line(assistant, question, line):
    # The pages' print lines read alike: the other page's date or address must not be shown.
    answer = assistant.ask(question)
    assert not answer.abstained, answer.notes
    assert answer.text.startswith(line) and answer.citations[0].chunk.stamp
    assert not any(c.chunk.stamp for c in answer.citations[1:])
    other = "Friday 22nd of November 2019" if "2024" in line else "westmidlands.procedures.org.uk"
    assert other not in answer.text


@pytest.mark.parametrize("question", ["what time is the west midlands bus", "what time does the milton keynes office shut on a friday", "which local authority areas do the west midlands procedures cover?"])
def test_a_print_line_answers_only_a_question_about_the_page(assistant, question):
    # Its date and time would otherwise draw any question of when.
    answer = assistant.ask(question)
    assert not any(c.chunk.stamp for c in (*answer.citations, *answer.related)), answer.text


def test_a_question_that_means_nothing_alone_is_read_with_the_turn_before(assistant):
    # Nothing in it says "that" or "it", yet alone it is about nothing the procedures cover.
    history = ["how does working together define safeguarding n promoting welfare"]
    answer = assistant.ask("is the kcsie version any different", history)
    assert not answer.abstained, answer.notes
    assert holds(answer.citations[0].chunk.text, "Keeping Children Safe in Education defines safeguarding")
    weather = assistant.ask("whats the weather like tomorrow", history)
    assert weather.abstained and weather.related == ()


def test_a_name_the_procedures_never_use_counts_as_unknown_in_the_possessive_too(assistant):
    # "clare's" is "clare": an unknown word weighs towards "the procedures don't cover this".
    from answer.evidence import QUESTION_FEATURES, uncovered

    read = assistant.read("what is clare's law")
    assert uncovered(read.index, read.query.normalised) == ["clare's"]
    assert read.evidence.question[QUESTION_FEATURES.index("uncovered_words")] == 1
