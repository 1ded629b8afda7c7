"""The shop's statistics: what customers complain about, how drafts are used, what to prevent."""
