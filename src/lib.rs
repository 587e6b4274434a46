//! sverka (сверка, "reconciliation"): the debtor register from 1C and bank exports.
//!
//! Data flows one way through the layers, each in its own module:
//! [`formats`] (bytes of one file → normalized documents) → [`ledger`] (all documents,
//! each once, parties resolved) → [`matching`] (allocations, each with its rule) →
//! [`aging`] (the register as of a date, checked) → [`output`] (table, CSV, TSV, JSON,
//! XLSX). [`commands`] runs that pipeline per command; [`cli`] turns arguments into
//! validated settings and calls one command.

pub mod aging;
pub mod calendar;
pub mod cli;
pub mod commands;
pub mod dates;
pub mod error;
pub mod followup;
pub mod formats;
pub mod inn;
pub mod input;
pub mod ledger;
pub mod managers;
pub mod matching;
pub mod model;
pub mod money;
pub mod output;
pub mod par;
pub mod prefetch;
pub mod rates;
pub mod review;
pub mod terms;
pub mod text;

pub use error::{Error, Result};
