"""The reply guard: pitfalls of 004, 002 and 003 found in a reply, with spans and a rewording."""
