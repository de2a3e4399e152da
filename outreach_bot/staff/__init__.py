"""The staff side: accounts, scope, case work, notices, audit and takeover (no Flask here)."""
