"""The conversation engine: flow definitions, their validation, and the pure engine."""
