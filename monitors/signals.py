from django.dispatch import Signal

# Sent inside the transaction that wrote new StatusChange rows, with `count` (how
# many): whoever consumes the outbox can schedule itself for after the commit.
status_changes_recorded = Signal()
