from django.dispatch import Signal

# Sent inside the transaction that adds entries to incidents' timelines, with `updates`
# (the IncidentUpdates) and `automatic` (True when incidents wrote them by itself, for
# auto-opened incidents: a burst of transitions writes hundreds at once). Status pages
# listen to email their subscribers.
incident_updates_published = Signal()

# Sent inside the transaction that handles a batch of monitors' status changes, with
# `changes` (the StatusChanges, oldest first, maintenance ones included). Alerts listens
# to alert people.
monitors_transitioned = Signal()
