"""What `check-site` reports: one finding per live thing, named by its class."""

from __future__ import annotations

from typing import NamedTuple

# Every class of finding, with what it means; the mutation test plants one of each.
KINDS = {
    "inline-script": "a <script> whose text is none of the theme's own",
    "script-src": "a <script src> (or module preload) that is not one of the theme's or Pagefind's files",
    "script-type": "a <script> of a type that is neither JavaScript nor JSON data",
    "script-file": "a JavaScript or WebAssembly file that is not one of the theme's or Pagefind's",
    "event-handler": "an on...= attribute",
    "script-url": "a javascript:, vbscript: or data: URL where a browser would follow or load it",
    "frame": "an iframe, frame, object, embed, applet or portal",
    "base": "a <base> element (it moves every relative URL of the page)",
    "meta-refresh": "a <meta http-equiv=refresh>",
    "charset": "a page that is not UTF-8, or that declares another encoding",
    "form-action": "a form or button that submits somewhere (action=, formaction=)",
    "svg-animation": "an SVG <animate>/<set> that changes a link or a handler",
    "remote-stylesheet": "a stylesheet, import or preload from a host the theme does not use",
    "remote-resource": "an image, video or other file loaded from another host as the page loads "
                       "(a tracking pixel)",
    "css-code": "CSS that loads or runs something: @import, url() to a script or another host, "
                "expression(), behavior, -moz-binding",
    "xml-stylesheet": "an <?xml-stylesheet?> (XSLT runs in the browser)",
    "feed-url": "a feed or search-index URL that is not http(s) or a path of the site",
    "feed-html": "live markup in a feed or search-index field that readers render as HTML",
    "unreadable": "a file a host would serve that cannot be read or parsed as its type",
}


class Finding(NamedTuple):
    where: str  # the file, relative to the site, and the part of it
    kind: str  # a key of KINDS
    detail: str

    def __str__(self) -> str:
        return f"{self.where}: {self.detail} [{self.kind}]"
