"""Posts to several networks: scheduling, connected accounts, the exactly-once delivery engine and
its reconciliation.
"""
