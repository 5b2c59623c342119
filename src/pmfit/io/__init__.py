"""Adapters that read and write plan files."""
