"""The agent console."""
