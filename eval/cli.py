"""What the eval commands share on the command line: argument errors in one line, exit 2."""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn


class OneLineParser(argparse.ArgumentParser):
    """argparse prints its usage above an error; a person (and a CI log) needs the error alone."""

    def __init__(self, prog: str, doc: str | None) -> None:
        super().__init__(prog=prog, description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)

    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: error: {message} (see --help)", file=sys.stderr)
        sys.exit(2)


def fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2
