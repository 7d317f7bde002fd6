"""Writes of the connection layer: tokens, remembered answers, external ids, webhooks."""
