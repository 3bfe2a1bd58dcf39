//! REST bodies (PROTOCOL.md §1). Filled in by the REST work.
