"""Legally required notices: truancy counters, a state's rules as data, and the notices they call
for, each a letter to mail, a short text to the family and an entry in the case file."""
