"""The facilitator's console, one module per screen: start, check-in, running, closing and the report.

pages/console.py only decides which screen a session is on; each screen gets the `Console` it works for.
"""
