"""URL normal form, so one article reached by several addresses is recognised as one."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

TRACKING = {"spm", "from", "source", "share", "share_source", "share_medium", "fbclid", "gclid",
            "igshid", "mc_cid", "mc_eid", "ref", "ref_src", "wechat", "isappinstalled", "scene",
            "clicktime", "enterid", "_ga"}


def normalize_url(url: str) -> str:
    """https, lower-case host, no default port, fragment or tracking parameters."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme == "http":
        scheme = "https"
    host = (parts.hostname or "").lower().rstrip(".")
    port = parts.port
    netloc = host if port in (None, 80, 443) else f"{host}:{port}"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not k.lower().startswith("utm_") and k.lower() not in TRACKING]
    path = parts.path or "/"
    return urlunsplit((scheme, netloc, path, urlencode(query), ""))


def is_http(url: str) -> bool:
    try:
        return urlsplit(url).scheme.lower() in ("http", "https") and bool(urlsplit(url).netloc)
    except ValueError:
        return False


def strip_tracking(url: str) -> str:
    """The URL to fetch: tracking parameters and fragment removed, scheme and port kept."""
    parts = urlsplit(url.strip())
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not k.lower().startswith("utm_") and k.lower() not in TRACKING]
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", urlencode(query), ""))
