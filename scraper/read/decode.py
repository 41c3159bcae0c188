"""Turn page bytes into text, whatever charset the page declares (or forgets)."""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.I)
# XHTML pages and feeds name their charset in the XML declaration, not in a <meta>.
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""")
# Without a byte-order mark, the first "<?" tells a UTF-16 or UTF-32 document (XML 1.0,
# appendix F); the \x00 bytes would otherwise pass for plain ASCII with holes.
_WIDE_STARTS = ((b"\x00\x00\x00<", "utf-32-be"), (b"<\x00\x00\x00", "utf-32-le"),
                (b"\x00<\x00?", "utf-16-be"), (b"<\x00?\x00", "utf-16-le"))

# GB2312 and GBK pages often use characters only GB18030 has; it is a strict superset.
_WIDEN = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "big5": "big5hkscs"}
# The charsets a web page may name (Python's names for the WHATWG Encoding Standard's set).
# Python knows more "encodings", and some turn text into markup: utf-7 reads "+ADw-" as
# "<", unicode_escape reads "\u003c" as "<"; browsers refuse those names, and so do we.
_WEB_CHARSET = re.compile(
    r"utf-8|utf-(16|32)(-[lb]e)?|ascii|latin-1|iso8859-\d+|cp125[0-8]|cp866|cp874|koi8-[ru]"
    r"|mac-(roman|cyrillic)|gb2312|gbk|gb18030|big5(hkscs)?|cp9(32|36|49|50)|euc_(jp|kr)"
    r"|shift_jis|iso2022_jp|tis-620")
# Single-byte charsets decode any bytes at all, so a wrong one never fails; valid UTF-8 with
# characters beyond ASCII is almost never a text in them, and is read as UTF-8 instead
# (Chinese pages served as ISO-8859-1 by a misconfigured server).
_SINGLE_BYTE = re.compile(r"latin-1|iso8859-\d+|cp125[0-8]|cp866|cp874|koi8-[ru]|mac-\w+|tis-620")


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        found = codecs.lookup(name.strip().lower()).name
    except LookupError:
        return None
    if not _WEB_CHARSET.fullmatch(found):
        return None
    return _WIDEN.get(found, found)


def _fits(content: bytes, codec: str) -> bool:
    """Whether a declared charset can be this page's. UTF-16 and UTF-32 text (no BOM here)
    has NUL bytes all through its markup; an ASCII page declared so would decode as CJK noise."""
    if codec.startswith(("utf-16", "utf-32")):
        return b"\x00" in content[:1024]
    if _SINGLE_BYTE.fullmatch(codec) and not content.isascii():
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            return True
        return False
    return True


def declared_charset(content: bytes, content_type: str | None = None) -> str | None:
    if content_type and (header := _HEADER_CHARSET.search(content_type)):
        return _codec(header.group(1))
    if xml := _XML_ENCODING.search(content[:1024]):
        return _codec(xml.group(1).decode("ascii"))
    if meta := _META_CHARSET.search(content[:4096]):
        return _codec(meta.group(1).decode("ascii", "replace"))
    return None


def decode_page(content: bytes, content_type: str | None = None) -> str:
    """Decode bytes: BOM, then a declared charset that fits, then UTF-8, then detection.

    A declared charset is checked, not trusted: Chinese pages often say UTF-8 and are GBK.
    """
    for bom, codec in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF32_LE, "utf-32"),
                       (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF16_LE, "utf-16"),
                       (codecs.BOM_UTF16_BE, "utf-16")):
        if content.startswith(bom):
            return content.decode(codec, errors="replace").lstrip("\ufeff")
    for start, codec in _WIDE_STARTS:
        if content.startswith(start):
            return content.decode(codec, errors="replace")
    declared = declared_charset(content, content_type)
    if declared is not None and not _fits(content, declared):
        declared = None
    for candidate in (declared, "utf-8"):
        if candidate is not None:
            try:
                return content.decode(candidate)
            except (UnicodeDecodeError, LookupError):
                pass
    best = from_bytes(content[:200_000]).best()
    guess = _codec(best.encoding) if best else None
    return content.decode(guess or declared or "utf-8", errors="replace")
