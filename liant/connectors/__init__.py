"""Connectors: one package per network behind one interface (see README.md)."""
