//! The CXone chat protocol.
