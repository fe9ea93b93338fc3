"""Ratings, flags and colour labels between XMP and the curation store.

``portfolio-tui xmp import`` reads what Lightroom, darktable and digiKam wrote
(embedded XMP and sidecars) into ``curation.toml``; ``portfolio-tui xmp export``
writes the store's values into sidecars so those tools see them.  The photos
themselves are only ever opened for reading.

The mapping (docs/curation.md has it as a table):

========================  ============  ==========  ======================  ==================
store                     xmp:Rating    xmp:Label   darktable:colorlabels   digiKam
========================  ============  ==========  ======================  ==================
rating 1..5               1..5
flag reject               -1                                                PickLabel 1
flag pick                                                                   PickLabel 3
label red                               Red         0                       ColorLabel 1
label yellow                            Yellow      1                       ColorLabel 3
label green                             Green       2                       ColorLabel 4
label blue                              Blue        3                       ColorLabel 5
label purple                            Purple      4                       ColorLabel 6
========================  ============  ==========  ======================  ==================

darktable writes ``xmp:Rating`` -1 for a rejected photo (``dt_image_get_xmp_rating_from_flags``
in ``src/common/image.c``) and reads 6, its internal ``DT_VIEW_REJECT``, as rejected too;
its colour labels are an ``rdf:Seq`` of numbers in ``http://darktable.sf.net/`` (several
may be set: the first is imported).  digiKam's numbers are its ``ColorLabel`` and
``PickLabel`` enums (``digikam_globals.h``: colour 0 none, 1 red, 2 orange, 3 yellow,
4 green, 5 blue, 6 magenta, 7 gray, 8 black, 9 white; pick 0 none, 1 rejected,
2 pending, 3 accepted) in ``http://www.digikam.org/ns/1.0/``.  What the store cannot
hold (orange, gray, black, white, "pending", a free-text ``xmp:Label``) is not
imported and is reported as a note.

Within one packet the label is read as :mod:`portfolio_tui.xmp` (and darktable)
reads it: ``xmp:Label``, else ``digiKam:ColorLabel``, else ``darktable:colorlabels``;
when they disagree, a note says so.  Across packets, sidecars come first
(``NAME.ext.xmp``, then ``NAME.xmp``), then the photo's embedded XMP, field by field.

Import never clears a field: an unrated photo in XMP leaves the store's rating
alone.  A field the store already holds with another value is a conflict: kept,
unless ``overwrite`` is set.

Export rewrites only the five properties above, in place: every other byte of
an existing sidecar (darktable's whole edit history, digiKam's tags, Lightroom's
develop settings) is kept as it was.  A sidecar that cannot be parsed safely is
reported and left alone; new content is written to a temp file in the same
folder, fsynced and renamed over the sidecar.  Export never clears a value the
store does not have, unless ``overwrite`` is set.

No Textual here: this module runs from the command line.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import stat
import time
import xml.parsers.expat
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Final, Literal
from xml.etree.ElementTree import Element
from xml.sax.saxutils import escape, quoteattr

from . import __version__
from .curation import (
    Change,
    CurationStore,
    InvalidChange,
    PhotoCuration,
    Snapshot,
    clean_photo_path,
)
from .files import fsync_dir
from .portfolio import Photo

if TYPE_CHECKING:
    from .store.sqlite_curation import SqliteCurationStore

from .xmp import (
    DARKTABLE_NS,
    DARKTABLE_OLD_REJECT,
    DIGIKAM_ACCEPTED,
    DIGIKAM_NS,
    DIGIKAM_REJECTED,
    LIGHTROOM_LABELS,
    RDF_NS,
    XMP_NS,
    culling_fields,
    descriptions,
    embedded_origin,
    find_sidecars,
    parse_root,
    property_values,
    read_embedded_packet,
    read_sidecar_bytes,
)

__all__ = [
    "DARKTABLE_LABELS",
    "DIGIKAM_COLOR_LABELS",
    "LIGHTROOM_LABELS",
    "Conflict",
    "ExportReport",
    "ImportPlan",
    "PhotoExport",
    "PhotoImport",
    "XmpCulling",
    "apply_import",
    "export_sidecars",
    "plan_import",
    "read_culling",
    "sidecar_for",
    "update_sidecar",
]

SidecarName = Literal["ext", "base"]

DARKTABLE_LABELS: Final = {"red": 0, "yellow": 1, "green": 2, "blue": 3, "purple": 4}
"""Store label -> number in ``darktable:colorlabels`` (``dt_colorlabels_enum``)."""
DIGIKAM_COLOR_LABELS: Final = {"red": 1, "yellow": 3, "green": 4, "blue": 5, "purple": 6}
"""Store label -> ``digiKam:ColorLabel`` (6 is digiKam's magenta, written as "Purple")."""
_NUMBER: Final = re.compile(r"[+-]?[0-9]{1,6}(?:\.0*)?")

PROPERTIES: Final = (
    (XMP_NS, "Rating", "xmp"),
    (XMP_NS, "Label", "xmp"),
    (DARKTABLE_NS, "colorlabels", "darktable"),
    (DIGIKAM_NS, "ColorLabel", "digiKam"),
    (DIGIKAM_NS, "PickLabel", "digiKam"),
)
"""Every property export may write: (namespace, name, usual prefix)."""


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class _Packet:
    """What one packet (a sidecar, or the photo's embedded XMP) says."""

    path: Path
    origin: str  # how problems and notes name it
    rating: int | None = None  # -1 (rejected) .. 5 as written; None when absent
    pick: int | None = None  # digiKam:PickLabel 0..3
    label: str | None = None  # a store label
    label_said: bool = False  # some label property holds a value (even one not imported)
    notes: dict[str, list[str]] = field(default_factory=dict)  # field -> notes


@dataclass(frozen=True)
class XmpCulling:
    """What a photo's XMP says, in the store's terms; None where it says nothing usable.

    ``rating`` is 1..5 (a rejected or unrated photo has none), ``flag`` "pick" or
    "reject", ``label`` one of the store's five.  ``notes`` are values the store
    cannot hold or that disagree; ``problems`` are files that could not be read.
    Both are sentences starting with the file they are about.  ``sources`` are
    the files that supplied a value.
    """

    rating: int | None = None
    flag: str | None = None
    label: str | None = None
    notes: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()
    sources: tuple[Path, ...] = ()

    @property
    def says_something(self) -> bool:
        return self.rating is not None or self.flag is not None or self.label is not None


def _packet(root: Element, path: Path, origin: str, problems: list[str]) -> _Packet:
    found = culling_fields(descriptions(root), origin, problems)  # the one reader (xmp.py)
    return _Packet(
        path, origin, found.rating, found.pick, found.label, found.label_said, found.notes
    )


def _read_bytes_packet(
    data: bytes | None, path: Path, origin: str, problems: list[str]
) -> _Packet | None:
    if data is None:
        return None
    root, problem = parse_root(data, origin)
    if root is None:
        if problem:
            problems.append(problem)
        return None
    return _packet(root, path, origin, problems)


def read_culling(photo: Path, file: Path | None = None, raw: Path | None = None) -> XmpCulling:
    """Rating, flag and label from the photo's sidecars and embedded XMP (never raises).

    Sidecars in :func:`portfolio_tui.xmp.find_sidecars` order come first (a
    pair's ``raw`` one's before the JPEG's), then the photo itself, field by
    field.  The photo is only read, from ``file`` (its ``real_path``; default ``photo``).
    """
    problems: list[str] = []
    packets: list[_Packet] = []
    for path in find_sidecars(photo, raw):
        data = read_sidecar_bytes(path, problems)
        found = _read_bytes_packet(data, path, str(path), problems)
        if found is not None:
            packets.append(found)
    data = read_embedded_packet(photo, problems, file)
    found = _read_bytes_packet(data, photo, embedded_origin(photo), problems)
    if found is not None:
        packets.append(found)
    return _merge(packets, problems)


def _merge(packets: Sequence[_Packet], problems: Sequence[str]) -> XmpCulling:
    rated = next((p for p in packets if p.rating is not None), None)
    picked = next((p for p in packets if p.pick is not None), None)
    labelled = next((p for p in packets if p.label_said), None)
    notes: list[str] = []
    used: list[Path] = []

    rating = None
    rejected = False
    if rated is not None:
        rejected = rated.rating == -1
        rating = rated.rating if rated.rating and rated.rating > 0 else None
        if rating is not None or rejected:
            used.append(rated.path)
    flag = "reject" if rejected else None
    if picked is not None:
        notes += picked.notes.get("flag", [])
        if picked.pick == DIGIKAM_REJECTED:
            flag = "reject"
            used.append(picked.path)
        elif picked.pick == DIGIKAM_ACCEPTED:
            used.append(picked.path)
            if rejected:
                where = "" if rated is picked or rated is None else f" in {rated.origin}"
                notes.append(
                    f"{picked.origin}: digiKam:PickLabel says accepted but xmp:Rating -1"
                    f"{where} says rejected; read as rejected"
                )
            else:
                flag = "pick"
    if rated is not None and rated is not picked:
        notes += rated.notes.get("flag", [])
    label = None
    if labelled is not None:
        notes += labelled.notes.get("label", [])
        label = labelled.label
        if label is not None:
            used.append(labelled.path)
    return XmpCulling(
        rating=rating,
        flag=flag,
        label=label,
        notes=tuple(dict.fromkeys(notes)),
        problems=tuple(problems),
        sources=tuple(dict.fromkeys(used)),
    )


def culling_of_packet(data: bytes, origin: str) -> XmpCulling:
    """What one packet says (for tests and for checking a sidecar after an edit)."""
    problems: list[str] = []
    found = _read_bytes_packet(data, Path(origin), origin, problems)
    return _merge([found] if found else [], problems)


# --------------------------------------------------------------------------- import


@dataclass(frozen=True)
class Conflict:
    """The store holds ``store`` for ``field`` where the XMP says ``xmp``."""

    field: str
    store: object
    xmp: object


@dataclass(frozen=True)
class PhotoImport:
    """One photo: what its XMP says, and what that does to the store."""

    rel: str
    path: Path
    xmp: XmpCulling
    changes: tuple[Change, ...] = ()
    conflicts: tuple[Conflict, ...] = ()


@dataclass(frozen=True)
class ImportPlan:
    """What an import does: per photo, the changes and conflicts; and every problem.

    ``photos`` lists only photos with something to report.  With ``overwrite``
    each conflict also has its change (XMP wins); without, conflicts are kept.
    """

    photos: tuple[PhotoImport, ...] = ()
    read: int = 0
    with_xmp: int = 0  # photos whose XMP holds a rating, flag or label
    overwrite: bool = False
    problems: tuple[str, ...] = ()

    @property
    def changes(self) -> list[Change]:
        return [change for photo in self.photos for change in photo.changes]

    def count(self, field_name: str) -> int:
        """Changes to ``field_name`` (rating, flag, label)."""
        return sum(1 for change in self.changes if change.field == field_name)

    @property
    def conflicts(self) -> int:
        return sum(len(photo.conflicts) for photo in self.photos)

    @property
    def notes(self) -> list[str]:
        return [note for photo in self.photos for note in photo.xmp.notes]


_FIELDS: Final = ("rating", "flag", "label")


def _decide(
    rel: str, path: Path, xmp: XmpCulling, entry: PhotoCuration, overwrite: bool
) -> PhotoImport:
    changes: list[Change] = []
    conflicts: list[Conflict] = []
    for name in _FIELDS:
        wanted = getattr(xmp, name)
        if wanted is None:
            continue
        current = getattr(entry, name)
        if current == wanted:
            continue
        if current not in (None, 0):
            conflicts.append(Conflict(name, current, wanted))
            if not overwrite:
                continue
        changes.append(Change(rel, name, wanted))
    return PhotoImport(rel, path, xmp, tuple(changes), tuple(conflicts))


def plan_import(
    photos: Iterable[Photo], snapshot: Snapshot, *, overwrite: bool = False
) -> ImportPlan:
    """Read every photo's XMP and work out what importing it would change.

    Nothing is written.  ``photos`` is usually ``portfolio.every_photo()``;
    ``snapshot`` the store as loaded.
    """
    entries: list[PhotoImport] = []
    problems: list[str] = []
    read = with_xmp = 0
    for photo in photos:
        read += 1
        xmp = read_culling(photo.path, photo.real_path, photo.raw)
        problems.extend(xmp.problems)
        with_xmp += xmp.says_something
        try:
            rel = clean_photo_path(photo.rel)
        except InvalidChange as exc:
            if xmp.says_something:
                problems.append(f"{photo.path}: cannot be curated ({exc}); rename the file")
            continue
        entry = _decide(rel, photo.path, xmp, snapshot.photo(rel), overwrite)
        if entry.changes or entry.conflicts or xmp.notes:
            entries.append(entry)
    entries.sort(key=lambda e: e.rel)
    return ImportPlan(tuple(entries), read, with_xmp, overwrite, tuple(problems))


def apply_import(
    store: CurationStore | SqliteCurationStore, plan: ImportPlan
) -> tuple[ImportPlan, Snapshot]:
    """Save the plan's changes in one :meth:`CurationStore.apply` batch.

    The store is re-read first and the plan decided again against it (the XMP
    is not read again), so a field another curator set since the plan was made
    counts as a conflict.  Returns the plan as applied and the store after it.
    Raises what :meth:`CurationStore.apply` raises; then nothing is written.
    """
    fresh = store.load()
    entries = tuple(
        _decide(photo.rel, photo.path, photo.xmp, fresh.photo(photo.rel), plan.overwrite)
        for photo in plan.photos
    )
    applied = dataclasses.replace(plan, photos=entries)
    changes = applied.changes
    snapshot = store.apply(changes) if changes else fresh
    return applied, snapshot


# --------------------------------------------------------------------------- export: XML


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


# --------------------------------------------------------------------------- export


def sidecar_for(
    photo: Path,
    name: SidecarName | None = "ext",
    *,
    base_is_shared: bool = False,
    raw: Path | None = None,
) -> Path:
    """The sidecar export writes for ``photo``: the one it has, else a new one.

    A sidecar that exists is written, whichever its name, so that the tool that
    made it sees the change and no second sidecar appears beside it: ``name``
    only says which is preferred when both exist, and what a new one is called.
    ``ext``: ``NAME.ext.xmp`` (darktable, digiKam); ``base``: ``NAME.xmp``
    (Lightroom, Bridge, Capture One).  An existing upper-case ``.XMP`` is used
    when there is no lower-case one.  ``base_is_shared``: another photo has the
    same ``NAME`` (``IMG_1.jpg``, ``IMG_1.png``), so with ``ext`` an existing
    ``NAME.xmp`` is nobody's in particular and is not written.

    ``raw``: the RAW paired with the JPEG ``photo``.  The pair's sidecars are the
    RAW's (``IMG_1.CR2.xmp``, ``IMG_1.xmp``), then the JPEG's (``IMG_1.jpg.xmp``),
    in :func:`portfolio_tui.xmp.find_sidecars` order.  When none exists, ``name``
    None (the default of ``xmp export``) makes ``NAME.xmp`` beside the RAW, where
    Lightroom reads it; ``ext`` makes the RAW's ``NAME.ext.xmp`` (darktable).  A
    lone photo takes None as ``ext``.
    """
    if raw is not None:
        return _pair_sidecar(photo, raw, name, base_is_shared)
    if name is None:
        name = "ext"
    ext = (f"{photo.name}.xmp", f"{photo.name}.XMP")
    base = (f"{photo.stem}.xmp", f"{photo.stem}.XMP")
    order: tuple[str, ...]
    if name == "base":
        order = (*base, *ext)
    elif base_is_shared:
        order = ext
    else:
        order = (*ext, *base)
    for candidate in dict.fromkeys(order):
        path = photo.with_name(candidate)
        if os.path.lexists(path):
            return path
    return photo.with_name(order[0])


def _pair_sidecar(photo: Path, raw: Path, name: SidecarName | None, base_is_shared: bool) -> Path:
    """:func:`sidecar_for` a RAW+JPEG pair (the JPEG ``photo`` beside ``raw``)."""
    raw_ext = (f"{raw.name}.xmp", f"{raw.name}.XMP")
    base = () if base_is_shared else (f"{raw.stem}.xmp", f"{raw.stem}.XMP")
    jpeg = (f"{photo.name}.xmp", f"{photo.name}.XMP")
    order = (*base, *raw_ext, *jpeg) if name == "base" else (*raw_ext, *base, *jpeg)
    for candidate in dict.fromkeys(order):
        path = raw.with_name(candidate)
        if os.path.lexists(path):
            return path
    new = raw_ext[0] if name == "ext" or not base else base[0]
    return raw.with_name(new)


def _has_values(entry: PhotoCuration) -> bool:
    return entry.rating > 0 or entry.flag is not None or entry.label is not None


def _number(value: str | None) -> int | None:
    text = (value or "").strip()
    return int(float(text)) if _NUMBER.fullmatch(text) else None


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
        if not listed or _number(listed[0]) != DARKTABLE_LABELS[label]:
            wants[darktable_key] = _Want((str(DARKTABLE_LABELS[label]),))
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


def _describe(entry: PhotoCuration, overwrite: bool) -> tuple[str, ...]:
    parts = []
    if entry.rating > 0 and entry.flag != "reject":
        parts.append(f"rating {entry.rating}")
    if entry.flag:
        parts.append(f"flag {entry.flag}")
    if entry.label:
        parts.append(f"label {entry.label}")
    if overwrite:
        cleared = [
            name
            for name, empty in (
                ("rating", entry.rating == 0 and entry.flag != "reject"),
                ("flag", entry.flag is None),
                ("label", entry.label is None),
            )
            if empty
        ]
        if cleared:
            parts.append("no " + ", no ".join(cleared))
    return tuple(parts)


def _kept(entry: PhotoCuration, current: XmpCulling, overwrite: bool) -> tuple[str, ...]:
    """Values the sidecar holds and the store does not (left there unless ``overwrite``)."""
    if overwrite:
        return ()
    out = []
    if current.rating is not None and entry.rating == 0 and entry.flag != "reject":
        out.append(f"rating {current.rating}")
    if current.flag is not None and entry.flag is None:
        out.append(f"flag {current.flag}")
    if current.label is not None and entry.label is None:
        out.append(f"label {current.label}")
    return tuple(out)


Action = Literal["create", "update", "unchanged", "skip"]


@dataclass(frozen=True)
class PhotoExport:
    """One photo's sidecar: what export did (or would do) to it."""

    rel: str
    photo: Path
    sidecar: Path
    action: Action
    values: tuple[str, ...] = ()  # what the sidecar now says: "rating 4", "label red"
    kept: tuple[str, ...] = ()  # values the sidecar holds, the store lacks: "label red"
    notes: tuple[str, ...] = ()
    problem: str | None = None


@dataclass(frozen=True)
class ExportReport:
    """Every sidecar export considered, and every problem met."""

    photos: tuple[PhotoExport, ...] = ()
    considered: int = 0
    dry_run: bool = False

    def count(self, action: Action) -> int:
        return sum(1 for photo in self.photos if photo.action == action)

    @property
    def problems(self) -> list[str]:
        return [photo.problem for photo in self.photos if photo.problem]

    @property
    def kept(self) -> list[str]:
        return [kept for photo in self.photos for kept in photo.kept]


def export_sidecars(
    photos: Iterable[Photo],
    snapshot: Snapshot,
    *,
    sidecar_name: SidecarName | None = None,
    overwrite: bool = False,
    dry_run: bool = False,
) -> ExportReport:
    """Write each photo's rating, flag and label from ``snapshot`` into its sidecar.

    Photos with nothing in the store and no sidecar get no file.  Photos are
    never opened for writing.  With ``dry_run`` nothing is written and the
    report says what would be.  ``sidecar_name``: see :func:`sidecar_for`.
    """
    todo: list[tuple[Photo, str, Path]] = []
    targets: dict[Path, list[Photo]] = {}
    photos = list(photos)
    stems = Counter(photo.path.with_suffix("") for photo in photos)
    considered = 0
    for photo in photos:
        considered += 1
        try:
            rel = clean_photo_path(photo.rel)
        except InvalidChange:
            continue  # the store cannot hold anything for it
        shared = stems[photo.path.with_suffix("")] > 1
        target = sidecar_for(photo.path, sidecar_name, base_is_shared=shared, raw=photo.raw)
        todo.append((photo, rel, target))
        targets.setdefault(target, []).append(photo)
    done: list[PhotoExport] = []
    for photo, rel, target in sorted(todo, key=lambda item: item[1]):
        entry = snapshot.photo(rel)
        sharing = targets[target]
        if len(sharing) > 1:
            if _has_values(entry):
                others = ", ".join(p.name for p in sharing if p is not photo)
                done.append(
                    PhotoExport(
                        rel,
                        photo.path,
                        target,
                        "skip",
                        problem=f"{target}: would be shared by {photo.name} and {others}; "
                        "not written (use --sidecar-name ext for one sidecar per photo)",
                    )
                )
            continue
        result = _export_one(photo, rel, target, entry, overwrite, dry_run, sidecar_name)
        if result is not None:
            done.append(result)
    return ExportReport(tuple(done), considered, dry_run)


def _export_one(
    photo: Photo,
    rel: str,
    target: Path,
    entry: PhotoCuration,
    overwrite: bool,
    dry_run: bool,
    sidecar_name: SidecarName | None,
) -> PhotoExport | None:
    if target == photo.path:  # pragma: no cover - photos never end in .xmp
        return None
    try:
        info: os.stat_result | None = os.lstat(target)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        return PhotoExport(
            rel, photo.path, target, "skip", problem=f"{target}: cannot be read: {exc.strerror}"
        )
    if not _has_values(entry) and (info is None or not overwrite):
        return None
    notes: list[str] = []
    if photo.raw is not None:
        # A pair's sidecars are read in find_sidecars order: say which one is read first.
        first = next(iter(find_sidecars(photo.path, photo.raw)), None)
        if first is not None and first.name.lower() != target.name.lower():
            notes.append(
                f"{first}: also exists and is read before {target.name} (by import, "
                "darktable and digiKam)"
            )
    elif target.name.lower() != photo.name.lower() + ".xmp" and os.path.lexists(
        photo.path.with_name(photo.name + ".xmp")
    ):
        notes.append(
            f"{photo.path.with_name(photo.name + '.xmp')}: also exists and is read before "
            f"{target.name} (by import, darktable and digiKam)"
        )

    def skip(reason: str) -> PhotoExport:
        return PhotoExport(rel, photo.path, target, "skip", problem=f"{target}: {reason}")

    data: bytes | None = None
    if info is not None:
        if stat.S_ISLNK(info.st_mode):
            return skip("not updated: it is a symbolic link, and replacing it would lose the link")
        if not stat.S_ISREG(info.st_mode):
            return skip("not updated: it is not a regular file")
        problems: list[str] = []
        data = read_sidecar_bytes(target, problems)
        if data is None:
            return PhotoExport(
                rel, photo.path, target, "skip", problem="; ".join(problems) + "; not updated"
            )
    try:
        updated = update_sidecar(data, entry, overwrite=overwrite, origin=str(target))
    except SidecarError as exc:
        return skip(f"not updated, left as it is: {exc}")
    current = culling_of_packet(data, str(target)) if data is not None else XmpCulling()
    kept = _kept(entry, current, overwrite)
    values = _describe(entry, overwrite)
    if updated is None:
        return PhotoExport(rel, photo.path, target, "unchanged", values, kept, tuple(notes))
    action: Action = "create" if data is None else "update"
    if not dry_run:
        try:
            _write_atomically(target, updated, info)
        except SidecarError as exc:
            return skip(f"not updated: {exc}")
        except OSError as exc:
            return skip(f"not written: {exc.strerror or exc}")
    return PhotoExport(rel, photo.path, target, action, values, kept, tuple(notes))


def _identity(info: os.stat_result) -> tuple[int, int, int, int]:
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)


def _write_atomically(path: Path, data: bytes, before: os.stat_result | None) -> None:
    """Temp file in the same folder, fsync, check nobody changed ``path``, rename."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{time.monotonic_ns()}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    fd = os.open(tmp, flags, 0o666)
    try:
        if before is not None:
            with contextlib.suppress(OSError, AttributeError):
                os.fchmod(fd, stat.S_IMODE(before.st_mode))
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            now: os.stat_result | None = os.lstat(path)
        except FileNotFoundError:
            now = None
        if before is None and now is not None:
            raise SidecarError("it appeared while exporting; run the export again")
        if before is not None and (now is None or _identity(now) != _identity(before)):
            raise SidecarError("it changed while exporting; run the export again")
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_dir(path.parent)


def display_path(root: Path, path: Path) -> str:
    """``path`` relative to the portfolio ``root`` when inside it, with ``/``."""
    try:
        return PurePosixPath(*path.relative_to(root).parts).as_posix()
    except ValueError:
        return str(path)
