"""Yakist: online monitoring and quality evaluation of administrative services."""

__version__ = "0.1.0"
