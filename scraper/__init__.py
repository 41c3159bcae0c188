"""Static news-digest site generator: source → RawPage → Article → tagged Article → Markdown → docs/."""

__version__ = "0.1.0"
