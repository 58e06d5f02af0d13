"""Cheap checks of an uploaded PDF that run inside the request: page count and text on the first pages.

Nothing here decodes more than a fixed budget: the streams a page's text extraction would read are
inflated with a bounded zlib first, and a page whose streams are too big (or use filters we cannot
bound) is left for the job, whose full extraction runs in a limited child process.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from typing import Any

from pypdf import PageObject, PdfReader
from pypdf.filters import ASCII85Decode, ASCIIHexDecode
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, StreamObject

FIRST_PAGES = 3
PAGE_BUDGET = 256 * 1024  # decoded bytes of content, forms and text maps per page: a dense text page is ~20 KB
# a string operand (literal, hex or array) followed by a text-showing operator: Tj, TJ, ' or "
_SHOWS_TEXT = re.compile(rb"[)>\]]\s*(?:Tj|TJ|'|\")")
MAX_TREE_NODES = 2000  # page-tree nodes visited to find the first pages
_INHERITED = ("/Resources", "/MediaBox", "/CropBox", "/Rotate")
_SKIP_KEYS = ("/FontFile", "/FontFile2", "/FontFile3", "/Parent", "/Annots", "/Thumb", "/Metadata")


def _dict(ref: Any) -> DictionaryObject:
    """The dictionary behind ``ref``; an empty one when the file puts something else there."""
    obj = ref.get_object() if ref is not None else None
    return obj if isinstance(obj, DictionaryObject) else DictionaryObject()


def declared_pages(reader: PdfReader) -> int:
    """The page count the document declares (read without walking the page tree)."""
    count = _dict(_dict(reader.trailer["/Root"]).get("/Pages")).get("/Count", 0)
    return int(count)


def _streams(obj: Any, seen: set[int], depth: int = 0) -> Iterator[StreamObject]:
    """Every stream reachable from ``obj`` that text extraction may decode (not images or font programs)."""
    if depth > 12:
        return
    if isinstance(obj, IndirectObject):
        if obj.idnum in seen:
            return
        seen.add(obj.idnum)
        obj = obj.get_object()
    if isinstance(obj, StreamObject):
        if obj.get("/Subtype") == "/Image":
            return
        yield obj
    if isinstance(obj, DictionaryObject):
        for key, value in obj.items():
            if key not in _SKIP_KEYS:
                yield from _streams(value, seen, depth + 1)
    elif isinstance(obj, ArrayObject):
        for value in obj:
            yield from _streams(value, seen, depth + 1)


def _decoded_size(stream: StreamObject, limit: int) -> int | None:
    """Bytes the stream decodes to, counting at most ``limit`` + 1; None for filters we cannot bound."""
    data = getattr(stream, "_data", b"") or b""
    filters = stream.get("/Filter")
    names = [] if filters is None else [str(f) for f in filters] if isinstance(filters, ArrayObject) else [str(filters)]
    try:
        for name in names:
            if name in ("/FlateDecode", "/Fl"):
                data = zlib.decompressobj().decompress(data, limit + 1)
            elif name in ("/ASCII85Decode", "/A85"):  # shrinks: bounded by the file itself
                data = ASCII85Decode.decode(data)
            elif name in ("/ASCIIHexDecode", "/AHx"):
                data = ASCIIHexDecode.decode(data)
            else:
                return None
    except Exception:  # noqa: BLE001 - a damaged stream: let the job's extraction judge it
        return None
    return len(data)


def page_is_cheap(page: DictionaryObject, budget: int = PAGE_BUDGET) -> bool:
    """True when everything the page's text extraction would decode fits in ``budget`` bytes."""
    total = 0
    seen: set[int] = set()
    for key in ("/Contents", "/Resources"):
        for stream in _streams(page.get(key), seen):
            size = _decoded_size(stream, budget - total)
            if size is None:
                return False
            total += size
            if total > budget:
                return False
    return True


def first_pages(reader: PdfReader, n: int = FIRST_PAGES) -> list[PageObject]:
    """The first ``n`` pages, found by walking only as much of the page tree as needed (pypdf's
    ``reader.pages`` reads every page of the document first)."""
    root = _dict(reader.trailer["/Root"])["/Pages"]
    stack: list[tuple[Any, dict[str, Any]]] = [(root, {})]
    seen: set[int] = set()
    found: list[PageObject] = []
    visited = 0
    while stack and len(found) < n and visited < MAX_TREE_NODES:
        ref, inherited = stack.pop()
        visited += 1
        if isinstance(ref, IndirectObject):
            if ref.idnum in seen:
                continue  # a cycle in a malformed tree
            seen.add(ref.idnum)
        node = ref.get_object()
        if not isinstance(node, DictionaryObject):
            continue
        if "/Kids" in node:
            inherit = {**inherited, **{k: node[k] for k in _INHERITED if k in node}}
            found_kids = node["/Kids"].get_object()
            kids: list[Any] = list(found_kids) if isinstance(found_kids, list) else []
            stack.extend((kid, inherit) for kid in reversed(kids))
            continue
        page = PageObject(reader, ref if isinstance(ref, IndirectObject) else None)
        page.update(node)
        for key, value in inherited.items():
            if key not in page:
                page[NameObject(key)] = value
        found.append(page)
    return found


def first_pages_have_text(reader: PdfReader, pages: int = FIRST_PAGES) -> bool | None:
    """Whether the first pages show any text; None when they are too costly to read here (the job decides).

    A page whose own content stream draws strings answers at once; only a page without such an
    operator (text inside forms, or a scan) pays for pypdf's extraction (~0.1 s a page)."""
    for page in first_pages(reader, pages):
        if not page_is_cheap(page):
            return None
        contents = page.get_contents()
        if contents is not None and _SHOWS_TEXT.search(contents.get_data()):
            return True
        if any(ch.isalnum() for ch in page.extract_text() or ""):
            return True
    return False
