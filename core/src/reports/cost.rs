//! [`Cost`]: an amount of money split by where it comes from.

use std::ops::AddAssign;

use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

use crate::model::{Basis, Money};

/// An amount split by basis, so a reader always knows which part is billed, allocated or
/// estimated.
///
/// `billed()` (billed per key + allocated + unallocated) is the provider's bill to the
/// nanodollar: billed per key is what the provider itself billed to a key or person
/// (Anthropic's Analytics API, OpenAI's cost per key), allocated is the part of a bill
/// without keys that costledger matched to API keys by token share; estimated comes from the
/// price table (usage the bill leaves out, days not billed yet, local logs); subscription is
/// prorated fixed fees.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cost {
    /// Billed by the provider to a key or person: its own amounts (net of discounts), no
    /// allocation.
    pub billed_per_key: Money,
    /// The bill split across API keys in proportion to their tokens.
    pub allocated: Money,
    /// Billed cost that matched no usage.
    pub unallocated: Money,
    /// Priced from the price table.
    pub estimated: Money,
    /// Subscription fees, prorated to the period.
    pub subscription: Money,
}

impl Cost {
    /// Everything.
    pub fn total(&self) -> Money {
        self.billed() + self.estimated + self.subscription
    }

    /// The provider's bill: billed per key + allocated + unallocated.
    pub fn billed(&self) -> Money {
        self.billed_per_key + self.allocated + self.unallocated
    }

    /// Usage-based cost: billed + estimated (no fixed fees).
    pub fn usage(&self) -> Money {
        self.billed() + self.estimated
    }

    /// Add an amount of one basis.
    pub fn add(&mut self, basis: Basis, amount: Money) {
        match basis {
            Basis::Billed => self.billed_per_key += amount,
            Basis::Allocated => self.allocated += amount,
            Basis::Unallocated => self.unallocated += amount,
            Basis::Estimated => self.estimated += amount,
            Basis::Subscription => self.subscription += amount,
        }
    }

    /// True when every part is zero.
    pub fn is_zero(&self) -> bool {
        *self == Cost::default()
    }
}

impl AddAssign for Cost {
    fn add_assign(&mut self, other: Cost) {
        self.billed_per_key += other.billed_per_key;
        self.allocated += other.allocated;
        self.unallocated += other.unallocated;
        self.estimated += other.estimated;
        self.subscription += other.subscription;
    }
}

/// The parts `Serialize` writes, each with what it adds up, for the bindings' schema.
const PARTS: [(&str, &str); 7] = [
    ("total", "Everything: billed + estimated + subscription."),
    (
        "billed",
        "The provider's bill: billed_per_key + allocated + unallocated, to the nanodollar.",
    ),
    (
        "billed_per_key",
        "Billed by the provider to a key or person (Anthropic's Analytics API, OpenAI's cost \
         per key): its own amounts, net of discounts, no allocation.",
    ),
    (
        "allocated",
        "The part of a bill without keys split across API keys in proportion to their tokens.",
    ),
    (
        "unallocated",
        "Billed cost that matched no usage (code execution, for one).",
    ),
    (
        "estimated",
        "Priced from costledger's price table: usage the bill leaves out, days not billed yet, \
         local logs. An estimate, never billed.",
    ),
    ("subscription", "Subscription fees, prorated to the period."),
];

impl schemars::JsonSchema for Cost {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Cost".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let mut properties = serde_json::Map::new();
        for (name, description) in PARTS {
            let mut part = generator.subschema_for::<Money>().to_value();
            if let Some(part) = part.as_object_mut() {
                part.insert("description".into(), description.into());
            }
            properties.insert(name.into(), part);
        }
        schemars::json_schema!({
            "type": "object",
            "description": "An amount split by where it comes from, so every figure says its basis.",
            "properties": properties,
            "required": PARTS.map(|(name, _)| name),
        })
    }
}

impl Serialize for Cost {
    /// Exact decimal strings of dollars: `total`, `billed`, `billed_per_key`, `allocated`,
    /// `unallocated`, `estimated`, `subscription`.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Cost", 7)?;
        st.serialize_field("total", &self.total().to_dollars_string())?;
        st.serialize_field("billed", &self.billed().to_dollars_string())?;
        st.serialize_field("billed_per_key", &self.billed_per_key.to_dollars_string())?;
        st.serialize_field("allocated", &self.allocated.to_dollars_string())?;
        st.serialize_field("unallocated", &self.unallocated.to_dollars_string())?;
        st.serialize_field("estimated", &self.estimated.to_dollars_string())?;
        st.serialize_field("subscription", &self.subscription.to_dollars_string())?;
        st.end()
    }
}
