"""The resource directory: places that help with each barrier, their sheets, pages and links."""
