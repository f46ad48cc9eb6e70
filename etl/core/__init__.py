"""What every stage shares: settings, the data directory, the record schemas, the lock."""
