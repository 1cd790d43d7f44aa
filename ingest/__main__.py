"""Build or update the index from procedure texts.

Example:
    python -m ingest                      # corpus/ into index/
    python -m ingest corpus/ --index /tmp/index
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from config import load_settings


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m ingest", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", type=Path, help="files or folders to ingest (default: corpus/)")
    parser.add_argument("--index", type=Path, help="index folder (default: index/)")
    parser.add_argument("--verbose", action="store_true", help="show tracebacks for unexpected errors")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from ingest.build import build_index
    from ingest.embed import Embedder, ModelError
    from ingest.load import IngestError

    try:
        settings = load_settings()
        paths = args.paths or [settings.corpus_dir]
        index_dir = args.index or settings.index_dir
        report = build_index(paths, index_dir, settings, Embedder(settings), progress=sys.stderr.isatty())
    except (IngestError, ModelError, ValueError) as error:
        if args.verbose:
            raise
        print(f"error: {error}", file=sys.stderr)
        return 2
    print("\n".join(report.lines()))
    print(f"published {report.build}")
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
