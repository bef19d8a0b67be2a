"""Liant: a self-hosted workbench for community managers."""
