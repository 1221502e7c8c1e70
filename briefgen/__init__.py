"""briefgen: a curated, multilingual, RTL-aware news-briefing archive as a static site."""

__version__ = "0.1.0"
