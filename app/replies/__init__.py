"""What agents send: replies, the drafts they came from, feedback, commitments, shop phrases."""
