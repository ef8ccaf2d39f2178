"""Local fakes of the networks' documented HTTP APIs, with fault switches (see base.py).

In tests: the fixtures in `tests.servers.fixtures`. From another process:
`python -m tests.servers.mastodon --port 0` (or `bluesky`, `discourse`, `feeds`) run from the
project root prints `listening on http://127.0.0.1:PORT` as its first line; drive it with
`POST /_control/fault`, `POST /_control/clear`, `GET /_control/state` and the seeds each
module documents.
"""
