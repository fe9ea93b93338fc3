"""Editing a sidecar in place: the store's rating, flag and label written into its XMP.

:func:`update_sidecar` rewrites only the properties in
:data:`portfolio_tui.xmp.mappings.PROPERTIES`, in place: every other byte of an
existing sidecar (darktable's whole edit history, digiKam's tags, Lightroom's
develop settings) is kept as it was.  The bytes are located with expat's
offsets (:func:`_scan`) and changed by :class:`_Editor`; the result is read back
with :func:`portfolio_tui.xmp.culling.culling_of_packet` before it is returned.
A sidecar that cannot be parsed safely raises :class:`SidecarError`.
"""

from __future__ import annotations

import re
import xml.parsers.expat
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Final
from xml.sax.saxutils import escape, quoteattr

from .. import __version__
from ..curation import PhotoCuration
from .culling import _number, culling_of_packet
from .mappings import (
    DARKTABLE_LABEL_NUMBERS,
    DARKTABLE_OLD_REJECT,
    DIGIKAM_ACCEPTED,
    DIGIKAM_COLOR_LABELS,
    DIGIKAM_REJECTED,
    LIGHTROOM_LABELS,
    PROPERTIES,
)
from .packets import (
    DARKTABLE_NS,
    DIGIKAM_NS,
    RDF_NS,
    XMP_NS,
    descriptions,
    parse_root,
    property_values,
)


class SidecarError(Exception):
    """A sidecar that cannot be updated safely (the message says why)."""


@dataclass
class _Node:
    """One element of a sidecar, with where it is in the file's bytes."""

    qname: str
    attrs: list[tuple[str, str]]
    start: int  # "<"
    head_end: int  # after the start tag's ">"
    scope: dict[str, str]  # prefix -> namespace inside this element ("" the default)
    end: int = -1  # after the end tag (== head_end for <empty/>)
    children: list[_Node] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return self.end == self.head_end

    def resolve(self, qname: str, attribute: bool = False) -> tuple[str, str]:
        prefix, sep, local = qname.partition(":")
        if not sep:
            return ("" if attribute else self.scope.get("", "")), qname
        return self.scope.get(prefix, ""), local

    @property
    def tag(self) -> tuple[str, str]:
        return self.resolve(self.qname)

    def walk(self) -> Iterator[_Node]:
        yield self
        for child in self.children:
            yield from child.walk()


_TAG_END: Final = re.compile(rb"(?:[^>\"']|\"[^\"]*\"|'[^']*')*>")
_ATTRIBUTE: Final = re.compile(rb"(\s+)([^\s=/>]+)(\s*=\s*)(\"[^\"]*\"|'[^']*')")
_XML_NS: Final = "http://www.w3.org/XML/1998/namespace"


def _scan(data: bytes) -> _Node:
    """Every element with its byte offsets (only called on data defusedxml accepted)."""
    parser = xml.parsers.expat.ParserCreate()
    parser.ordered_attributes = True
    parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse(*_args: object) -> None:
        raise SidecarError("it has a document type declaration")

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    stack: list[_Node] = []
    roots: list[_Node] = []

    def start(name: str, attributes: list[str]) -> None:
        begin = parser.CurrentByteIndex
        match = _TAG_END.match(data, begin + 1)
        if match is None:  # pragma: no cover - expat accepted the tag
            raise SidecarError("it has a start tag without its end")
        scope = dict(stack[-1].scope) if stack else {"xml": _XML_NS}
        pairs = list(zip(attributes[::2], attributes[1::2], strict=True))
        for key, value in pairs:
            if key == "xmlns":
                scope[""] = value
            elif key.startswith("xmlns:"):
                scope[key[6:]] = value
        node = _Node(name, pairs, begin, match.end(), scope)
        (stack[-1].children if stack else roots).append(node)
        stack.append(node)

    def end(_name: str) -> None:
        node = stack.pop()
        if data[node.head_end - 2 : node.head_end] == b"/>":
            node.end = node.head_end
        else:
            close = data.index(b">", parser.CurrentByteIndex)
            node.end = close + 1

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(data, True)
    except xml.parsers.expat.ExpatError as exc:
        raise SidecarError(f"it is not well-formed XML ({exc})") from None
    if len(roots) != 1:  # pragma: no cover - expat allows one root
        raise SidecarError("it has no root element")
    return roots[0]


@dataclass
class _Edit:
    start: int
    end: int
    text: bytes
    order: int


class _Editor:
    """Byte edits on a sidecar: replacements and insertions, applied at once."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.edits: list[_Edit] = []
        self.declared: dict[int, dict[str, str]] = {}  # node start -> prefixes added

    def replace(self, start: int, end: int, text: str) -> None:
        self.edits.append(_Edit(start, end, text.encode("utf-8"), len(self.edits)))

    def render(self) -> bytes:
        out: list[bytes] = []
        position = 0
        for edit in sorted(self.edits, key=lambda e: (e.start, e.end, e.order)):
            if edit.start < position:  # pragma: no cover - a bug in the planning below
                raise SidecarError("the edits would overlap")
            out.append(self.data[position : edit.start])
            out.append(edit.text)
            position = edit.end
        out.append(self.data[position:])
        return b"".join(out)

    # -- reading the bytes ------------------------------------------------------
    def attribute_spans(self, node: _Node) -> list[tuple[str, re.Match[bytes]]]:
        head = node.start + 1 + len(node.qname.encode("utf-8"))
        spans = []
        for match in _ATTRIBUTE.finditer(self.data, head, node.head_end):
            spans.append((match.group(2).decode("utf-8"), match))
        return spans

    def indent_before(self, position: int) -> str | None:
        """The whitespace from the line's start up to ``position``, if only whitespace."""
        line = self.data.rfind(b"\n", 0, position) + 1
        text = self.data[line:position]
        if line == 0 or text.strip():
            return None
        return text.decode("utf-8")

    # -- namespaces -------------------------------------------------------------
    def prefix(self, node: _Node, namespace: str, usual: str) -> str:
        """A prefix bound to ``namespace`` on ``node``, declaring one if needed."""
        added = self.declared.setdefault(node.start, {})
        scope = {**node.scope, **added}
        if scope.get(usual) == namespace:
            return usual
        for prefix, uri in scope.items():
            if uri == namespace and prefix:
                return prefix
        prefix, n = usual, 1
        while prefix in scope:
            n += 1
            prefix = f"{usual}{n}"
        added[prefix] = namespace
        self.add_attribute(node, f"xmlns:{prefix}", namespace)
        return prefix

    def add_attribute(self, node: _Node, name: str, value: str) -> None:
        """Add ``name="value"`` after the last attribute (a declaration after the last one)."""
        spans = self.attribute_spans(node)
        if name.startswith("xmlns:"):
            spans = [span for span in spans if span[0].startswith("xmlns")] or spans
        if spans:
            last = spans[-1][1]
            space = last.group(1).decode("utf-8")
            where = last.end()
        else:
            space = " "
            where = node.start + 1 + len(node.qname.encode("utf-8"))
        self.replace(where, where, f"{space}{name}={quoteattr(value)}")

    def add_child(self, node: _Node, render: Callable[[str], str]) -> None:
        """Insert the element ``render(indent)`` returns as the last child of ``node``."""
        own = self.indent_before(node.start) or ""
        child_indent = own + " "
        if node.children:
            child_indent = self.indent_before(node.children[0].start) or child_indent
        if node.empty:
            self.replace(
                node.head_end - 2,
                node.head_end,
                f">\n{child_indent}{render(child_indent)}\n{own}</{node.qname}>",
            )
            return
        close = self.data.rindex(b"</", node.head_end, node.end)
        closing_indent = self.indent_before(close)
        if closing_indent is not None:
            newline = self.data.rfind(b"\n", 0, close)
            self.replace(newline, newline, f"\n{child_indent}{render(child_indent)}")
        else:
            self.replace(close, close, render(child_indent))

    def remove_node(self, node: _Node) -> None:
        start = node.start
        if self.indent_before(start) is not None:
            start = self.data.rfind(b"\n", 0, start)
        self.replace(start, node.end, "")


def _seq(name: str, rdf: str, items: Sequence[str], indent: str) -> str:
    lines = [f"<{name}>", f"{indent} <{rdf}:Seq>"]
    lines += [f"{indent}  <{rdf}:li>{escape(item)}</{rdf}:li>" for item in items]
    lines += [f"{indent} </{rdf}:Seq>", f"{indent}</{name}>"]
    return "\n".join(lines)


@dataclass(frozen=True)
class _Want:
    """A property's new value: text, a list (an rdf:Seq), or None to remove it."""

    value: str | tuple[str, ...] | None


def _apply_wants(data: bytes, wants: dict[tuple[str, str, str], _Want]) -> bytes:
    root = _scan(data)
    blocks = [
        child
        for node in root.walk()
        if node.tag == (RDF_NS, "RDF")
        for child in node.children
        if child.tag == (RDF_NS, "Description")
    ]
    if not blocks:
        raise SidecarError("it has no rdf:Description to hold the values")
    editor = _Editor(data)
    for (namespace, name, usual), want in wants.items():
        places = list(_find_all(editor, blocks, namespace, name))
        if not places:
            if want.value is None:
                continue
            target = next(
                (b for b in blocks if namespace in b.scope.values()),
                blocks[0],
            )
            _add(editor, target, namespace, name, usual, want.value)
            continue
        # A property stated more than once (an attribute and an element, or in two
        # rdf:Description blocks) is read from its first place: that one is updated
        # and the others removed, or a reader would find the old value there (or,
        # after a removal, in the next place).
        for _block, attribute, child in places if want.value is None else places[1:]:
            if attribute is not None:
                editor.replace(attribute.start(), attribute.end(), "")
            elif child is not None:
                editor.remove_node(child)
        if want.value is None:
            continue
        block, attribute, child = places[0]
        if isinstance(want.value, str):
            if attribute is not None:
                quoted = attribute.group(4)
                quote = quoted[:1].decode("ascii")
                text = escape(want.value, {quote: "&quot;" if quote == '"' else "&apos;"})
                editor.replace(attribute.start(4) + 1, attribute.end(4) - 1, text)
            elif child is not None:
                editor.replace(
                    child.start,
                    child.end,
                    f"<{child.qname}>{escape(want.value)}</{child.qname}>",
                )
            continue
        items = want.value
        if child is not None:
            rdf = editor.prefix(block, RDF_NS, "rdf")
            indent = editor.indent_before(child.start) or ""
            editor.replace(child.start, child.end, _seq(child.qname, rdf, items, indent))
        else:  # written as an attribute: a list needs an element
            assert attribute is not None
            editor.replace(attribute.start(), attribute.end(), "")
            _add(editor, block, namespace, name, usual, items)
    return editor.render()


def _find_all(
    editor: _Editor, blocks: Sequence[_Node], namespace: str, name: str
) -> Iterator[tuple[_Node, re.Match[bytes] | None, _Node | None]]:
    """Every place the property is stated, first the one
    :func:`portfolio_tui.xmp.property_values` reads."""
    for block in blocks:
        for qname, match in editor.attribute_spans(block):
            if qname.startswith("xmlns"):
                continue
            if block.resolve(qname, attribute=True) == (namespace, name):
                yield block, match, None
        for child in block.children:
            if child.tag == (namespace, name):
                yield block, None, child


def _add(
    editor: _Editor,
    block: _Node,
    namespace: str,
    name: str,
    usual: str,
    value: str | tuple[str, ...],
) -> None:
    prefix = editor.prefix(block, namespace, usual)
    if isinstance(value, str):
        editor.add_attribute(block, f"{prefix}:{name}", value)
        return
    rdf = editor.prefix(block, RDF_NS, "rdf")
    editor.add_child(block, lambda indent: _seq(f"{prefix}:{name}", rdf, value, indent))


def _new_sidecar() -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="portfolio-tui {__version__}">\n'
        f' <rdf:RDF xmlns:rdf="{RDF_NS}">\n'
        '  <rdf:Description rdf:about=""\n'
        f'    xmlns:xmp="{XMP_NS}"\n'
        f'    xmlns:darktable="{DARKTABLE_NS}"\n'
        f'    xmlns:digiKam="{DIGIKAM_NS}">\n'
        "  </rdf:Description>\n"
        " </rdf:RDF>\n"
        "</x:xmpmeta>\n"
    ).encode()


def _has_values(entry: PhotoCuration) -> bool:
    return entry.rating > 0 or entry.flag is not None or entry.label is not None


def _wants(
    entry: PhotoCuration, current: dict[str, list[str] | None], overwrite: bool
) -> dict[tuple[str, str, str], _Want]:
    """The properties to change (absent: leave as it is) for the store's ``entry``."""
    wants: dict[tuple[str, str, str], _Want] = {}
    rating_key, label_key, darktable_key, colour_key, pick_key = PROPERTIES

    def single(key: tuple[str, str, str]) -> str | None:
        values = current[key[1]]
        return values[0].strip() if values else None

    rating = single(rating_key)
    if entry.flag == "reject":
        wanted: int | None = -1
    elif entry.rating > 0:
        wanted = entry.rating
    elif rating is not None and (
        overwrite or (entry.flag == "pick" and _number(rating) in (-1, DARKTABLE_OLD_REJECT))
    ):
        wanted = 0  # picked, so no longer rejected; or cleared
    else:
        wanted = None
    if wanted is not None and _number(rating) != wanted:
        wants[rating_key] = _Want(str(wanted))

    label = entry.label
    present = single(label_key)
    if label is not None:
        if present != LIGHTROOM_LABELS[label]:
            wants[label_key] = _Want(LIGHTROOM_LABELS[label])
    elif overwrite and present:
        wants[label_key] = _Want(None)

    listed = [v.strip() for v in current[darktable_key[1]] or () if v.strip()]
    if label is not None:
        if not listed or _number(listed[0]) != DARKTABLE_LABEL_NUMBERS[label]:
            wants[darktable_key] = _Want((str(DARKTABLE_LABEL_NUMBERS[label]),))
    elif overwrite and current[darktable_key[1]] is not None:
        wants[darktable_key] = _Want(None)

    colour = single(colour_key)
    if label is not None:
        if _number(colour) != DIGIKAM_COLOR_LABELS[label]:
            wants[colour_key] = _Want(str(DIGIKAM_COLOR_LABELS[label]))
    elif overwrite and colour and _number(colour) != 0:
        wants[colour_key] = _Want(None)

    pick = single(pick_key)
    flag = {"reject": DIGIKAM_REJECTED, "pick": DIGIKAM_ACCEPTED}.get(entry.flag or "")
    if flag is not None:
        if _number(pick) != flag:
            wants[pick_key] = _Want(str(flag))
    elif overwrite and pick and _number(pick) != 0:
        wants[pick_key] = _Want(None)
    return wants


def _expected(entry: PhotoCuration, overwrite: bool) -> dict[str, object]:
    """What import must read back from an exported sidecar (fields it can check)."""
    expected: dict[str, object] = {}
    if entry.flag == "reject":
        expected["flag"] = "reject"
        expected["rating"] = None
    elif entry.rating > 0 or overwrite:
        expected["rating"] = entry.rating or None
    if entry.flag == "pick" or overwrite:
        expected.setdefault("flag", entry.flag)
    if entry.label is not None or overwrite:
        expected["label"] = entry.label
    return expected


def update_sidecar(
    data: bytes | None, entry: PhotoCuration, *, overwrite: bool = False, origin: str = "sidecar"
) -> bytes | None:
    """The sidecar ``data`` (None: a new one) with the store's ``entry`` written in.

    Returns None when nothing needs to change.  Only the properties in
    :data:`PROPERTIES` are touched; every other byte stays as it was.  Raises
    :class:`SidecarError` when the sidecar cannot be updated safely.
    """
    if data is None:
        if not _has_values(entry):
            return None
        data = _new_sidecar()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        raise SidecarError("it is not UTF-8") from None
    if b"\x00" in data:
        raise SidecarError("it is not UTF-8 (UTF-16, or binary)")
    root, problem = parse_root(data, origin)
    if root is None:
        reason = problem or "the XMP could not be parsed"
        if reason.startswith(f"{origin}: "):
            reason = reason[len(origin) + 2 :]
        raise SidecarError(reason)
    blocks = descriptions(root)
    current = {name: property_values(blocks, ns, name) for ns, name, _ in PROPERTIES}
    wants = _wants(entry, current, overwrite)
    if not wants:
        return None
    lead = len(data) - len(data.lstrip(b" \t\r\n"))
    body = _apply_wants(data[lead:], wants)
    updated = data[:lead] + body
    readback = culling_of_packet(updated, origin)
    for name, value in _expected(entry, overwrite).items():
        if getattr(readback, name) != value:  # pragma: no cover - guards the editor above
            raise SidecarError(
                f"the edit did not read back as written ({name} would be "
                f"{getattr(readback, name)!r}, not {value!r})"
            )
    return updated
