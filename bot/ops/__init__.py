"""Running the bot for real: health and metrics, backups, the doctor, start-up faults."""
