"""Atelier agent: inventory, checks, erasure and grading of donated PCs."""

__version__ = "0.1.0"

__all__ = ["__version__"]
