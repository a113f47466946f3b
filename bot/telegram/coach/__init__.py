"""What a coach meets: their groups, reports, invites, digests and alerts."""
