"""What a participant meets: the course, joining a group, their data."""
