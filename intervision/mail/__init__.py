"""E-mail and calendar: what the product sends, queued in the database and delivered by mail rounds.

- models.py: the kinds of mail, the outbox's statuses, a mail to queue
- settings.py: the SMTP server and the app's public address (environment or secrets.toml)
- compose.py: a mail's words from the catalogs, and the MIME message
- outbox.py: queue (inside the caller's transaction) and deliver, with retries and giving up
- choices.py: which mails a person gets; what coordinators see of the outbox
- rounds.py: the reminders that come due, then delivery
"""
