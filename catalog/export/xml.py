"""A streaming XML writer that no Hub string can break: :class:`xml.sax.saxutils.XMLGenerator`'s bytes, faster.

It escapes markup (``<``, ``&``, quotes) as the generator does; :func:`~catalog.export.text.xml_text`
first replaces what XML 1.0 cannot hold at all, so every element written reads back.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from catalog.export.text import xml_text

__all__ = ["XmlWriter", "xml_document", "xml_value"]


def xml_value(value: Any) -> str:
    """Return a value as XML text: booleans as ``true``/``false``, strings made XML-safe.

    Examples
    --------
    >>> xml_value(True), xml_value(3), xml_value("a\\x00")
    ('true', '3', 'a\\ufffd')
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    return xml_text(value if isinstance(value, str) else str(value))


# What XMLGenerator's escape() and quoteattr() replace, in one pass each.
_TEXT = str.maketrans({"&": "&amp;", ">": "&gt;", "<": "&lt;"})
_ATTRIBUTE = str.maketrans(
    {"&": "&amp;", ">": "&gt;", "<": "&lt;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}
)
#: The characters either replaces (text leaves LF and tab as they are, and writes CR as a reference).
_SPECIAL = frozenset("&<>\n\r\t")


def _quoted(value: Any) -> str:
    """An attribute value as :func:`xml.sax.saxutils.quoteattr` writes it (after :func:`xml_value`)."""
    data = xml_value(value)
    if not _SPECIAL.isdisjoint(data):  # most values need no escaping; looking is cheaper
        data = data.translate(_ATTRIBUTE)
    if '"' not in data:
        return f'"{data}"'
    if "'" not in data:
        return f"'{data}'"
    return '"' + data.replace('"', "&quot;") + '"'


class XmlWriter:
    """Write elements one at a time to a binary file, in UTF-8, one element a line.

    The bytes are those of :class:`xml.sax.saxutils.XMLGenerator` with short empty elements
    (its escaping, its quoting, ``<a/>`` for an element without content), written without its
    per-call overhead: an export writes tens of millions of elements.
    """

    def __init__(self, out: IO[bytes]) -> None:
        self._text = io.TextIOWrapper(out, encoding="utf-8", errors="xmlcharrefreplace", newline="\n")
        self._write = self._text.write
        self._depth = 0
        self._pending = False  # a start tag whose ">" (or "/>") is not written yet

    def start_document(self) -> None:
        self._write('<?xml version="1.0" encoding="utf-8"?>\n')

    def end_document(self) -> None:
        self._raw("\n")
        self._text.flush()
        self._text.detach()

    def _raw(self, text: str) -> None:
        if self._pending:
            self._write(">")
            self._pending = False
        self._write(text)

    def _open(self, name: str, attrs: Mapping[str, Any] | None) -> None:
        self._raw("\n" + "  " * self._depth)
        if attrs:
            self._write(f"<{name} " + " ".join(f"{k}={_quoted(v)}" for k, v in attrs.items()))
        else:
            self._write(f"<{name}")
        self._pending = True

    def _close(self, name: str) -> None:
        if self._pending:
            self._write("/>")
            self._pending = False
        else:
            self._write(f"</{name}>")

    def start(self, name: str, attrs: Mapping[str, Any] | None = None) -> None:
        self._open(name, attrs)
        self._depth += 1

    def end(self, name: str, *, inline: bool = False) -> None:
        self._depth -= 1
        if not inline:
            self._raw("\n" + "  " * self._depth)
        self._close(name)

    def empty(self, name: str, attrs: Mapping[str, Any]) -> None:
        self._open(name, attrs)
        self._close(name)

    def text_element(self, name: str, attrs: Mapping[str, Any], text: Any) -> None:
        self._open(name, attrs)
        # A parser reads a raw CR as LF; written as a character reference it reads back as CR.
        # (Attribute values' CR, LF and tab are escaped as references too.)
        value = xml_value(text)
        if value:
            if not _SPECIAL.isdisjoint(value):
                value = value.translate(_TEXT).replace("\r", "&#13;")
            self._raw(value)
        self._close(name)

    @contextmanager
    def element(self, name: str, attrs: Mapping[str, Any] | None = None) -> Iterator[None]:
        self.start(name, attrs)
        yield
        self.end(name)


@contextmanager
def xml_document(path: Path) -> Iterator[XmlWriter]:
    """Write one XML document to ``path`` (the XML declaration, then what the caller writes)."""
    with path.open("wb", buffering=1 << 20) as out:
        xml = XmlWriter(out)
        xml.start_document()
        yield xml
        xml.end_document()
