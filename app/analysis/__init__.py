"""Message analysis: category, emotion, risks, demands, escalation, facts, with evidence."""
