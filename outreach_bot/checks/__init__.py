"""What `outreach-bot flows check` finds: untranslated text, keyword clashes, costly texts."""
