//! Flick's player core.
pub mod manifest;
pub mod presentation;
pub mod segment_index;
