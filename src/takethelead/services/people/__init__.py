"""People and their touches: add, list, search, edit, merge, log a touch, rank."""
