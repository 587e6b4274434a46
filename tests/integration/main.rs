//! The integration tests: one binary (link time on 2 cores), one module per theme.

mod aging_options;
mod behaviours;
mod cli;
mod corpus;
mod engine;
mod enterprisedata;
mod limits;
mod mutation;
mod once;
mod properties;
mod samples;
mod support;
mod worklists;
mod xlsx;
mod xml_inputs;
