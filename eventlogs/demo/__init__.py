"""The built-in demo organisation: a seeded simulator of a ticketing and a logistics system."""
