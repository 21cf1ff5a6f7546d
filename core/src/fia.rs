//! FIA summary
