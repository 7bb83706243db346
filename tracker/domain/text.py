"""Clean text at the door: what a single-line field and a multi-line field may hold.

A line break in a host institution's name ends up in an e-mail subject, a CSV cell
or a PDF heading; a NUL is refused by PostgreSQL. Single-line values therefore lose
every control character (line breaks and tabs become one space), multi-line values
keep only line breaks and tabs.
"""

import re

# C0 and C1 controls, DEL, and the Unicode line and paragraph separators.
_BREAKS = re.compile(r"[\t\n\v\f\r\x1c-\x1e\x85\u2028\u2029]+")
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")


def single_line(text: str) -> str:
    """Return ``text`` as one line: breaks and tabs become a space, other controls go."""
    return _CONTROLS.sub("", _BREAKS.sub(" ", text))


def multi_line(text: str) -> str:
    """Return ``text`` with "\\n" line breaks, tabs kept, every other control character gone."""
    return _CONTROLS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
