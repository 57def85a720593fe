/// The database layout. `sql` is the text of `schema.sql` carried by the binary
/// (EmbeddedSchema.swift, written by `scripts/embed-schema`).
public enum Schema {}
