"""What every command does with bad input: one paragraph on stderr that names the thing and what
is allowed, exit status 2, no traceback and no half-written result.

- `Parser` is argparse with its errors in that form (argparse's own are a usage block and a line);
- the argument types below (`whole_number`, `number`, `existing_folder`, `existing_file`, or one
  of your own through `argument_type`) check a value where it is read, with the range in the
  message;
- `answers_bad_input(prog)` wraps a command's body: an `InputError` raised anywhere below it (a
  garbled file, a foreign table, an impossible value) and an `OSError` on a named path (a folder
  that cannot be written) become that paragraph;
- `output_path(path, flag)` checks, before anything runs, that an output can be written there.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, NoReturn

from ..core.validation import MIN_WORKERS, InputError  # noqa: F401  (commands take it from here)

EXIT_BAD_INPUT = 2


def one_paragraph(text: str) -> str:
    return " ".join(str(text).split())


def refuse(prog: str, message: str) -> NoReturn:
    print(f"{prog}: {one_paragraph(message)}", file=sys.stderr, flush=True)
    sys.exit(EXIT_BAD_INPUT)


# argparse's message for a value an argument type below refused: "argument --x/-y: got ..."
_BAD_VALUE = re.compile(r"argument (?P<names>[^:]+): (?P<rest>got .*; allowed: .*)", re.S)


class Parser(argparse.ArgumentParser):
    """argparse, whose errors are one paragraph naming the argument and pointing to --help."""

    def error(self, message: str) -> NoReturn:  # type: ignore[override]
        bad = _BAD_VALUE.fullmatch(message)
        if bad:  # a value the argument's type refused: as `sim` says it of an override
            name = bad["names"].split("/")[-1]
            refuse(self.prog, f"Invalid value for '{name}': {bad['rest']}.")
        refuse(self.prog, f"Cannot read the arguments: {message}; allowed: the arguments listed "
                          f"by {self.prog} --help.")


def argument_type(name: str, convert: Callable, allowed: str) -> Callable:
    """An argparse type whose failure message says what is allowed (argparse adds the name)."""
    def parse(text: str):
        try:
            return convert(text)
        except (ValueError, TypeError, OverflowError):
            raise argparse.ArgumentTypeError(f"got {text!r}; allowed: {allowed}") from None
    parse.__name__ = name
    return parse


def whole_number(low: int, high: int) -> Callable[[str], int]:
    def convert(text: str) -> int:
        value = int(text)
        if not low <= value <= high:
            raise ValueError(text)
        return value
    return argument_type("whole number", convert, f"a whole number from {low:,} to {high:,}")


def number(low: float, high: float, open_low: bool = False) -> Callable[[str], float]:
    def convert(text: str) -> float:
        value = float(text)
        if not (low < value if open_low else low <= value) or not value <= high:
            raise ValueError(text)
        return value
    above = "above" if open_low else "from"
    return argument_type("number", convert, f"a number {above} {low:g} to {high:g}")


def existing_folder(what: str) -> Callable[[str], Path]:
    def convert(text: str) -> Path:
        if not Path(text).is_dir():
            raise ValueError(text)
        return Path(text)
    return argument_type("folder", convert, f"an existing folder ({what})")


def existing_file(what: str) -> Callable[[str], Path]:
    def convert(text: str) -> Path:
        if not Path(text).is_file():
            raise ValueError(text)
        return Path(text)
    return argument_type("file", convert, f"an existing file ({what})")


def output_path(path: Path, flag: str, folder: bool = False) -> Path:
    """`path` can be written (a file, or with `folder` a folder): it is not in the way as the
    other kind, and its deepest existing parent is a folder this process can write in (a
    temporary folder is made and removed there: nothing is left behind). An InputError naming
    `flag` otherwise; checked before a command runs, so that nothing is computed in vain."""
    path = Path(path)
    allowed = (f"a {'folder' if folder else 'file'} path in a folder that can be written "
               f"(choose another with {flag})")
    if path.exists() and path.is_dir() != folder:
        raise InputError(f"Invalid value for '{flag}': got '{path}', which is a "
                         f"{'file' if folder else 'folder'}; allowed: {allowed}.")
    parent = path.absolute() if folder else path.absolute().parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise InputError(f"Invalid value for '{flag}': got '{path}': '{parent}' is a file, not a "
                         f"folder; allowed: {allowed}.")
    try:
        tempfile.TemporaryDirectory(dir=parent, prefix=".sim-check-").cleanup()
    except OSError as e:
        raise InputError(f"Invalid value for '{flag}': got '{path}': cannot write in '{parent}' "
                         f"({e.strerror or e}); allowed: {allowed}.") from None
    return path


@contextmanager
def answers_bad_input(prog: str) -> Iterator[None]:
    """Bad input found below this point is answered as one paragraph with exit status 2."""
    try:
        yield
    except InputError as e:
        refuse(prog, str(e))
    except OSError as e:
        if e.filename is None:
            raise  # not about a path the user gave: a fault of the program, shown as such
        refuse(prog, f"Cannot use '{e.filename}' ({e.strerror or e}); allowed: a path that "
                     "exists and can be read, and a folder that can be written.")
