"""Static monitoring: the quarterly indicator catalogue, campaigns, reports, review, roll-ups."""
