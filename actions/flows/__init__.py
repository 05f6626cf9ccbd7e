"""One module per self-service topic; importing them registers their flows (actions.flow.FLOWS)."""

from actions.flows import (  # noqa: F401  (registration)
    billing_details,
    cancellation,
    due_date,
    explanations,
    invoices,
    overdue,
    payments,
    plans,
    service,
    support,
)
