"""Laptop and CI only: the local engine, the embedded AWS emulator and the local model server.

Nothing deployed to AWS imports this package.
"""
