//! cxone-chat: the command-line client of cxone-chatd. The binary is the subject of issue #5;
//! the crate is a workspace member from the start so the layout matches the product.
