//! Plan connections: what they are, how to add and change them.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::Money;
use super::OAuthTokens;
use crate::crypto::SecretString;
use crate::error::{Error, Result};
use crate::macros::string_enum;

/// Maximum label length, in characters, after trimming.
pub const MAX_LABEL_CHARS: usize = 200;

string_enum! {
    /// Where a plan's usage comes from.
    Provider, "provider" {
        /// An Anthropic organisation, reached through the Admin API with an admin key.
        Anthropic => "anthropic",
        /// An OpenAI organisation, reached through its Usage and Costs APIs with an admin key.
        OpenAi => "openai",
        /// Claude Code's local JSONL logs on this machine (Pro and Max users).
        ClaudeCodeLogs => "claude_code_logs",
    }
}

string_enum! {
    /// The state of a plan connection.
    PlanStatus, "plan status" {
        /// Connected and synced.
        Active => "active",
        /// Disconnected by the host: its credential is destroyed, its synced data kept
        /// unless it was purged.
        Disconnected => "disconnected",
        /// Connected, but the last sync found the credential refused or answering for another
        /// organisation; replace the key with `rotate_plan_credential`.
        Error => "error",
    }
}

string_enum! {
    /// A subscription tier of a plan, priced by the dated catalog unless a custom price is set.
    SubscriptionTier, "subscription tier" {
        /// Claude Free.
        Free => "free",
        /// Claude Pro.
        Pro => "pro",
        /// Claude Max 5x.
        Max5x => "max_5x",
        /// Claude Max 20x.
        Max20x => "max_20x",
        /// Claude Team, standard seat.
        TeamStandard => "team_standard",
        /// Claude Team, premium seat.
        TeamPremium => "team_premium",
        /// Claude Enterprise (negotiated price: set a custom price per seat).
        Enterprise => "enterprise",
        /// Pay-as-you-go API use, with no fixed fee.
        Api => "api",
    }
}

string_enum! {
    /// How often a subscription is billed.
    BillingCycle, "billing cycle" {
        /// Every month, on the anchor day.
        Monthly => "monthly",
        /// Every year, on the anchor date.
        Annual => "annual",
    }
}

/// The fixed-fee side of a plan, entered by the host (providers have no API for it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Subscription {
    /// The tier, priced from the catalog.
    pub tier: SubscriptionTier,
    /// Seats paid for (1 for an individual plan).
    pub seats: i64,
    /// A custom price per seat per billing cycle; overrides the catalog's list price.
    pub price_per_seat: Option<Money>,
    /// Monthly or annual billing.
    pub cycle: BillingCycle,
    /// The first day of a billing period; periods renew on its day of month (and month, when
    /// annual).
    pub anchor_date: NaiveDate,
    /// ISO currency of the fees; only `USD` is supported.
    pub currency: String,
}

impl Subscription {
    /// A subscription of `seats` seats of `tier`, billed monthly from `anchor_date`, at the
    /// catalog's list price.
    pub fn new(tier: SubscriptionTier, seats: i64, anchor_date: NaiveDate) -> Self {
        Subscription {
            tier,
            seats,
            price_per_seat: None,
            cycle: BillingCycle::Monthly,
            anchor_date,
            currency: "USD".to_string(),
        }
    }

    /// Set the billing cycle.
    pub fn cycle(mut self, cycle: BillingCycle) -> Self {
        self.cycle = cycle;
        self
    }

    /// Set a custom price per seat per billing cycle.
    pub fn price_per_seat(mut self, price: Money) -> Self {
        self.price_per_seat = Some(price);
        self
    }

    /// Check the fields; [`Error::InvalidInput`] says which is wrong.
    pub fn validate(&self) -> Result<()> {
        if !(1..=1_000_000).contains(&self.seats) {
            return Err(Error::invalid(format!(
                "seats must be between 1 and 1000000, got {}",
                self.seats
            )));
        }
        if let Some(price) = self.price_per_seat
            && price.nanos() < 0
        {
            return Err(Error::invalid(format!(
                "price per seat must not be negative, got {price}"
            )));
        }
        if self.currency != "USD" {
            return Err(Error::invalid(format!(
                "currency must be USD (the only currency costledger sums), got {:?}",
                self.currency
            )));
        }
        Ok(())
    }
}

/// Provider-specific settings of a plan. Never holds a secret.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default)]
pub struct PlanSettings {
    /// For `claude_code_logs`: the directories scanned for `*.jsonl` logs.
    pub directories: Vec<String>,
}

/// A plan connection as stored. Holds no secret: only the credential's hint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Plan {
    /// The plan's id, stable for its lifetime and never reused.
    pub id: i64,
    /// Where its usage comes from.
    pub provider: Provider,
    /// The host's name for it: 1-200 characters, unique among plans not disconnected.
    pub label: String,
    /// Active, disconnected or error.
    pub status: PlanStatus,
    /// The credential's hint (`sk-ant-admin01-…AbCd`), the only part of it that ever leaves
    /// the store; `None` when the plan has no credential (local logs, or disconnected).
    pub key_hint: Option<String>,
    /// The provider's organisation id the credential answered for.
    pub org_id: Option<String>,
    /// The provider's organisation name.
    pub org_name: Option<String>,
    /// Provider-specific settings; in JSON their fields (`directories`) sit beside the
    /// plan's own.
    #[serde(flatten)]
    pub settings: PlanSettings,
    /// The subscription, when the host entered one.
    pub subscription: Option<Subscription>,
    /// When the plan was added.
    pub created_at: DateTime<Utc>,
    /// When the plan last changed.
    pub updated_at: DateTime<Utc>,
    /// When a sync of the plan last finished without error.
    pub last_synced_at: Option<DateTime<Utc>>,
    /// The last sync's error message, cleared by a successful sync.
    pub last_error: Option<String>,
    /// What the credential reaches at the provider (Anthropic: legacy reports, Analytics API,
    /// spend limits), checked when the plan was added or its credential rotated; `None`
    /// until checked, and for providers with one API.
    pub reach: Option<super::CredentialReach>,
}

/// A credential in memory, opened for one operation and wiped when dropped.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Credential {
    /// An Admin API key, sent as `x-api-key`.
    AdminKey(SecretString),
    /// OAuth tokens with `org:admin`: the access token is sent as `Authorization: Bearer`,
    /// refreshed near expiry and once after a 401.
    OAuth(Box<OAuthTokens>),
}

/// The hint of an OAuth plan: no part of a token, which rotates anyway.
pub const OAUTH_HINT: &str = "OAuth (org:admin)";

impl Credential {
    /// The stored kind name, part of the sealed value's associated data.
    pub fn kind(&self) -> &'static str {
        match self {
            Credential::AdminKey(_) => "admin_key",
            Credential::OAuth(_) => "oauth",
        }
    }

    /// The displayable hint ([`OAUTH_HINT`] for OAuth, which shows no part of a token).
    pub fn hint(&self) -> String {
        match self {
            Credential::AdminKey(key) => key.hint(),
            Credential::OAuth(_) => OAUTH_HINT.to_string(),
        }
    }

    /// The plaintext that gets sealed (for OAuth, the tokens and their expiry together).
    pub(crate) fn sealed_plaintext(&self) -> zeroize::Zeroizing<Vec<u8>> {
        match self {
            Credential::AdminKey(key) => zeroize::Zeroizing::new(key.expose().as_bytes().to_vec()),
            Credential::OAuth(tokens) => tokens.to_sealed_bytes(),
        }
    }

    /// Rebuild a credential from opened bytes of the given kind.
    pub(crate) fn from_opened(kind: &str, bytes: &[u8]) -> Result<Self> {
        if kind == "oauth" {
            return OAuthTokens::from_sealed_bytes(bytes).map(|t| Credential::OAuth(Box::new(t)));
        }
        let text = std::str::from_utf8(bytes)
            .map_err(|_| Error::crypto("an opened credential is not UTF-8; it is corrupt"))?;
        match kind {
            "admin_key" => Ok(Credential::AdminKey(SecretString::from(text))),
            other => Err(Error::crypto(format!(
                "unknown stored credential kind {other:?}"
            ))),
        }
    }
}

/// What [`crate::Ledger::add_plan`] needs to create a plan.
#[derive(Clone, Debug)]
pub struct NewPlan {
    /// The label (trimmed on add).
    pub label: String,
    /// Where usage comes from.
    pub provider: Provider,
    /// The credential, for providers that need one.
    pub credential: Option<Credential>,
    /// Provider-specific settings.
    pub settings: PlanSettings,
    /// An optional subscription.
    pub subscription: Option<Subscription>,
}

impl NewPlan {
    /// An Anthropic organisation reached with an Admin API key (`sk-ant-admin…`).
    pub fn anthropic(label: impl Into<String>, admin_key: impl Into<SecretString>) -> Self {
        NewPlan {
            label: label.into(),
            provider: Provider::Anthropic,
            credential: Some(Credential::AdminKey(admin_key.into())),
            settings: PlanSettings::default(),
            subscription: None,
        }
    }

    /// An Anthropic organisation reached with OAuth tokens from
    /// [`crate::oauth::OAuthClient::finish`] (or `select_organization`); they need the
    /// `org:admin` scope.
    pub fn anthropic_oauth(label: impl Into<String>, tokens: OAuthTokens) -> Self {
        NewPlan {
            label: label.into(),
            provider: Provider::Anthropic,
            credential: Some(Credential::OAuth(Box::new(tokens))),
            settings: PlanSettings::default(),
            subscription: None,
        }
    }

    /// An OpenAI organisation reached with an admin key (`sk-admin-…`); a read-only admin key
    /// is enough and is the one to use.
    pub fn openai(label: impl Into<String>, admin_key: impl Into<SecretString>) -> Self {
        NewPlan {
            label: label.into(),
            provider: Provider::OpenAi,
            credential: Some(Credential::AdminKey(admin_key.into())),
            settings: PlanSettings::default(),
            subscription: None,
        }
    }

    /// Claude Code's local logs in `directories` (empty: the default directories).
    pub fn claude_code_logs(label: impl Into<String>, directories: Vec<String>) -> Self {
        NewPlan {
            label: label.into(),
            provider: Provider::ClaudeCodeLogs,
            credential: None,
            settings: PlanSettings { directories },
            subscription: None,
        }
    }

    /// Attach a subscription.
    pub fn with_subscription(mut self, subscription: Subscription) -> Self {
        self.subscription = Some(subscription);
        self
    }
}

/// Changes to a plan; fields left `None` stay as they are.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PlanUpdate {
    /// A new label.
    pub label: Option<String>,
    /// `Some(Some(s))` sets the subscription, `Some(None)` removes it.
    pub subscription: Option<Option<Subscription>>,
}

impl PlanUpdate {
    /// No changes yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Change the label.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Set the subscription.
    pub fn subscription(mut self, subscription: Subscription) -> Self {
        self.subscription = Some(Some(subscription));
        self
    }

    /// Remove the subscription.
    pub fn clear_subscription(mut self) -> Self {
        self.subscription = Some(None);
        self
    }
}

/// The organisation a credential answers for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct OrgInfo {
    /// The provider's organisation id (a UUID for Anthropic).
    pub id: String,
    /// The organisation's name.
    pub name: String,
}

/// Trim a label and check its length: 1-200 characters.
pub fn validate_label(label: &str) -> Result<String> {
    let trimmed = label.trim();
    let chars = trimmed.chars().count();
    if chars == 0 || chars > MAX_LABEL_CHARS {
        return Err(Error::invalid(format!(
            "label must be 1-{MAX_LABEL_CHARS} characters, got {chars}"
        )));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(Error::invalid(
            "label must not contain control characters (newlines, tabs)",
        ));
    }
    Ok(trimmed.to_string())
}

/// Check the shape of an Anthropic admin key before any network call.
pub fn validate_admin_key(key: &SecretString) -> Result<()> {
    let text = key.expose();
    if text.is_empty() {
        return Err(Error::invalid(
            "admin key is empty; create one in the Claude Console under Settings → Admin keys",
        ));
    }
    if text.trim() != text || text.chars().any(char::is_whitespace) {
        return Err(Error::invalid(format!(
            "admin key {} contains whitespace; paste it without spaces or newlines",
            key.hint()
        )));
    }
    if !text.starts_with("sk-ant-admin") {
        let kind = if text.starts_with("sk-ant-api") {
            "a regular API key (sk-ant-api…), which cannot read usage and cost (a Claude \
             Enterprise admin key with scopes starts with sk-ant-api01-)"
        } else {
            "not an Anthropic admin key"
        };
        return Err(Error::invalid(format!(
            "admin key {} is {kind}; an admin key starts with sk-ant-admin and is created in \
             the Claude Console under Settings → Admin keys",
            key.hint()
        )));
    }
    if !text.is_ascii() || text.len() < 24 || text.len() > 512 {
        return Err(Error::invalid(format!(
            "admin key {} is {} characters of which some are not ASCII or the length is \
             outside 24-512; check that it was copied whole",
            key.hint(),
            text.chars().count()
        )));
    }
    Ok(())
}

/// Check the shape of an OpenAI admin key (`sk-admin-…`) before any network call.
pub fn validate_openai_admin_key(key: &SecretString) -> Result<()> {
    let text = key.expose();
    if text.is_empty() {
        return Err(Error::invalid(
            "admin key is empty; create a read-only admin key in the OpenAI platform under \
             Organization settings → Admin keys",
        ));
    }
    if text.chars().any(char::is_whitespace) {
        return Err(Error::invalid(format!(
            "admin key {} contains whitespace; paste it without spaces or newlines",
            key.hint()
        )));
    }
    if !text.starts_with("sk-admin-") {
        let kind = if text.starts_with("sk-proj-") || text.starts_with("sk-svcacct-") {
            "a project API key, which cannot read the organisation's usage and costs"
        } else if text.starts_with("sk-ant-") {
            "an Anthropic key; add it as an anthropic plan"
        } else {
            "not an OpenAI admin key"
        };
        return Err(Error::invalid(format!(
            "admin key {} is {kind}; an OpenAI admin key starts with sk-admin- and is created \
             in the OpenAI platform under Organization settings → Admin keys (read-only is \
             enough)",
            key.hint()
        )));
    }
    if !text.is_ascii() || text.len() < 32 || text.len() > 512 {
        return Err(Error::invalid(format!(
            "admin key {} is {} characters of which some are not ASCII or the length is \
             outside 32-512; check that it was copied whole",
            key.hint(),
            text.chars().count()
        )));
    }
    Ok(())
}

/// Which plans [`crate::Ledger::list_plans`] returns.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ListPlans {
    /// Also return disconnected plans (default: only active and error plans).
    pub include_disconnected: bool,
}

impl ListPlans {
    /// Every plan, disconnected ones included.
    pub fn all() -> Self {
        ListPlans {
            include_disconnected: true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_trimmed_and_bounded() {
        assert_eq!(validate_label("  Prod org ").unwrap(), "Prod org");
        let e = validate_label("   ").unwrap_err();
        assert_eq!(e.code(), "INVALID_INPUT");
        assert_eq!(e.to_string(), "label must be 1-200 characters, got 0");
        let long = "é".repeat(201);
        assert_eq!(
            validate_label(&long).unwrap_err().to_string(),
            "label must be 1-200 characters, got 201"
        );
        assert!(validate_label(&"é".repeat(200)).is_ok());
        assert!(validate_label("a\nb").is_err());
    }

    #[test]
    fn admin_key_shapes() {
        let ok = SecretString::from("sk-ant-admin01-abcdefghijklmnopqrstuvwxyz0123");
        validate_admin_key(&ok).unwrap();
        let regular = SecretString::from("sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123");
        let e = validate_admin_key(&regular).unwrap_err();
        assert!(e.to_string().contains("regular API key"), "{e}");
        assert!(!e.to_string().contains("abcdefghij"), "{e}");
        let spaced = SecretString::from("sk-ant-admin01-abcdefghijklmnop qrstuvwxyz");
        assert!(
            validate_admin_key(&spaced)
                .unwrap_err()
                .to_string()
                .contains("whitespace")
        );
        let short = SecretString::from("sk-ant-admin01-abc");
        assert!(validate_admin_key(&short).is_err());
        assert!(validate_admin_key(&SecretString::from("")).is_err());
    }

    #[test]
    fn openai_admin_key_shapes() {
        let ok = SecretString::from(format!("sk-admin-{}", "a1B2".repeat(20)));
        validate_openai_admin_key(&ok).unwrap();
        let project = SecretString::from(format!("sk-proj-{}", "x".repeat(40)));
        let e = validate_openai_admin_key(&project).unwrap_err();
        assert_eq!(e.code(), "INVALID_INPUT");
        assert!(e.to_string().contains("project API key"), "{e}");
        assert!(!e.to_string().contains("xxxxxxxx"), "{e}");
        let anthropic = SecretString::from("sk-ant-admin01-abcdefghijklmnopqrstuvwxyz0123");
        assert!(
            validate_openai_admin_key(&anthropic)
                .unwrap_err()
                .to_string()
                .contains("anthropic plan")
        );
        assert!(validate_openai_admin_key(&SecretString::from("sk-admin-short")).is_err());
        assert!(validate_openai_admin_key(&SecretString::from("")).is_err());
    }

    #[test]
    fn enums_parse_and_name_the_choices() {
        assert_eq!(
            "max_5x".parse::<SubscriptionTier>().unwrap(),
            SubscriptionTier::Max5x
        );
        let e = "gold".parse::<SubscriptionTier>().unwrap_err();
        assert!(
            e.to_string()
                .starts_with("subscription tier must be one of free, pro"),
            "{e}"
        );
        assert_eq!(Provider::ALL.len(), 3);
        assert_eq!("openai".parse::<Provider>().unwrap(), Provider::OpenAi);
    }

    #[test]
    fn subscription_validation() {
        let date = NaiveDate::from_ymd_opt(2026, 1, 31).unwrap();
        assert!(
            Subscription::new(SubscriptionTier::Pro, 1, date)
                .validate()
                .is_ok()
        );
        let e = Subscription::new(SubscriptionTier::Pro, 0, date)
            .validate()
            .unwrap_err();
        assert_eq!(e.to_string(), "seats must be between 1 and 1000000, got 0");
        let mut eur = Subscription::new(SubscriptionTier::Pro, 1, date);
        eur.currency = "EUR".into();
        assert!(eur.validate().unwrap_err().to_string().contains("USD"));
    }
}
