"""Following the news live: feeds polled politely, their new entries read and ingested."""
