"""rasa-sdk actions, one module per topic. They stay thin: slots → BillingBackend → localized response."""

from bot import logs

logs.configure()
