"""mdnet: a personal relationship manager over a Markdown vault."""

__version__ = "0.1.0"
