"""Use cases, one package per capability of the glossary (see docs/ARCHITECTURE.md).

Who owns a transaction: the caller. A CLI command, a route or a job opens one with
`Store.transaction()` (or the web's per-request session) and passes the session in; a service
function works inside it and never commits, so several services compose into one atomic
write. The delivery engine (`posting/delivery.py`) is the exception that proves the rule: it
commits each claim before anything leaves the machine, so it opens its own short transactions.
"""
