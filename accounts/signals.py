"""Signals accounts sends for the apps above it, which it cannot import."""

from django.dispatch import Signal

# A new organization and its owner, sent inside the transaction that creates them
# (first-run setup, sign-up): a receiver's writes commit or roll back with them.
# Arguments: organization, owner (the user).
organization_created = Signal()
