"""Scraped text made safe for the digest: one line without control characters, http(s) links only."""

from __future__ import annotations

import re
from typing import Any

TITLE_MAX = 300
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def one_line(value: Any, limit: int = TITLE_MAX) -> str:
    """Scraped text made safe for one line: control characters (CR, LF, NUL, …) become spaces."""
    text = " ".join(_CONTROL.sub(" ", str(value or "")).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def safe_url(url: str | None) -> str | None:
    """The URL when it is an absolute http(s) link without spaces or control characters, else None."""
    from urllib.parse import urlsplit

    text = (url or "").strip()
    if _CONTROL.search(text) or " " in text or len(text) > 2000:
        return None
    parts = urlsplit(text)
    return text if parts.scheme.lower() in ("http", "https") and parts.netloc else None
