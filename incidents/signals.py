from django.dispatch import Signal

# Sent inside the transaction that adds an entry to an incident's timeline, with
# `update` (the IncidentUpdate) and `automatic` (True when incidents wrote it by itself,
# for an auto-opened incident). Status pages listen to email their subscribers.
incident_update_published = Signal()

# Sent inside the transaction that handles a batch of monitors' status changes, with
# `changes` (the StatusChanges, oldest first, maintenance ones included). Alerts listens
# to alert people.
monitors_transitioned = Signal()
