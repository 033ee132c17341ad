"""Reading the XML inside callbacks: safely, once, and as far as it goes.

GeWe puts XML in ``Content`` and ``MsgSource``; the callback URL is public, so whatever posts
to it may send hostile XML. No DTD is accepted, so no entity is ever declared, expanded or
fetched (billion laughs, quadratic blowup, external entities): a document that carries a
``<!DOCTYPE`` goes to `defusedxml` with ``forbid_dtd=True``, which refuses it. Every attack
defusedxml guards against needs that declaration; a document without one holds nothing for
it to act on, so it is read by the standard library's C parser, which builds the same tree
2.5 times faster (the difference between 9,000 and 20,000 callbacks/s). The check is sound
because the text is a ``str``: expat is fed it as UTF-8 whatever its XML declaration says,
so no encoding can hide the declaration from a substring test. Documents longer than
`MAX_XML_CHARS` are not parsed at all.

A document cut short or malformed still yields what was read before the fault (the partial
tree), so an event keeps the fields that came before the break.
"""

from __future__ import annotations

from collections.abc import Callable
from xml.etree.ElementTree import Element, ParseError, TreeBuilder, XMLParser

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

__all__ = [
    "MAX_XML_CHARS",
    "attr",
    "attr_int",
    "attributes",
    "child_int",
    "child_text",
    "parse_xml",
    "parse_xml_head",
    "parses_whole",
    "to_int",
]

#: The longest document read, in characters. GeWe's largest (a group announcement with its
#: nested document) are a few kB; a cap keeps a hostile body from costing seconds of CPU.
MAX_XML_CHARS = 256 * 1024

# Ids are below 2**64 (20 digits); longer digit runs are not ids, and int() of thousands of
# digits is slow (and refused past 4,300).
_MAX_INT_CHARS = 24


def parse_xml(text: str) -> Element | None:
    """The root of ``text`` parsed as XML, possibly partial; ``None`` if nothing could be read.

    Text before the first ``<`` is skipped. DTDs (and so entity declarations) are refused:
    such a document yields ``None``.
    """
    start = text.find("<")
    if start < 0 or len(text) - start > MAX_XML_CHARS:
        return None
    if start:
        text = text[start:]
    if "<!DOCTYPE" in text:
        builder = TreeBuilder()
        return _read(DefusedXMLParser(target=builder, forbid_dtd=True), builder, text)
    # The C parser with its own C tree builder: no Python call per element.
    parser = XMLParser()  # noqa: S314 - no DTD, nothing to defuse (above)
    try:
        parser.feed(text)
        root: Element = parser.close()
    except (ParseError, ValueError):
        # Malformed, cut short, or not encodable (lone surrogates from JSON escapes): read it
        # again into a builder we hold, to keep the elements read before the fault.
        builder = TreeBuilder()
        return _read(XMLParser(target=builder), builder, text)  # noqa: S314 - as above
    return root


# expat's error at the end of a document cut between two tokens, with elements left open.
_NO_ELEMENT_FOUND = 3


def parses_whole(text: str) -> bool:
    """Whether `parse_xml` reads ``text`` at all (as far as it is well-formed).

    It refuses a text with no element, longer than `MAX_XML_CHARS`, with a DTD, or that does
    not encode (a lone surrogate).
    """
    start = text.find("<")
    if start < 0 or len(text) - start > MAX_XML_CHARS or "<!DOCTYPE" in text:
        return False
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return False
    return True


def parse_xml_head(text: str, through: str) -> Element | None:
    """The tree of ``text`` up to and including the first ``through``, or ``None``.

    What the head holds is what `parse_xml` gives for the whole text, as far as it goes: the
    same root, with its attributes, and the same first children, each with its ``text`` if
    the head goes past its end or its first child. That holds because expat reports an
    element once its start tag is read, whatever follows, and the head is read only when it
    ends between two tokens (its one error is that elements are left open). ``None`` (the
    caller parses the whole text) when the head cannot answer: no ``through``, a cut inside a
    token, or a text `parse_xml` refuses as a whole (too long, a DTD, not encodable).
    """
    start = text.find("<")
    cut = text.find(through, start)
    if cut < 0 or not parses_whole(text):
        return None
    builder = TreeBuilder()
    parser = XMLParser(target=builder)  # noqa: S314 - no DTD (above), nothing to defuse
    try:
        parser.feed(text[start : cut + len(through)])
        parser.close()
    except ParseError as exc:
        if exc.code != _NO_ELEMENT_FOUND:
            return None
    except ValueError:  # pragma: no cover - the text encodes (above)
        return None
    root: Element | None = builder.close()
    return root


def _read(parser: XMLParser | DefusedXMLParser, builder: TreeBuilder, text: str) -> Element | None:
    try:
        parser.feed(text)
        parser.close()
    except DefusedXmlException:
        return None
    except (ParseError, ValueError):
        pass
    try:
        root: Element | None = builder.close()
    except ParseError:  # pragma: no cover - the C builder returns what it has
        return None
    return root


def to_int(value: str | None) -> int | None:
    """``value`` as an exact int (decimal digits, optional sign), else ``None``."""
    if value is None:
        return None
    value = value.strip()
    if not value or len(value) > _MAX_INT_CHARS:
        return None
    digits = value[1:] if value[0] in "+-" else value
    if not digits.isdigit() or not digits.isascii():
        return None
    return int(value)


def child_text(elem: Element | None, tag: str) -> str | None:
    """The text of ``elem``'s first child ``tag``; ``None`` if absent or empty.

    ``tag`` is a plain tag, never a path: ``Element.find`` looks a plain tag up in C, a path
    in Python (several times slower), and this runs a dozen times per callback.
    """
    if elem is None:
        return None
    node = elem.find(tag)
    if node is None:
        return None
    return node.text or None


def child_int(elem: Element | None, tag: str) -> int | None:
    """The text of ``elem``'s child ``tag`` as an int; ``None`` if absent or not an integer."""
    return to_int(child_text(elem, tag))


def attributes(elem: Element | None) -> Callable[[str], str | None]:
    """A lookup of ``elem``'s attributes (``None`` for any name when ``elem`` is ``None``).

    Handlers read a dozen attributes of one element: one bound ``dict.get`` is cheaper than
    a helper call per attribute.
    """
    return _NO_ATTRIBUTES if elem is None else elem.attrib.get


def _no_attribute(name: str) -> str | None:
    return None


_NO_ATTRIBUTES = _no_attribute


def attr(elem: Element | None, name: str) -> str | None:
    """The attribute ``name`` of ``elem``; ``None`` if absent or empty."""
    if elem is None:
        return None
    return elem.get(name) or None


def attr_int(elem: Element | None, name: str) -> int | None:
    """The attribute ``name`` as an int; ``None`` if absent or not an integer."""
    return to_int(attr(elem, name))
