"""Förderdatenbank XML export (``/FDB/WS/export``): a ZIP of one XML document per programme.

Streamed: the ZIP's members are read one at a time, programme documents become ``Call``s, and the
linked documents they point to (Foerdergeber, Kontakt, ExternerLink, categories) are looked up
lazily by path and only their titles are kept. Rich text is entity-escaped CDATA, so it is unescaped
twice (once by the XML parser, once as HTML). A member that is not well-formed (a real one carries a
raw control byte) is cleaned and, failing that, read in recover mode; a broken member is recorded
and the others go on. Pure: bytes or a path in, no network, no clock.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from lxml import etree

from crawler.fdb_html import LANGUAGE, code_label, public_url
from crawler.parsed import Parsed, ParseError
from foerderradar.models import Call, call_id_for
from foerderradar.text import html_to_text, one_line

XLINK = "{http://www.w3.org/1999/xlink}href"
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_CDATA = re.compile(r"^\s*<!\[CDATA\[(.*)\]\]>\s*$", re.DOTALL)
_EMPTY_DIV = re.compile(r"^\s*<div[^>]*>\s*</div>\s*$")
_KEY = re.compile(r"((?:FDB/Content|SiteGlobals)/.+?)(?:\.xml)?$")

# Rich-text properties that make up a programme's text, in reading order (``comment`` is internal).
TEXT_PROPERTIES = (
    "gsb:summary",
    "gsb:bodyText",
    "gsb:requirements",
    "gsb:regulatoryFWork",
    "gsb:procDescription",
    "gsb:procMethod",
    "gsb:serviceDescription",
    "gsb:termsOfPayment",
)
RICH_PROPERTIES = frozenset((*TEXT_PROPERTIES, "gsb:title"))
# Classifier names of the category lists → the field labels the HTML pages use.
CATEGORY_FIELDS = {
    "Foerderart": "Förderart",
    "Foerderbereich": "Förderbereich",
    "Foerdergebiet": "Fördergebiet",
    "Foerderberechtigte": "Förderberechtigte",
}


@dataclass(frozen=True)
class Document:
    """One export document, reduced to what the parser needs."""

    key: str  # path below the export root, e.g. FDB/Content/DE/Foerdergeber/B/bkm
    kind: str  # gsb:ServiceOffer, gsb:ContactData, gsb:ExternalLink, ...
    props: dict[str, str]  # plain values and rich text (as plain text)
    links: dict[str, list[str]]  # classifier or property name → target keys


Resolver = Callable[[str], "Document | None"]


def target_key(reference: str) -> str | None:
    """``target:/BMWI/FDB/Content/DE/Kontakt/F/ffa`` → ``FDB/Content/DE/Kontakt/F/ffa``.

    Keys start at ``FDB/Content`` or ``SiteGlobals`` whatever folder the export puts above them.
    """
    found = _KEY.search(reference.removeprefix("target:"))
    return found.group(1) if found else None


def read_document(data: bytes, name: str = "") -> Document:
    """Parse one export XML document; control bytes are removed, then recover mode is the fallback."""
    cleaned = _CONTROL.sub(b"", data)
    try:
        root = etree.fromstring(cleaned, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        root = etree.fromstring(cleaned, etree.XMLParser(recover=True, resolve_entities=False))
    if root is None or root.tag != "document":
        raise ParseError(f"{name or 'document'}: not a Förderdatenbank export document")
    props: dict[str, str] = {}
    links: dict[str, list[str]] = {}
    for prop in root.findall("property"):
        _read_property(prop, props, links)
    key = target_key(f"{root.get('path', '')}/{root.get('name', '')}") or name
    return Document(key=key, kind=root.get("type", ""), props=props, links=links)


def _read_property(prop: etree._Element, props: dict[str, str], links: dict[str, list[str]]) -> None:
    name = prop.get("name", "")
    text, value = prop.find("text"), prop.find("value")
    if text is not None:
        if name in RICH_PROPERTIES:  # most of the ~25 rich-text fields are empty or internal
            props[name] = rich_text(text.text or "")
    elif value is not None:
        props[name] = (value.text or "").strip()
    for group in prop.iter("classifiedLinkList"):
        classifier = [target_key(x.get(XLINK, "")) for x in group.iterfind("classifierLinks/link")]
        label = (classifier[0] or "").rsplit("/", 1)[-1] if classifier else name
        targets = [target_key(x.get(XLINK, "")) for x in group.iterfind("links/link")]
        links.setdefault(label, []).extend(t for t in targets if t)
    plain = [target_key(x.get(XLINK, "")) for x in prop.iterfind("links/link")]
    if plain:
        links.setdefault(name, []).extend(t for t in plain if t)


def rich_text(escaped: str) -> str:
    """The second unescape: the XML parser already turned ``&lt;`` into ``<``; now read the HTML."""
    found = _CDATA.match(escaped)
    inner = found.group(1) if found else escaped
    return "" if _EMPTY_DIV.match(inner) else html_to_text(inner)


def is_programme(doc: Document) -> bool:
    return doc.props.get("gsb:subType") == "ServiceOffer-FundingProgram" or "/Foerderprogramm/" in doc.key


def programme_call(doc: Document, source_id: str, resolve: Resolver, funder: str | None = None) -> Call:
    """A programme document → Call; linked documents give funder, contact and links."""
    key = doc.key.removeprefix("FDB/Content/DE/")
    url = public_url(key)
    title = one_line(doc.props.get("gsb:title")) or key.rsplit("/", 1)[-1]
    parts = [doc.props.get(p, "") for p in TEXT_PROPERTIES]
    fields = {
        label: ", ".join(_titles(doc.links.get(cls, []), resolve, code=True))
        for cls, label in CATEGORY_FIELDS.items()
    }
    funders = _titles(doc.links.get("Foerderorganisation", []), resolve)
    contacts = _titles(doc.links.get("gsb:cl2Contacts", []) + doc.links.get("Kontakt", []), resolve)
    fields["Fördergeber"] = "; ".join(funders)
    fields["Ansprechpunkt"] = "; ".join(dict.fromkeys(contacts))
    fields["Weiterführende Links"] = "\n".join(_urls(doc.links.get("ExternerLink", []), resolve))
    if doc.props.get("gsb:keywords"):
        fields["Stichworte"] = doc.props["gsb:keywords"]
    level = _titles(doc.links.get("Foerdergeber", []), resolve, code=True)
    return Call(
        id=call_id_for(source_id, url, key),
        source_id=source_id,
        url=url,
        title=title,
        text="\n\n".join(p for p in parts if p),
        published=(doc.props.get("gsb:dateOfIssue") or "")[:10] or None,
        funder=funders[0] if funders else funder or (level[0] if level else None),
        language=LANGUAGE,
        external_id=key,
        fields={k: v for k, v in fields.items() if v},
    )


def _titles(keys: list[str], resolve: Resolver, code: bool = False) -> list[str]:
    """Titles of linked documents; an unresolved category falls back to its code's label."""
    out = []
    for key in keys:
        doc = resolve(key)
        title = one_line(doc.props.get("gsb:title")) if doc else ""
        if not title and code and "/Categories/" in f"/{key}":
            title = code_label(key.rsplit("/", 1)[-1])
        if title:
            out.append(title)
    return out


def _urls(keys: list[str], resolve: Resolver) -> list[str]:
    docs = (resolve(k) for k in keys)
    return list(dict.fromkeys(d.props["gsb:url"] for d in docs if d and d.props.get("gsb:url")))


class _Cache:
    """Linked documents read on first use; only their reduced form is kept."""

    def __init__(self, load: Callable[[str], bytes | None]) -> None:
        self.load = load
        self.seen: dict[str, Document | None] = {}

    def __call__(self, key: str) -> Document | None:
        if key not in self.seen:
            data = self.load(key)
            try:
                self.seen[key] = read_document(data, key) if data is not None else None
            except ParseError:
                self.seen[key] = None
        return self.seen[key]


def iter_zip(
    archive: str | Path | IO[bytes],
    source_id: str,
    funder: str | None = None,
    errors: list[str] | None = None,
) -> Iterator[Call]:
    """Calls from an export ZIP, one member at a time; broken members are appended to ``errors``."""
    errors = errors if errors is not None else []
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ParseError(f"{source_id}: the export is not a ZIP archive ({exc})") from None
    with zf:
        members = [m for m in zf.namelist() if m.endswith(".xml")]
        # by the last three path parts (Foerdergeber/B/bkm): whatever folders the ZIP puts above
        by_tail = {_tail(name.removesuffix(".xml")): name for name in members}
        by_key = {found.group(1): name for name in members if (found := _KEY.search(name))}
        resolve = _Cache(lambda key: _read(zf, by_key.get(key) or by_tail.get(_tail(key))))
        for name in members:
            if "/Foerderprogramm/" not in f"/{name}":
                continue
            try:
                doc = read_document(zf.read(name), name)
            except (ParseError, zipfile.BadZipFile, OSError, ValueError) as exc:
                errors.append(f"{source_id}: {name}: {exc}")
                continue
            if is_programme(doc):
                yield programme_call(doc, source_id, resolve, funder)


def _read(zf: zipfile.ZipFile, name: str | None) -> bytes | None:
    return zf.read(name) if name else None


def _tail(key: str) -> str:
    return "/".join(key.split("/")[-3:])


def parse_export(body: bytes, url: str, source_id: str, funder: str | None = None) -> Parsed:
    """A downloaded export response: a ZIP (the normal case) or a single programme document."""
    parsed = Parsed()
    if body[:4] == b"PK\x03\x04":
        parsed.calls = list(iter_zip(io.BytesIO(body), source_id, funder, parsed.errors))
        return parsed
    if body.lstrip()[:5] == b"<?xml" and b"<document" in body[:2000]:
        doc = read_document(body, url)
        parsed.calls = [programme_call(doc, source_id, lambda _k: None, funder)] if is_programme(doc) else []
        return parsed
    start = one_line(body[:60].decode("utf-8", errors="replace"))
    raise ParseError(f"{source_id}: {url}: the export is not a ZIP archive (it starts with {start!r})")


def parse_export_path(path: Path, source_id: str, funder: str | None = None) -> Parsed:
    """A saved export: the ZIP, or one programme's XML inside an unpacked export folder."""
    if zipfile.is_zipfile(path):
        parsed = Parsed()
        parsed.calls = list(iter_zip(path, source_id, funder, parsed.errors))
        return parsed
    data = path.read_bytes()
    if b"<document" not in data[:2000]:
        return parse_export(data, path.as_uri(), source_id, funder)
    doc = read_document(data, str(path))
    root = _export_root(path, doc.key)
    resolve = _Cache(lambda key: _read_if_file(root / f"{key}.xml") if root else None)
    calls = [programme_call(doc, source_id, resolve, funder)] if is_programme(doc) else []
    return Parsed(calls=calls)


def _export_root(path: Path, key: str) -> Path | None:
    """The folder that holds ``FDB/`` of an unpacked export, so linked documents can be read."""
    depth = key.count("/") + 1
    root = path.resolve().parents[depth - 1] if len(path.resolve().parents) >= depth else None
    return root if root and (root / "FDB").is_dir() else None


def _read_if_file(path: Path) -> bytes | None:
    return path.read_bytes() if path.is_file() else None
