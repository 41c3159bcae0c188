"""URL normal form, so one article reached by several addresses is recognised as one."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

TRACKING = {"spm", "from", "source", "share", "share_source", "share_medium", "fbclid", "gclid",
            "igshid", "mc_cid", "mc_eid", "ref", "ref_src", "wechat", "isappinstalled", "scene",
            "clicktime", "enterid", "_ga"}


def strip_tracking(url: str) -> str:
    """The URL to fetch: tracking parameters and fragment removed, scheme and port kept."""
    parts = urlsplit(url.strip())
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not k.lower().startswith("utm_") and k.lower() not in TRACKING]
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", urlencode(query), ""))


def normalize_url(url: str) -> str:
    """The identity of an address: its fetch form with https, lower-case host, no default port."""
    parts = urlsplit(strip_tracking(url))
    scheme = "https" if parts.scheme.lower() in ("http", "https") else parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    netloc = host if parts.port in (None, 80, 443) else f"{host}:{parts.port}"
    return urlunsplit((scheme, netloc, parts.path, parts.query, ""))


def is_http(url: str) -> bool:
    try:
        return urlsplit(url).scheme.lower() in ("http", "https") and bool(urlsplit(url).netloc)
    except ValueError:
        return False

