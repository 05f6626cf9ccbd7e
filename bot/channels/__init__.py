"""Rasa input channels: every one masks payment data before Rasa stores the message (`redacting`)."""
