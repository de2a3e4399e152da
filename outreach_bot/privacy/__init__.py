"""A family's data on request, and what the district keeps no longer: export and retention."""
