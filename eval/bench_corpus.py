"""The benchmark's corpus: corpus/ scaled up by copies whose sentences are reworded, so
that a bigger corpus means more distinct text to embed, not more repeats of the same.

Copy 0 is corpus/ as shipped. Every later copy is one more local partnership's edition:
its own locality (from UK local authority areas and towns, or two of them joined as
partnerships are) in its title, area and every sentence, with each sentence's phrasing
chosen on its own (word swaps from a general list, swapped pairs, a fronted clause moved to
the end). Headings, web-page chrome and update lines are kept as they are; print lines keep
their date and name the edition.
"""

from __future__ import annotations

import json
import random
import re
import shutil
from pathlib import Path

from ingest.clean import is_chrome
from ingest.dates import PRINTED_LINE, UPDATED_LINE
from ingest.load import find_files, read_manifest
from ingest.segment import split_sentences
from ingest.structure import HEADING_MAX_WORDS, ITEM_MARK

LOCALITIES = [name.strip() for name in """
Barking and Dagenham, Barnet, Bexley, Brent, Bromley, Camden, Croydon, Ealing, Enfield, Greenwich, Hackney,
Hammersmith and Fulham, Haringey, Harrow, Havering, Hillingdon, Hounslow, Islington, Kensington and Chelsea,
Kingston upon Thames, Lambeth, Lewisham, Merton, Newham, Redbridge, Richmond upon Thames, Southwark, Sutton,
Tower Hamlets, Waltham Forest, Wandsworth, Westminster, Barnsley, Bolton, Bradford, Bury, Calderdale, Coventry,
Doncaster, Gateshead, Kirklees, Knowsley, Leeds, Liverpool, Manchester, Newcastle upon Tyne, North Tyneside,
Oldham, Rochdale, Rotherham, St Helens, Salford, Sefton, Sheffield, Solihull, South Tyneside, Stockport,
Sunderland, Tameside, Trafford, Wakefield, Wigan, Wirral, Bath, Bedford, Blackburn, Blackpool, Bournemouth,
Bracknell Forest, Brighton and Hove, Bristol, Central Bedfordshire, Cheshire East, Cheshire West, Darlington,
Derby, Durham, East Riding of Yorkshire, Halton, Hartlepool, Isle of Wight, Kingston upon Hull, Leicester,
Luton, Medway, Middlesbrough, Milton Keynes, North East Lincolnshire, North Lincolnshire, North Somerset,
Northumberland, Nottingham, Peterborough, Plymouth, Portsmouth, Reading, Redcar and Cleveland, Rutland,
Shropshire, Slough, South Gloucestershire, Southampton, Southend-on-Sea, Stockton-on-Tees, Stoke-on-Trent,
Swindon, Telford and Wrekin, Thurrock, Torbay, Warrington, West Berkshire, Windsor and Maidenhead, Wokingham,
York, Buckinghamshire, Cambridgeshire, Cornwall, Cumbria, Derbyshire, Devon, Dorset, East Sussex, Essex,
Gloucestershire, Hampshire, Hertfordshire, Kent, Lancashire, Leicestershire, Lincolnshire, Norfolk,
North Yorkshire, Northamptonshire, Nottinghamshire, Oxfordshire, Somerset, Staffordshire, Suffolk, Surrey,
Warwickshire, West Sussex, Wiltshire, Worcestershire, Herefordshire, Birmingham, Dudley, Sandwell, Walsall,
Wolverhampton, Aberdeen, Aberdeenshire, Angus, Argyll and Bute, Clackmannanshire, Dumfries and Galloway, Dundee,
East Ayrshire, East Dunbartonshire, East Lothian, East Renfrewshire, Edinburgh, Falkirk, Fife, Glasgow,
Highland, Inverclyde, Midlothian, Moray, North Ayrshire, North Lanarkshire, Orkney, Perth and Kinross,
Renfrewshire, Scottish Borders, Shetland, South Ayrshire, South Lanarkshire, Stirling, West Dunbartonshire,
West Lothian, Blaenau Gwent, Bridgend, Caerphilly, Cardiff, Carmarthenshire, Ceredigion, Conwy, Denbighshire,
Flintshire, Gwynedd, Anglesey, Merthyr Tydfil, Monmouthshire, Neath Port Talbot, Newport, Pembrokeshire, Powys,
Rhondda Cynon Taf, Swansea, Torfaen, Vale of Glamorgan, Wrexham, Antrim and Newtownabbey, Ards and North Down,
Armagh, Belfast, Causeway Coast and Glens, Derry and Strabane, Fermanagh and Omagh, Lisburn and Castlereagh,
Mid and East Antrim, Mid Ulster, Newry and Mourne, Aylesbury, Banbury, Barrow-in-Furness, Basildon,
Basingstoke, Bedworth, Bognor Regis, Boston, Burnley, Burton upon Trent, Cambridge, Canterbury, Carlisle,
Chatham, Chelmsford, Cheltenham, Chester, Chesterfield, Chichester, Colchester, Corby, Crawley, Crewe,
Dartford, Dover, Eastbourne, Exeter, Farnborough, Folkestone, Gillingham, Gloucester, Grantham, Gravesend,
Great Yarmouth, Grimsby, Guildford, Halifax, Harlow, Harrogate, Hastings, Hemel Hempstead, High Wycombe,
Huddersfield, Ipswich, Kettering, Kidderminster, King's Lynn, Lancaster, Lincoln, Loughborough, Lowestoft,
Macclesfield, Maidstone, Mansfield, Margate, Northampton, Norwich, Nuneaton, Oxford, Penzance, Poole,
Preston, Redditch, Rugby, Salisbury, Scarborough, Scunthorpe, Shrewsbury, Stafford, Stevenage, Taunton,
Tamworth, Truro, Tunbridge Wells, Watford, Wellingborough, Weston-super-Mare, Weymouth, Winchester, Woking,
Worcester, Worthing, Yeovil, Ayr, Dumfries, Dunfermline, Elgin, Greenock, Hamilton, Inverness, Kilmarnock,
Kirkcaldy, Livingston, Motherwell, Paisley, Perth, Aberystwyth, Bangor, Barry, Caernarfon, Carmarthen,
Haverfordwest, Llandudno, Llanelli, Rhyl, Ballymena, Coleraine, Craigavon, Enniskillen, Lisburn, Newry, Omagh
""".split(",")]

# Interchangeable words and phrases, matched in lower case only so titles of guidance
# ("Working Together to Safeguard Children") are never touched.
SYNONYMS = [
    ("professionals", "practitioners"), ("agencies", "organisations"), ("ensure", "make sure"),
    ("ensuring", "making sure"), ("important", "essential", "vital", "crucial"), ("concerns", "worries"),
    ("staff", "personnel"), ("carers", "caregivers"), ("regularly", "routinely"), ("appropriate", "suitable"),
    ("relevant", "pertinent"), ("required", "needed"), ("provide", "offer"), ("receive", "get"),
    ("consider", "think about"), ("identify", "recognise"), ("identifying", "recognising"),
    ("key", "central", "main"), ("promptly", "quickly", "without delay"), ("prompt", "timely"),
    ("everyone", "everybody"), ("anyone", "anybody"), ("someone", "somebody"), ("work together", "collaborate"),
    ("set out", "described"), ("in line with", "consistent with"), ("a number of", "several"),
    ("local authority", "council"), ("local authorities", "councils"), ("unless", "except where"),
    ("whilst", "while"), ("amongst", "among"), ("aware", "conscious"), ("demonstrated", "shown"),
    ("duties", "obligations"), ("specific", "particular"), ("encounter", "come across"), ("observe", "spot"),
    ("indicate", "suggest"), ("indicators", "signs"), ("effectively", "well"), ("fully", "completely"),
    ("often", "frequently"), ("usually", "normally", "generally"), ("immediately", "straight away"),
    ("co-ordinated", "coordinated"), ("co-ordination", "coordination"), ("co-operatively", "cooperatively"),
    ("on-going", "ongoing"), ("prioritise", "put first"),
]
_ALTERNATIVES = {word: group for group in SYNONYMS for word in group}
_SYNONYM = re.compile(r"\b(" + "|".join(sorted(map(re.escape, _ALTERNATIVES), key=len, reverse=True)) + r")\b")

# "abuse or neglect" ↔ "neglect or abuse", only where the pair stands between words that
# cannot be part of it ("early years and schools" is left alone).
_EDGE_WORDS = "the|a|an|of|to|in|for|from|with|by|on|at|as|is|are|be|their|its|them|they|who|which|that|all|any|this|these"
_PAIR = re.compile(
    rf"(^|[(,;:] |\b(?:{_EDGE_WORDS}) )([a-z][a-z-]+) (and|or) ([a-z][a-z-]+)(?=[,.;:)!?]|$| (?:{_EDGE_WORDS})\b)"
)
_FRONTED = re.compile(r"^(If|When|Where|Whilst|While|Although|Unless|Once|Before|After) ([^,]{3,}), ([a-z].+?)([.;:!]?)$")
_END = re.compile(r"[.;:,!]*$")
PROSE_OPENINGS = ["In {}, ", "Across {}, ", "Throughout {}, ", "Within {}, ", "For the {} partnership, ", "Under the {} procedures, "]
ITEM_PLACES = [" in {}", " across {}", " throughout {}", " within {}", " for {}"]
PROSE_END = ".,;:!"  # a heading never ends so (ingest/structure.py); nor does a longer line make one


def locality(copy: int, seed: int) -> str:
    """The locality of copy 1, 2, …: each its own; past the list, two joined as partnerships are."""
    names = LOCALITIES[:]
    random.Random(seed).shuffle(names)
    k = copy - 1
    if k < len(names):
        return names[k]
    k -= len(names)
    first = k % len(names)
    return f"{names[first]} and {names[(first + 1 + k // len(names)) % len(names)]}"


def _swap_words(text: str, rng: random.Random) -> str:
    return _SYNONYM.sub(lambda m: rng.choice(_ALTERNATIVES[m.group(1)]), text)


def _swap_pairs(text: str, rng: random.Random) -> str:
    def swap(m: re.Match) -> str:
        return f"{m.group(1)}{m.group(4)} {m.group(3)} {m.group(2)}" if rng.random() < 0.5 else m.group(0)

    return _PAIR.sub(swap, text)


def _move_fronted_clause(sentence: str, rng: random.Random) -> str:
    """"If X, you should Y." → "You should Y if X."."""
    m = _FRONTED.match(sentence)
    if m is None or rng.random() < 0.5:
        return sentence
    opener, clause, main, end = m.groups()
    return f"{main[0].upper()}{main[1:]} {opener.lower()} {clause}{end}"


def _reword(text: str, rng: random.Random) -> str:
    return _swap_pairs(_swap_words(text, rng), rng)


def _vary_sentence(sentence: str, place: str, common: frozenset[str], rng: random.Random) -> str:
    sentence = _move_fronted_clause(_reword(sentence, rng), rng)
    first, _, rest = sentence.partition(" ")
    # "Children are…" → "In Leeds, children are…", but not "Ofsted…" nor "Working Together…"
    if first.istitle() and first.lower() in common and not rest[:1].isupper():
        sentence = first.lower() + sentence[len(first) :]
    return rng.choice(PROSE_OPENINGS).format(place) + sentence


def _vary_item(item: str, place: str, rng: random.Random) -> str:
    body = _reword(item, rng)
    end = _END.search(body).start()
    return body[:end] + rng.choice(ITEM_PLACES).format(place) + body[end:]


def vary_line(line: str, leads_a_list: bool, place: str, common: frozenset[str], rng: random.Random) -> str:
    """A list item or a line of sentences reworded; headings, chrome and update lines kept, and
    the print line kept with its date but naming the edition: it is a passage of its own, and a
    verbatim copy would be a repeat, not more distinct text to embed."""
    text = line.strip()
    if PRINTED_LINE.match(text):
        return f"{line.rstrip().rstrip('.')} ({place} edition)."
    if not text or is_chrome(text) or UPDATED_LINE.match(text):
        return line
    mark = ITEM_MARK.match(line)
    if mark:
        return mark.group(0) + _vary_item(line[mark.end() :], place, rng)
    if text[-1] not in PROSE_END and len(text.split()) <= HEADING_MAX_WORDS and not leads_a_list:
        return line  # a heading
    indent = line[: len(line) - len(line.lstrip())]
    return indent + " ".join(_vary_sentence(s, place, common, rng) for s in split_sentences(text))


def _vary_text(text: str, place: str, common: frozenset[str], rng: random.Random) -> str:
    lines = text.split("\n")
    before_item, after = [False] * len(lines), ""
    for i in range(len(lines) - 1, -1, -1):
        before_item[i] = bool(ITEM_MARK.match(after))
        after = lines[i] if lines[i].strip() else after
    # A short line before a list item leads into it ("Children have said that they need").
    return "\n".join(vary_line(line, lead, place, common, rng) for line, lead in zip(lines, before_item))


def scaled_corpus(source: Path, target: Path, copies: int, seed: int = 7) -> None:
    """corpus/ as it is, then `copies - 1` reworded copies, with a manifest for them all."""
    target.mkdir(parents=True)
    files = find_files([source])
    manifest = read_manifest(source)
    texts = {path: path.read_text(encoding="utf-8") for path in files}
    common = frozenset(re.findall(r"\b[a-z]+\b", " ".join(texts.values())))  # words seen in lower case
    entries = []
    for copy in range(copies):
        place = locality(copy, seed) if copy else None
        for path, text in texts.items():
            name = f"{copy:04d}-{path.name}"
            entry = manifest.get(path.name)
            title = (entry.title if entry and entry.title else path.stem) + (f" – {place}" if place else "")
            area = place or (entry.area if entry else None)
            if place:
                rng = random.Random(f"{seed}-{name}")  # each file its own draws: ×10 is the first tenth of ×1000
                text = _vary_text(text, place, common, rng)
            (target / name).write_text(text, encoding="utf-8")
            entries.append(_manifest_entry(name, title, area, entry.source_url if entry else None))
    (target / "manifest.toml").write_text("\n".join(entries), encoding="utf-8")


def _manifest_entry(name: str, title: str, area: str | None, source_url: str | None) -> str:
    # A JSON string is a valid TOML basic string.
    fields = [("title", title), ("area", area), ("source_url", source_url)]
    return f"[{json.dumps(name)}]\n" + "".join(f"{key} = {json.dumps(value, ensure_ascii=False)}\n" for key, value in fields if value)


def add_documents(source: Path, target: Path, copies: int, seed: int = 7) -> None:
    """The documents of `source` (such as ../shared/realdocs) beside the scaled corpus: as they
    are in the first copy, and in each later one as the text their reader lays out, reworded
    with that copy's locality (a verbatim copy would be refused as a repeat, and embed nothing)."""
    from config import load_settings
    from ingest.formats import read
    from ingest.layout import lay_out

    for path in find_files([source]):
        shutil.copyfile(path, target / f"0000-{path.name}")
        if copies == 1:
            continue
        content = read(path.suffix, path.read_bytes(), **load_settings().zip_limits())
        text = content if isinstance(content, str) else lay_out(content).text
        common = frozenset(re.findall(r"\b[a-z]+\b", text))
        for copy in range(1, copies):
            rng = random.Random(f"{seed}-{copy:04d}-{path.name}")
            (target / f"{copy:04d}-{path.stem}.txt").write_text(_vary_text(text, locality(copy, seed), common, rng), encoding="utf-8")
