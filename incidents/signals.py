from django.dispatch import Signal

# Sent inside the transaction that adds an entry to an incident's timeline, with
# `update` (the IncidentUpdate). Status pages listen to email their subscribers.
incident_update_published = Signal()
