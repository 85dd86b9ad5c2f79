//! A row of the FOCUS export ([`FocusRow`]), its columns and what a FOCUS export covers
//! ([`FocusFilter`]); the rows are computed in `focus.rs`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Serialize, Serializer};

use super::export::{CsvWriter, ExportRecord, instant};
use super::period::Period;
use crate::error::{Error, Result};
use crate::model::{Basis, Money};

/// What [`Ledger::focus_export`] covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FocusFilter {
    /// The period: its whole UTC days, and the hours at its edges in other time zones.
    pub period: Period,
    /// Only these plans (default: every plan, disconnected ones included).
    pub plan_ids: Option<Vec<i64>>,
}

impl FocusFilter {
    /// Every plan in `period`.
    pub fn new(period: Period) -> Self {
        FocusFilter {
            period,
            plan_ids: None,
        }
    }

    /// Only these plans.
    pub fn plans(mut self, plan_ids: Vec<i64>) -> Self {
        self.plan_ids = Some(plan_ids);
        self
    }
}

/// The FOCUS 1.1 columns costledger fills, in the specification's (alphabetical) order:
/// every mandatory column, and the conditional ones that apply to Claude API usage.
pub const FOCUS_COLUMNS: [&str; 34] = [
    "BilledCost",
    "BillingAccountId",
    "BillingAccountName",
    "BillingCurrency",
    "BillingPeriodEnd",
    "BillingPeriodStart",
    "ChargeCategory",
    "ChargeClass",
    "ChargeDescription",
    "ChargeFrequency",
    "ChargePeriodEnd",
    "ChargePeriodStart",
    "ConsumedQuantity",
    "ConsumedUnit",
    "ContractedCost",
    "EffectiveCost",
    "InvoiceIssuerName",
    "ListCost",
    "PricingQuantity",
    "PricingUnit",
    "ProviderName",
    "PublisherName",
    "ResourceId",
    "ResourceName",
    "ResourceType",
    "ServiceCategory",
    "ServiceName",
    "ServiceSubcategory",
    "SkuId",
    "SkuPriceId",
    "SubAccountId",
    "SubAccountName",
    "Tags",
    "x_CostBasis",
];

/// Prefix of the tags costledger sets (FOCUS: provider-defined tags carry a prefix).
pub const TAG_PREFIX: &str = "costledger/";

fn dollars<S: Serializer>(m: &Money, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&m.to_dollars_string())
}

/// One FOCUS row; serialized (JSON) with the FOCUS column names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct FocusRow {
    /// The bill's amount (0 for estimates: they are not on the invoice).
    #[serde(serialize_with = "dollars")]
    pub billed_cost: Money,
    /// The organisation id (`costledger-plan-<id>` for a plan without one).
    pub billing_account_id: String,
    /// The organisation name (the plan's label without one).
    pub billing_account_name: String,
    /// `USD`.
    pub billing_currency: &'static str,
    /// End of the invoice's calendar month (UTC, exclusive).
    pub billing_period_end: DateTime<Utc>,
    /// Start of the invoice's calendar month (UTC).
    pub billing_period_start: DateTime<Utc>,
    /// `Usage`.
    pub charge_category: &'static str,
    /// Always null: costledger rows are never corrections of a closed invoice.
    pub charge_class: Option<&'static str>,
    /// What the row is, in words.
    pub charge_description: String,
    /// `Usage-Based`.
    pub charge_frequency: &'static str,
    /// End of the row's hours (exclusive): the next UTC midnight, or a period's edge.
    pub charge_period_end: DateTime<Utc>,
    /// Start of the row's hours.
    pub charge_period_start: DateTime<Utc>,
    /// Tokens of the row's dimension in its hours (input of every kind + output); 0 for
    /// unallocated bill lines, which no usage explains. When several bases share the same
    /// usage (part billed, part estimated), the tokens are split among their rows in
    /// proportion to their amounts, so the rows add up to the usage exactly.
    pub consumed_quantity: i64,
    /// `Tokens`.
    pub consumed_unit: &'static str,
    /// Same as EffectiveCost: costledger knows no contract price apart from the bill.
    #[serde(serialize_with = "dollars")]
    pub contracted_cost: Money,
    /// The amount: the allocated or unallocated bill, or the estimate.
    #[serde(serialize_with = "dollars")]
    pub effective_cost: Money,
    /// The provider: `Anthropic` or `OpenAI`.
    pub invoice_issuer_name: &'static str,
    /// Same as EffectiveCost (the bill is at the organisation's rates; estimates at list).
    #[serde(serialize_with = "dollars")]
    pub list_cost: Money,
    /// Same as ConsumedQuantity.
    pub pricing_quantity: i64,
    /// `Tokens`.
    pub pricing_unit: &'static str,
    /// The provider: `Anthropic` or `OpenAI`.
    pub provider_name: &'static str,
    /// The provider: `Anthropic` or `OpenAI`.
    pub publisher_name: &'static str,
    /// The API key; null for Console usage and unallocated cost.
    pub resource_id: Option<String>,
    /// The key's name.
    pub resource_name: Option<String>,
    /// `API Key` when ResourceId is set.
    pub resource_type: Option<&'static str>,
    /// `AI and Machine Learning`.
    pub service_category: &'static str,
    /// `Claude API`, `Claude Code` for local-log plans, `OpenAI API`.
    pub service_name: &'static str,
    /// `Generative AI`.
    pub service_subcategory: &'static str,
    /// The model (`other` for bill lines without one, such as code execution).
    pub sku_id: String,
    /// Model, service tier and context window: the price point (`model/tier/window`).
    pub sku_price_id: String,
    /// The workspace (`<org>:default` for the Default workspace).
    pub sub_account_id: String,
    /// The workspace's name.
    pub sub_account_name: String,
    /// costledger's tags (keys prefixed `costledger/`): basis, plan, tier, window, subject,
    /// project.
    pub tags: BTreeMap<String, String>,
    /// `allocated`, `unallocated` or `estimated` (custom column).
    #[serde(rename = "x_CostBasis")]
    pub x_cost_basis: Basis,
}

impl ExportRecord for FocusRow {
    /// Columns: [`FOCUS_COLUMNS`]; Tags as a JSON object.
    fn csv(records: &[Self]) -> Result<String> {
        let mut csv = CsvWriter::new(&FOCUS_COLUMNS);
        for r in records {
            let tags = serde_json::to_string(&r.tags)
                .map_err(|e| Error::internal(format!("cannot write FOCUS tags: {e}")))?;
            csv.record(&[
                r.billed_cost.to_dollars_string(),
                r.billing_account_id.clone(),
                r.billing_account_name.clone(),
                r.billing_currency.to_string(),
                instant(r.billing_period_end),
                instant(r.billing_period_start),
                r.charge_category.to_string(),
                r.charge_class.unwrap_or_default().to_string(),
                r.charge_description.clone(),
                r.charge_frequency.to_string(),
                instant(r.charge_period_end),
                instant(r.charge_period_start),
                r.consumed_quantity.to_string(),
                r.consumed_unit.to_string(),
                r.contracted_cost.to_dollars_string(),
                r.effective_cost.to_dollars_string(),
                r.invoice_issuer_name.to_string(),
                r.list_cost.to_dollars_string(),
                r.pricing_quantity.to_string(),
                r.pricing_unit.to_string(),
                r.provider_name.to_string(),
                r.publisher_name.to_string(),
                r.resource_id.clone().unwrap_or_default(),
                r.resource_name.clone().unwrap_or_default(),
                r.resource_type.unwrap_or_default().to_string(),
                r.service_category.to_string(),
                r.service_name.to_string(),
                r.service_subcategory.to_string(),
                r.sku_id.clone(),
                r.sku_price_id.clone(),
                r.sub_account_id.clone(),
                r.sub_account_name.clone(),
                tags,
                r.x_cost_basis.to_string(),
            ]);
        }
        Ok(csv.finish())
    }
}
