"""Keeping conversations going when a part of the system fails: the action server, Redis."""
