"""What trainers and translators run on the course: `lessons check` and its report."""
