"""Step 1b's guard for zip-based formats (.docx, and any other a reader in ingest/formats.py
opens as a zip): the archive's expanded size and part count checked before anything parses it.

The file-size limit counts compressed bytes, and deflate shrinks repeated text about a
thousandfold: a 1 MB .docx expanding to 1 GB took the chat process to 3.4 GB (issue 24).
"""

from __future__ import annotations

import io
import zipfile

from ingest.formats import FormatError


def check_zip(data: bytes, *, max_expanded_bytes: int, max_members: int) -> None:
    """Raise FormatError, in one line, unless `data` is a zip archive of at most `max_members`
    parts whose expanded sizes add up to at most `max_expanded_bytes`.

    The sizes are the ones the archive declares. That is enough for readers that go through
    Python's zipfile, which never yields more of a part than its declared size (it stops there
    and reports a bad CRC): a part that lies about its size cannot expand past it.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as error:
        raise FormatError(f"not a zip archive, as this format must be ({error})") from None
    if len(members) > max_members:
        raise FormatError(f"has {len(members)} parts (the limit is {max_members}): refused unread")
    expanded = sum(member.file_size for member in members)
    if expanded > max_expanded_bytes:
        raise FormatError(
            f"expands to {expanded / 2**20:.0f} MB (the limit is {max_expanded_bytes / 2**20:.0f} MB): refused unread as a possible zip bomb"
        )
