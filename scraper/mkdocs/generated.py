"""Pages and files made at build time, added to MkDocs' files as generated files."""

from __future__ import annotations

import logging

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files, file_sort_key

log = logging.getLogger("mkdocs.plugins.scraper")


class GeneratedFiles:
    """Adds the pages and feeds the plugin makes to the build, in place of stale files on disk."""

    def __init__(self) -> None:
        self.src_uris: set[str] = set()

    def add(self, files: Files, config: MkDocsConfig, made: dict[str, str]) -> Files:
        """`files` with the made ones, in MkDocs' own order (as if they were on disk)."""
        self.src_uris = set(made)
        for src_uri in sorted(made):
            existing = files.get_file_from_path(src_uri)
            if existing is not None:
                # Left from a version that committed generated pages: the build's own wins.
                log.warning("docs/%s is made by the build now: delete the file (it is not used)",
                            src_uri)
                files.remove(existing)
            files.append(File.generated(config, src_uri, content=made[src_uri]))
        return Files(sorted(files, key=file_sort_key))
