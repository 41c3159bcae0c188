"""The Pagefind search index, built while MkDocs writes the pages.

Run after the build, Pagefind reads every page again: 25 s at 10,000 articles on top of the
build. Its service mode takes pages as they are rendered and indexes them in its own
process, on the core MkDocs leaves idle; only writing the index remains once the build ends.

The protocol is Pagefind's own (what its Python and Node packages speak): base64 JSON
messages ending in ",", on the binary's stdin and stdout. Pagefind's Python package polls
for each reply with a 0.1 s sleep, which would make 10,000 pages take 17 minutes: this
client reads replies as they come.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import subprocess
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast

from pagefind.service import get_executable

from scraper.searchtext import record as search_record


class SearchIndexError(RuntimeError):
    """Pagefind failed or refused a page; the message says which and why."""


class SearchIndex:
    """One Pagefind index: `add` pages (as HTML), `start_writing` the search files, go on
    with other work, `finish`."""

    def __init__(self, options: dict[str, Any]) -> None:
        binary = get_executable()
        if binary is None:
            raise SearchIndexError("the Pagefind binary is missing: pip install 'pagefind[extended]'")
        self._proc = subprocess.Popen([str(binary), "--service"], stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE)
        self._sent = 0
        self._replies: dict[int, dict[str, Any]] = {}
        self._urls: dict[int, str] = {}  # pages whose reply is pending, for error messages
        self._errors: list[str] = []
        self._ended = False
        self._writer: threading.Thread | None = None
        self._failure: SearchIndexError | None = None
        self._done = threading.Condition()
        self._reader = threading.Thread(target=self._read_replies, daemon=True)
        self._reader.start()
        self.pages = 0
        try:
            self._index_id = self._call({"type": "NewIndex", "config": options})["index_id"]
        except SearchIndexError:
            self._proc.kill()  # whatever state it is in, it is of no use
            self._proc.wait()
            raise

    def add(self, url: str, html: str, meta: Mapping[str, Any] | None = None) -> None:
        """Queue a page; Pagefind indexes it in the background. Errors surface in `finish`.

        With `meta` (an article's front matter), `html` is the article's content and the
        page goes in as a record of its body text (see scraper.searchtext)."""
        self._queue(url, {"type": "AddRecord", **search_record(url, html, meta)} if meta is not None
                    else {"type": "AddFile", "url": url, "file_contents": html, "file_path": None})

    def add_record(self, record: Mapping[str, Any]) -> None:
        """Queue a record made by `scraper.searchtext.record`."""
        self._queue(str(record.get("url")), {"type": "AddRecord", **record})

    def _queue(self, url: str, payload: dict[str, Any]) -> None:
        if self._writer is not None:
            raise SearchIndexError(f"{url} came after the index was being written")
        self._send({**payload, "index_id": self._index_id}, page_url=url)
        self.pages += 1

    def start_writing(self, output: Path) -> None:
        """Write the index into `output` once every page added so far is indexed, in the
        background; no page may be added after this. `finish` waits for it."""
        self._writer = threading.Thread(target=self._write, args=(output,), daemon=True)
        self._writer.start()

    def finish(self) -> None:
        """Wait for the index files, stop the service; raise what went wrong on the way."""
        if self._writer is None:
            raise SearchIndexError("finish() before start_writing()")
        self._writer.join()
        self.close()
        if self._failure is not None:
            raise self._failure

    def _write(self, output: Path) -> None:
        try:
            with self._done:
                self._done.wait_for(lambda: not self._urls or self._ended)
                if self._urls:
                    self._errors.append(f"Pagefind stopped before indexing {min(self._urls.values())}")
            if self._errors:
                more = f" (and {len(self._errors) - 5} more)" if len(self._errors) > 5 else ""
                raise SearchIndexError("; ".join(self._errors[:5]) + more)
            self._call({"type": "WriteFiles", "index_id": self._index_id, "output_path": str(output)})
        except SearchIndexError as exc:
            self._failure = exc

    def close(self) -> None:
        if self._proc.poll() is None:
            assert self._proc.stdin is not None
            with contextlib.suppress(OSError):  # already gone: nothing left to flush
                self._proc.stdin.close()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()

    def _send(self, payload: dict[str, Any], page_url: str | None = None) -> int:
        with self._done:  # registered before sending: the reply may come back at once
            self._sent += 1
            message_id = self._sent
            if page_url is not None:
                self._urls[message_id] = page_url
        message = {"message_id": message_id, "payload": payload}
        assert self._proc.stdin is not None
        try:
            self._proc.stdin.write(base64.b64encode(json.dumps(message).encode()) + b",")
            self._proc.stdin.flush()
        except OSError as exc:
            raise SearchIndexError(f"Pagefind stopped: {exc}") from exc
        return message_id

    def _call(self, payload: dict[str, Any]) -> dict[str, Any]:
        message_id = self._send(payload)
        with self._done:
            self._done.wait_for(lambda: message_id in self._replies or self._ended)
            reply = self._replies.pop(message_id, None)
        if reply is None or reply.get("type") == "Error":
            detail = reply.get("message") if reply else f"exit code {self._proc.poll()}"
            raise SearchIndexError(f"Pagefind {payload['type']} failed: {detail}")
        return reply

    def _read_replies(self) -> None:
        stdout = cast(io.BufferedReader, self._proc.stdout)  # what Popen gives for a PIPE
        pending = b""
        try:
            while chunk := stdout.read1(1 << 16):
                *messages, pending = (pending + chunk).split(b",")
                for raw in messages:
                    self._receive(json.loads(base64.b64decode(raw)))
        except ValueError as exc:  # not base64 or not JSON: nothing after it can be trusted
            with self._done:
                self._errors.append(f"unreadable reply from Pagefind ({exc})")
        finally:
            with contextlib.suppress(subprocess.TimeoutExpired):  # reaped, for its exit code
                self._proc.wait(timeout=1)
            with self._done:  # no more replies: wake anyone waiting
                self._ended = True
                self._done.notify_all()

    def _receive(self, reply: dict[str, Any]) -> None:
        message_id, payload = reply.get("message_id"), reply.get("payload") or {}
        with self._done:
            if not isinstance(message_id, int):  # a message Pagefind could not read
                self._errors.append(f"Pagefind: {payload.get('message')}")
            elif (url := self._urls.pop(message_id, None)) is not None:
                if payload.get("type") == "Error":
                    self._errors.append(f"{url}: {payload.get('message')}")
            else:
                self._replies[message_id] = payload
            self._done.notify_all()
