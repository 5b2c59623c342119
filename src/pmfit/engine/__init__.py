"""Pure engines over the compiled network: no files, no database, no printing."""
