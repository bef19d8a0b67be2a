"""Signals the channels send, so the apps that read events can react without being imported
here (the data flows one way: channels store, the other modules read)."""

from django.dispatch import Signal

# Sent after the transaction that stored new events commits; kwargs: workspace_id, channel_id,
# stored (how many new events).
events_stored = Signal()
