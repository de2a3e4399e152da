"""Messaging: the outbox, opt-outs, quiet hours, segments and delivery status."""
