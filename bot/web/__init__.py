"""The customer portal: the pages behind the links the assistant sends (invoice PDFs, the card payment
page of a payment request, the secure payment-method page) and the payment provider's webhook."""
