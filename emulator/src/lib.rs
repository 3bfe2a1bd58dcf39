//! cxone-emulator: a local CXone back end. Its implementation is the subject of issue #3; this
//! crate is a workspace member from the start so that its dependency on the protocol crate is
//! part of the build from day one.
