"""Build or update the index from procedure texts.

Example:
    python -m ingest                      # corpus/ into index/
    python -m ingest corpus/ --index /tmp/index
    python -m ingest corpus/new-chapter.pdf      # add or update one file, keep the rest
    python -m ingest show corpus/new-chapter.pdf # how a file is read: title, dates, headings, passages

Unchanged files are skipped, changed ones re-chunked and only their new sentences
embedded; a file removed from a scanned folder is dropped (--keep-missing keeps it).
The new build is published in one step; every run is logged in <index>/ingest-log.jsonl.
With ASSISTANT_STORE=postgresql://… the build is published to that database instead, in one
transaction, for every chat replica on it; the run is logged there too.
Exit code 0 when every file went in, 1 when some failed, 2 when nothing could be done.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from config import load_settings


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m ingest", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", type=Path, help="files or folders to ingest (default: corpus/)")
    parser.add_argument("--index", type=Path, help="index folder (default: index/)")
    parser.add_argument("--keep-missing", action="store_true", help="keep documents whose files are gone")
    parser.add_argument("--rebuild", action="store_true", help="prepare and embed every document afresh, keeping nothing of the live index")
    parser.add_argument("--verbose", action="store_true", help="show tracebacks for unexpected errors")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["show"]:  # a subcommand by its first word: the plain form takes paths
        return show(argv[1:])
    args = parse_args(argv)
    from ingest.build import build_index
    from ingest.load import IngestError
    from journal import log_run
    from searchindex.embed import ModelError, open_embedder
    from searchindex.stores import StoreUnavailable

    try:
        settings = load_settings()
        paths = args.paths or [settings.corpus_dir]
        index_dir = args.index or settings.index_dir
        started = time.monotonic()
        report = build_index(paths, index_dir, settings, open_embedder(settings), keep_missing=args.keep_missing, progress=True, reuse=not args.rebuild)
        log_run(settings, index_dir, report, time.monotonic() - started)
    except (IngestError, ModelError, ValueError, StoreUnavailable) as error:
        if args.verbose:
            raise
        print(f"error: {error}", file=sys.stderr)
        return 2
    print("\n".join(report.lines()))
    print(f"serving {report.build}")
    return 1 if report.failed else 0


def show(argv: list[str]) -> int:
    from ingest.load import IngestError
    from ingest.show import main as show_main

    try:
        return show_main(argv, load_settings())
    except (IngestError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
