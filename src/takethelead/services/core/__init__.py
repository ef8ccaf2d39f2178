"""What every capability stands on: the opened store, errors, plain views and the per-process
cache. It imports no capability.
"""
