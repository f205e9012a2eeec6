"""Evidence: files, links and notes attached to EIAs (and to plan progress updates), stored safely."""
