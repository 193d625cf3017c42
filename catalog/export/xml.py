"""A streaming XML writer over :class:`xml.sax.saxutils.XMLGenerator` that no Hub string can break.

The generator escapes markup (``<``, ``&``, quotes); :func:`~catalog.export.text.xml_text` first
replaces what XML 1.0 cannot hold at all, so every element written reads back.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import XMLGenerator
from xml.sax.xmlreader import AttributesImpl

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


def _attributes(attrs: Mapping[str, Any]) -> AttributesImpl[str]:
    return AttributesImpl({k: xml_value(v) for k, v in attrs.items()})


class XmlWriter:
    """Write elements one at a time to a binary file, in UTF-8, one element a line."""

    def __init__(self, out: IO[bytes]) -> None:
        self._xml = XMLGenerator(out, encoding="utf-8", short_empty_elements=True)
        self._depth = 0

    def start_document(self) -> None:
        self._xml.startDocument()

    def end_document(self) -> None:
        self._xml.ignorableWhitespace("\n")
        self._xml.endDocument()

    def _indent(self) -> None:
        self._xml.ignorableWhitespace("\n" + "  " * self._depth)

    def start(self, name: str, attrs: Mapping[str, Any] | None = None) -> None:
        self._indent()
        self._xml.startElement(name, _attributes(attrs or {}))
        self._depth += 1

    def end(self, name: str, *, inline: bool = False) -> None:
        self._depth -= 1
        if not inline:
            self._indent()
        self._xml.endElement(name)

    def empty(self, name: str, attrs: Mapping[str, Any]) -> None:
        self._indent()
        self._xml.startElement(name, _attributes(attrs))
        self._xml.endElement(name)

    def text_element(self, name: str, attrs: Mapping[str, Any], text: Any) -> None:
        self._indent()
        self._xml.startElement(name, _attributes(attrs))
        # A parser reads a raw CR as LF; written as a character reference it reads back as CR.
        # (The generator escapes attribute values' CR, LF and tab itself.)
        for rank, piece in enumerate(xml_value(text).split("\r")):
            if rank:
                self._xml.ignorableWhitespace("&#13;")
            self._xml.characters(piece)
        self._xml.endElement(name)

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
