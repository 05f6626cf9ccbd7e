"""The agent side of the human handoff: agents, console sessions and the ticket queue (no web UI here).

The agent console (`bot/web/`, to come) is to call `AgentDirectory`, `ConsoleAuth`, `TicketQueue` and
`HandoffStats`.
"""
