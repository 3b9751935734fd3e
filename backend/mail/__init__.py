"""Email: letters rendered from templates (plain text and HTML) and sent over SMTP by the worker.

The lowest domain: it knows nothing of people or organizations, only addresses and words.
`CHORUS_SMTP_URL` unset means no email at all (`configured()` is False).
"""
