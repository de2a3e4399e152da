"""The demo: a synthetic district and a guided run of the whole loop."""
