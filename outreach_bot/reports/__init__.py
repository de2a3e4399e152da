"""Reports a district acts on: chronic absence, its monthly trend, the students list, outreach."""
