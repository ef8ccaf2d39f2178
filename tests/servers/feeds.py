"""A local web server that serves RSS and Atom feeds, with ETag validation.

Paths: /rss.xml, /atom.xml, /not-a-feed.html, and /moved (302 to /rss.xml). Any path can be
(re)defined with `app.serve(path, content_type, body)`.

Run from another process: ``python -m tests.servers.feeds --port 0``.
"""

from __future__ import annotations

import hashlib

from tests.servers.base import App, Reply, Request, main

RSS = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
  <title>Ana Diaz &#8212; Notes</title>
  <link>https://ana.example.com/</link>
  <description>Coaching notes</description>
  <item>
    <title>Three questions before a referral</title>
    <link>https://ana.example.com/notes/referral-questions</link>
    <guid isPermaLink="false">ana-note-42</guid>
    <pubDate>Tue, 05 Mar 2024 09:30:00 +0100</pubDate>
    <dc:creator>Ana Diaz</dc:creator>
    <description>&lt;p&gt;Ask &lt;b&gt;who&lt;/b&gt;, why and when.&lt;/p&gt;</description>
  </item>
  <item>
    <title>No date, no guid</title>
    <link>https://ana.example.com/notes/undated</link>
  </item>
</channel>
</rss>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Forum digest</title>
  <link href="https://forum.example.org/"/>
  <id>urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6</id>
  <updated>2024-04-01T12:00:00Z</updated>
  <entry>
    <title>Caf\u00e9 meetup \U0001f389</title>
    <link href="https://forum.example.org/t/cafe-meetup/7"/>
    <id>tag:forum.example.org,2024:post-7</id>
    <updated>2024-04-01T12:00:00Z</updated>
    <author><name>Bo</name></author>
    <summary type="html">&lt;p&gt;Saturday at ten&lt;/p&gt;</summary>
  </entry>
</feed>
""".encode()


class FeedsApp(App):
    def __init__(self) -> None:
        super().__init__()
        self.documents: dict[str, tuple[str, bytes]] = {}
        self.serve("/rss.xml", "application/rss+xml; charset=utf-8", RSS)
        self.serve("/atom.xml", "application/atom+xml", ATOM)
        self.serve("/not-a-feed.html", "text/html", b"<html><body><p>Hello</body>")

    def serve(self, path: str, content_type: str, body: bytes) -> None:
        with self.lock:
            self.documents[path] = (content_type, body)

    def dispatch(self, request: Request) -> Reply:
        if request.path.startswith("/_control/"):
            return super().dispatch(request)
        with self.lock:
            self.requests.append((request.method, request.path))
            document = self.documents.get(request.path)
        if request.path == "/moved":
            return Reply(302, b"", {"Location": "/rss.xml"})
        if document is None:
            return Reply(404, b"<h1>Not Found</h1>", {"Content-Type": "text/html"})
        content_type, body = document
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if request.headers.get("if-none-match") == etag:
            return Reply(304, b"", {"ETag": etag})
        return Reply(200, body, {"Content-Type": content_type, "ETag": etag})


if __name__ == "__main__":
    main(FeedsApp, "A local feed server for tests")
