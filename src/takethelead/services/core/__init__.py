"""What every capability stands on: the opened store, errors, plain views, the workspace's
typed settings and the per-process cache. It imports no capability.
"""
