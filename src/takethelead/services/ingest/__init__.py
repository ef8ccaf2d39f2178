"""Data in and out: imports of export files, inbox sync, the JSON export, backup and restore."""
