"""Förderdatenbank des Bundes, HTML pages: list cards, detail pages and the bot-protection page.

Pure functions: bytes/str and URL in, ``Parsed`` out. Selectors follow the real markup
(see shared/realdata/PROVENANCE.md): cards ``div.card--fundingprogram`` with relative hrefs, a
``a.forward.button`` next link carrying a session token (followed, never built), ``h1.title``,
dt/dd fields whose labels also come in ASCII (``Foerderart:``), the funder as the string value of
``span.link--label``. The same labels and category codes are used by the XML export parser.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from parsel import Selector
from w3lib.html import get_base_url

from crawler import parsing
from crawler.parsed import Parsed
from foerderradar.models import Call, call_id_for
from foerderradar.text import html_to_text, one_line

SITE = "https://www.foerderdatenbank.de"
LANGUAGE = "de"

# Field labels as the site prints them, keyed by their ASCII folding (the site serves both forms).
LABELS = {
    "foerderart": "Förderart",
    "foerderbereich": "Förderbereich",
    "foerdergebiet": "Fördergebiet",
    "foerderberechtigte": "Förderberechtigte",
    "foerdergeber": "Fördergeber",
    "ansprechpunkt": "Ansprechpunkt",
    "weiterfuehrendelinks": "Weiterführende Links",
}

# Category codes of the export (and of pages that leak them) → the labels the site shows.
CODES = {
    "zuschuss": "Zuschuss",
    "darlehen": "Darlehen",
    "buergschaft": "Bürgschaft",
    "beteiligung": "Beteiligung",
    "garantie": "Garantie",
    "sonstige": "Sonstige",
    "bundesweit": "bundesweit",
    "baden_wuerttemberg": "Baden-Württemberg",
    "bayern": "Bayern",
    "berlin": "Berlin",
    "brandenburg": "Brandenburg",
    "bremen": "Bremen",
    "hamburg": "Hamburg",
    "hessen": "Hessen",
    "mecklenburg_vorpommern": "Mecklenburg-Vorpommern",
    "niedersachsen": "Niedersachsen",
    "nordrhein_westfalen": "Nordrhein-Westfalen",
    "rheinland_pfalz": "Rheinland-Pfalz",
    "saarland": "Saarland",
    "sachsen": "Sachsen",
    "sachsen_anhalt": "Sachsen-Anhalt",
    "schleswig_holstein": "Schleswig-Holstein",
    "thueringen": "Thüringen",
    "unternehmen": "Unternehmen",
    "existenzgruender": "Existenzgründer/in",
    "existenzgruenderin": "Existenzgründer/in",
    "hochschule": "Hochschule",
    "forschungseinrichtung": "Forschungseinrichtung",
    "bildungseinrichtung": "Bildungseinrichtung",
    "kommune": "Kommune",
    "privatperson": "Privatperson",
    "verband_vereinigung": "Verband/Vereinigung",
    "oeffentliche_einrichtung": "Öffentliche Einrichtung",
    "forschung_innovation_themenoffen": "Forschung & Innovation (themenoffen)",
    "forschung_innovation_themenspezifisch": "Forschung & Innovation (themenspezifisch)",
    "kultur_medien_sport": "Kultur, Medien & Sport",
    "unternehmensfinanzierung": "Unternehmensfinanzierung",
    "existenzgruendung_festigung": "Existenzgründung & -festigung",
    "aus_weiterbildung": "Aus- & Weiterbildung",
    "umwelt_naturschutz": "Umwelt- & Naturschutz",
    "energieeffizienz_erneuerbare_energien": "Energieeffizienz & Erneuerbare Energien",
    "digitalisierung": "Digitalisierung",
    "beratung": "Beratung",
    "arbeit": "Arbeit",
    "bund": "Bund",
    "land": "Land",
    "eu": "EU",
}

_CODE = re.compile(r"^[a-z0-9_]+$")
_PROGRAMME_PATH = re.compile(r"/FDB/Content/DE/(.+?)(?:\.html)?$")


def fold(label: str) -> str:
    """ASCII folding of a label: ``Förderart:`` and ``Foerderart:`` both become ``foerderart``."""
    text = label.lower()
    for umlaut, ascii_ in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(umlaut, ascii_)
    return re.sub(r"[^a-z]", "", text)


def code_label(code: str) -> str:
    """The site's label for a category code; unknown codes are shown readably, never dropped."""
    code = code.strip().strip("_")  # the export spells one region "_bundesweit"
    if code in CODES:
        return CODES[code]
    return code.replace("_", " ").capitalize() if _CODE.match(code) else code


def label_values(value: str) -> str:
    """Map a leaked code list (``zuschuss, darlehen``) to labels; real labels stay as they are."""
    parts = [p.strip() for p in value.split(",")]
    if parts and all(_CODE.match(p) for p in parts if p):
        return ", ".join(code_label(p) for p in parts if p)
    return value


def programme_key(url: str) -> str | None:
    """The programme's path below ``/FDB/Content/DE/`` (its identity on both HTML and export)."""
    found = _PROGRAMME_PATH.search(urlsplit(url).path)
    return found.group(1) if found else None


def public_url(key: str) -> str:
    return f"{SITE}/FDB/Content/DE/{key}.html"


def parse_page(body: bytes | str, url: str, source_id: str, funder: str | None = None) -> Parsed:
    """A Förderdatenbank response of any kind: blocked page, list page or detail page."""
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    if parsing.blocked_reason(text):
        return Parsed(blocked=True, errors=[f"{source_id}: {url}: bot-protection page (blocked)"])
    sel = Selector(text=text)
    if sel.css("div.card--fundingprogram"):
        return parse_list(sel, text, url)
    if sel.xpath("//h1[@class='title']"):
        return Parsed(calls=[parse_detail(sel, text, url, source_id, funder)])
    return Parsed(errors=[f"{source_id}: {url}: neither programme cards nor a programme title found"])


def parse_list(sel: Selector, text: str, url: str) -> Parsed:
    """Detail links of the cards, then the next list page (its token link is followed as given)."""
    hrefs = sel.css("div.card--fundingprogram p.card--title a::attr(href)").getall()
    hrefs.append(sel.css("a.forward.button::attr(href)").get() or "")
    follow = [site_join(text, url, h.strip()) for h in hrefs if h.strip()]
    return Parsed(follow=list(dict.fromkeys(follow)))


def site_join(text: str, url: str, href: str) -> str:
    """Resolve a href; the site's hrefs are relative to its ``<base href>``, the site root."""
    base = get_base_url(text, url)
    if base == url and href.startswith(("FDB/", "SiteGlobals/")):  # a copy saved without <base>
        base = urljoin(url, "/")
    return urljoin(base, href)


def parse_detail(sel: Selector, text: str, url: str, source_id: str, funder: str | None) -> Call:
    canonical = sel.css("link[rel=canonical]::attr(href)").get()
    page_url = site_join(text, url, canonical.strip()) if canonical else url
    fields = detail_fields(sel)
    key = programme_key(page_url)
    return Call(
        id=call_id_for(source_id, page_url, key),
        source_id=source_id,
        url=page_url,
        title=one_line(sel.xpath("string(//h1[@class='title'])").get()),
        text=detail_text(sel),
        funder=_first(fields.get("Fördergeber")) or funder or _first(fields.get("Ansprechpunkt")),
        language=LANGUAGE,
        external_id=key,
        fields=fields,
    )


def _first(names: str | None) -> str | None:
    return names.split("; ")[0] if names else None


def detail_fields(sel: Selector) -> dict[str, str]:
    """The dt/dd facts, keyed by the site's umlaut labels whichever spelling the page used."""
    fields: dict[str, str] = {}
    for dt in sel.xpath("//dl/dt"):
        label = LABELS.get(fold(dt.xpath("string()").get() or ""))
        dd = dt.xpath("following-sibling::dd[1]")
        if label is None or not dd:
            continue
        value = _dd_value(label, dd[0])
        if value:
            fields[label] = value
    return fields


def _dd_value(label: str, dd: Selector) -> str:
    if label == "Fördergeber":
        # The string value: the label sometimes wraps an inner <span>, where text() is empty.
        names = [one_line(s.xpath("string()").get()) for s in dd.css("span.link--label")]
        return "; ".join(n for n in names if n) or one_line(dd.xpath("string()").get())
    if label == "Ansprechpunkt":
        names = [one_line(s.xpath("string()").get()) for s in dd.css("p.card--title span.link--label")]
        return "; ".join(n for n in names if n) or one_line(dd.xpath("string()").get())
    if label == "Weiterführende Links":
        hrefs = [h.strip() for h in dd.css("a::attr(href)").getall() if h.strip().startswith("http")]
        return "\n".join(dict.fromkeys(hrefs))
    return label_values(one_line(dd.xpath("string()").get()))


def detail_text(sel: Selector) -> str:
    """Body text: every tab (``div.content article``) on multi-tab pages, else ``div.rich--text``."""
    articles = sel.xpath("//div[@class='content']//article")
    if not articles:
        return "\n\n".join(html_to_text(b.get()) for b in sel.xpath("//div[@class='rich--text']")[:1])
    tabs = [one_line(t) for t in sel.xpath("/html/body/main/div[2]/div/div[1]/h2/span/text()").getall()]
    tabs = tabs if len(tabs) == len(articles) else [""] * len(articles)
    parts = [f"{tab}\n{html_to_text(a.get())}".strip() for tab, a in zip(tabs, articles, strict=True)]
    return "\n\n".join(p for p in parts if p)
