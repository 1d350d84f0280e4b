"""One module per schema revision, numbered: the revision number is the schema version."""
