"""Pure logic of Take the Lead: dataclasses, enums and functions; no I/O, no ORM."""
