"""Hub strings made safe for each format: XML 1.0 characters, and one triple per line.

Hub strings are hostile: an id or a label may hold NUL, other control characters or a lone
surrogate (JSON can spell ``\\ud800``). XML 1.0 cannot hold most of them at all, not even as
character references, so :func:`xml_text` replaces each with U+FFFD (the replacement character):
the file stays readable, and the damage is visible. :func:`line_field` escapes instead, so that a
triple's fields keep every character and never break a line or a column.
"""

from __future__ import annotations

import re

__all__ = ["line_field", "xml_text"]

# Everything outside XML 1.0's Char production: C0 controls but tab, LF and CR; lone surrogates
# (U+D800-U+DFFF); U+FFFE and U+FFFF.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Backslash first (so that an escape reads back unambiguously), then every character that ends a
# line for some reader (str.splitlines, awk, a CSV parser) or splits a field.
_ESCAPES = {
    ord("\\"): "\\\\",
    ord("\t"): "\\t",
    ord("\n"): "\\n",
    ord("\r"): "\\r",
    **{c: f"\\x{c:02x}" for c in (*range(0x20), 0x7F, 0x85) if chr(c) not in "\t\n\r"},
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}
_SURROGATE = re.compile("[\ud800-\udfff]")


def xml_text(value: str) -> str:
    """Return ``value`` with every character XML 1.0 cannot hold replaced by U+FFFD.

    Examples
    --------
    >>> xml_text("a\\x00b\\x1bc\\ud800d\\te")
    'a\\ufffdb\\ufffdc\\ufffdd\\te'
    """
    return _NOT_XML.sub("\ufffd", value)


def line_field(value: str) -> str:
    """Return ``value`` escaped for a tab-separated line: ``\\\\``, ``\\t``, ``\\n``, ``\\r``, ``\\xNN``.

    Lone surrogates become ``\\udXXX``; every other character is kept as it is (UTF-8 in the file).

    Examples
    --------
    >>> print(line_field("a\\tb\\nc\\\\d\\x00e\\ud800"))
    a\\tb\\nc\\\\d\\x00e\\ud800
    """
    escaped = value.translate(_ESCAPES)
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", escaped)
