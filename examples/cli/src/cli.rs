//! The command line: every subcommand and option, as clap parses them.
//!
//! Values the core knows how to parse (periods, tiers, money, dates) arrive here as strings
//! and are parsed in the command's module, so a malformed one fails with the core's message
//! and code (`error[INVALID_INPUT]: …`) like every other error.

use clap::{Args, Parser, Subcommand};

const ENVIRONMENT: &str = "\
Environment:
  COSTLEDGER_DATABASE_URL        database URL when --db is not given (default sqlite://costledger.db)
  COSTLEDGER_MASTER_KEY          the master key that seals admin keys (32 bytes, base64)
  COSTLEDGER_PREVIOUS_MASTER_KEYS  older master keys still accepted for reading, comma-separated
  COSTLEDGER_ANTHROPIC_BASE_URL  the Anthropic API base URL (default https://api.anthropic.com)
  COSTLEDGER_OPENAI_BASE_URL     the OpenAI API base URL, without /v1 (default https://api.openai.com)
  COSTLEDGER_POSTGRES_SCHEMA     Postgres only: the schema of costledger's tables (--postgres-schema)
  ANTHROPIC_ADMIN_API_KEY        the admin key `plans add`, `plans rotate-credential` and
                                 `plans import-env` read (or the variable named by --key-env)
  OPENAI_ADMIN_KEY               the admin key `plans add --openai` reads

Admin keys and master keys are never taken as command-line arguments: a command line lands
in the shell's history and is visible to every user of the machine in the process list.

Docs: docs/cli.md";

/// Why secrets are read from the environment or stdin, shown under the commands that take one.
const NO_SECRET_ARGUMENTS: &str = "\
The admin key is read from an environment variable (ANTHROPIC_ADMIN_API_KEY, or the one --key-env
names) or from standard input (--key-stdin), never from an argument: a command line lands in the
shell's history and is visible to every user of the machine in the process list.";

/// Track what your AI plans cost: connect Anthropic organisations with their admin keys
/// (sealed with your master key), sync usage and billed cost into your database, attribute
/// it to your users, and report it.
#[derive(Debug, Parser)]
#[command(name = "costledger", version, after_long_help = ENVIRONMENT)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every subcommand takes.
#[derive(Debug, Args)]
pub struct Global {
    /// Database URL: sqlite://path, sqlite::memory: or postgres://user@host/db.
    #[arg(
        long,
        global = true,
        value_name = "URL",
        env = "COSTLEDGER_DATABASE_URL",
        hide_env_values = true,
        default_value = costledger::config::DEFAULT_DATABASE_URL
    )]
    pub db: String,

    /// Postgres only: keep costledger's tables in this schema (created when missing).
    #[arg(
        long,
        global = true,
        value_name = "SCHEMA",
        env = "COSTLEDGER_POSTGRES_SCHEMA"
    )]
    pub postgres_schema: Option<String>,

    /// For simulations and tests: the instant the ledger takes as now (RFC 3339).
    #[arg(
        long,
        global = true,
        hide = true,
        env = "COSTLEDGER_NOW",
        value_name = "INSTANT"
    )]
    pub now: Option<String>,

    /// For simulations and tests: the least time between two requests with one admin key.
    #[arg(
        long,
        global = true,
        hide = true,
        env = "COSTLEDGER_REQUEST_INTERVAL_MS",
        value_name = "MS"
    )]
    pub request_interval_ms: Option<u64>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the whole thing against local fakes of the Anthropic Admin API (3 organisations)
    /// and OpenAI's API (1 organisation): 90 days of usage, synced into ./costledger-demo.db,
    /// then a dashboard.
    Demo(DemoArgs),
    /// Connect, list, change, check and disconnect plans (Anthropic organisations).
    #[command(subcommand)]
    Plans(PlansCommand),
    /// Bring usage and billed cost of every active plan (or one) into the database.
    Sync(SyncArgs),
    /// Reports: a user's costs, the dashboard, budgets, sync history, forecasts.
    #[command(subcommand)]
    Report(ReportCommand),
    /// Claude Code usage from a claude_code_logs plan: per day, week, month, session or
    /// 5-hour block, as ccusage shows it.
    #[command(subcommand)]
    Logs(LogsCommand),
    /// Your application's users, to whom spend is attributed.
    #[command(subcommand)]
    Subjects(SubjectsCommand),
    /// Named groups of a user's spend.
    #[command(subcommand)]
    Projects(ProjectsCommand),
    /// Attribute an API key of a plan to a user (and project), from a date.
    #[command(subcommand, name = "map-key")]
    MapKey(MapKeyCommand),
    /// Spending limits per day, week or month, with alert thresholds.
    #[command(subcommand)]
    Budgets(BudgetsCommand),
    /// The providers' own spend limits, as the last sync stored them.
    #[command(subcommand)]
    Limits(LimitsCommand),
    /// Recompute the derived cost facts from the synced usage and cost, compare them with
    /// what is stored (facts and every rollup), and repair what differs with --repair.
    Verify(VerifyArgs),
    /// Make a master key, or re-seal every stored admin key under a new one.
    #[command(subcommand, name = "master-key")]
    MasterKey(MasterKeyCommand),
    /// The providers costledger supports and what each can do.
    Providers {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Directory of costledger-demo.db and its key file.
    #[arg(long, default_value = ".", value_name = "DIR")]
    pub dir: std::path::PathBuf,
    /// Instead: a Claude Max user's month from generated Claude Code logs, in
    /// DIR/costledger-claude-code-demo/ and DIR/costledger-claude-code-demo.db.
    #[arg(long)]
    pub claude_code: bool,
}

/// Where an admin key is read from. Never the command line.
#[derive(Debug, Args)]
pub struct KeySource {
    /// Read the admin key from this environment variable (default ANTHROPIC_ADMIN_API_KEY,
    /// or OPENAI_ADMIN_KEY with --openai).
    #[arg(long, value_name = "VAR", conflicts_with = "key_stdin")]
    pub key_env: Option<String>,
    /// Read the admin key from standard input (e.g. `pass show anthropic | costledger …`).
    #[arg(long)]
    pub key_stdin: bool,
}

/// A plan's subscription: the fixed fee the provider has no API for.
#[derive(Debug, Args)]
pub struct SubscriptionArgs {
    /// Subscription tier: free, pro, max_5x, max_20x, team_standard, team_premium,
    /// enterprise, api.
    #[arg(long, value_name = "TIER")]
    pub tier: Option<String>,
    /// Seats paid for.
    #[arg(long, default_value_t = 1, requires = "tier")]
    pub seats: i64,
    /// A custom price per seat per billing cycle, in dollars (default: the list price).
    #[arg(long, value_name = "DOLLARS", requires = "tier")]
    pub price_per_seat: Option<String>,
    /// Billing cycle: monthly or annual.
    #[arg(long, default_value = "monthly", requires = "tier")]
    pub cycle: String,
    /// First day of a billing period, YYYY-MM-DD (default: today).
    #[arg(long, value_name = "DATE", requires = "tier")]
    pub anchor: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum PlansCommand {
    /// Connect an Anthropic (or, with --openai, an OpenAI) organisation: the admin key is
    /// verified, then sealed.
    #[command(after_help = NO_SECRET_ARGUMENTS)]
    Add {
        /// The plan's name in reports (1-200 characters, unique).
        #[arg(long)]
        label: String,
        #[command(flatten)]
        key: KeySource,
        /// Connect an OpenAI organisation with its admin key (sk-admin-…; read-only is
        /// enough), read from OPENAI_ADMIN_KEY unless --key-env or --key-stdin says otherwise.
        #[arg(long, conflicts_with = "claude_code_logs")]
        openai: bool,
        /// Read Claude Code's local logs instead of an organisation (no key).
        #[arg(long, conflicts_with_all = ["key_stdin"])]
        claude_code_logs: bool,
        /// With --claude-code-logs: a directory to scan (repeatable; default: Claude Code's).
        #[arg(long = "dir", value_name = "DIR", requires = "claude_code_logs")]
        dirs: Vec<String>,
        #[command(flatten)]
        subscription: SubscriptionArgs,
        /// Print the plan as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Connect an Anthropic organisation by signing in with OAuth (PKCE): prints the
    /// authorization URL, waits for the browser's redirect on a loopback port, then verifies
    /// and seals the tokens.
    Connect {
        /// The plan's name in reports (1-200 characters, unique).
        #[arg(long)]
        label: String,
        /// Sign in with OAuth (the way `connect` connects).
        #[arg(long, required = true)]
        oauth: bool,
        /// The client id of your OAuth application.
        #[arg(long, env = "COSTLEDGER_OAUTH_CLIENT_ID")]
        client_id: String,
        /// Base URL of the authorization server (its /oauth/authorize, /v1/oauth/token,
        /// /v1/oauth/revoke and /v1/oauth/organizations).
        #[arg(long, env = "COSTLEDGER_OAUTH_URL")]
        oauth_url: String,
        /// Loopback port the redirect comes back to (0: any free port).
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// Seconds to wait for the sign-in.
        #[arg(long, default_value_t = 300)]
        timeout: u64,
        /// Connect this organisation of the sign-in (its id) instead of the sign-in's own,
        /// when the account reaches several; one plan per organisation.
        #[arg(long, value_name = "ORG_ID")]
        org: Option<String>,
        /// Print the plan as JSON.
        #[arg(long)]
        json: bool,
    },
    /// List the plans, with their key hints and last sync.
    List {
        /// Also list disconnected plans.
        #[arg(long)]
        all: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Rename a plan, or set or remove its subscription.
    Update {
        /// The plan's id.
        id: i64,
        /// A new label.
        #[arg(long)]
        label: Option<String>,
        #[command(flatten)]
        subscription: SubscriptionArgs,
        /// Remove the subscription.
        #[arg(long, conflicts_with = "tier")]
        no_subscription: bool,
        /// Print the plan as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Disconnect a plan: its sealed key is destroyed; its synced data stays unless --purge.
    Disconnect {
        /// The plan's id.
        id: i64,
        /// Also delete its synced usage, cost and metadata.
        #[arg(long)]
        purge: bool,
    },
    /// Replace a plan's admin key (it must answer for the same organisation).
    #[command(after_help = NO_SECRET_ARGUMENTS)]
    RotateCredential {
        /// The plan's id.
        id: i64,
        #[command(flatten)]
        key: KeySource,
    },
    /// Import ANTHROPIC_ADMIN_API_KEY as the first plan (does nothing once any plan exists).
    ImportEnv,
    /// Open a plan's sealed key and ask the provider which organisation it answers for.
    Check {
        /// The plan's id.
        id: i64,
    },
    /// The API keys of a plan's organisation, as last synced (their ids are what map-key takes).
    Keys {
        /// The plan's id.
        id: i64,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Sync only this plan.
    #[arg(long, value_name = "ID")]
    pub plan: Option<i64>,
    /// Re-sync from this date (YYYY-MM-DD, UTC) or instant (RFC 3339), without moving any
    /// watermark back.
    #[arg(long, value_name = "DATE", requires = "to")]
    pub from: Option<String>,
    /// End of the re-sync (exclusive).
    #[arg(long, value_name = "DATE", requires = "from")]
    pub to: Option<String>,
    /// How far back a plan's first sync reaches, in days.
    #[arg(long, value_name = "DAYS", default_value_t = 30)]
    pub initial_days: i64,
    /// Sync only these streams, comma-separated (metadata, usage, cost, claude_code,
    /// analytics), or `legacy` for every default stream but analytics (days billed by the
    /// legacy cost report's allocation). Default: every default stream.
    #[arg(long, value_name = "LIST")]
    pub streams: Option<String>,
    /// Lifetime of each plan's sync lease, in seconds: how long a plan stays locked after a
    /// process syncing it was killed.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub lease_ttl: u64,
    #[command(flatten)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Verify only this plan (default: every plan).
    #[arg(long, value_name = "ID")]
    pub plan: Option<i64>,
    /// First UTC day checked (default: each plan's first day of data).
    #[arg(long, value_name = "DATE", requires = "to")]
    pub from: Option<String>,
    /// The day after the last one checked.
    #[arg(long, value_name = "DATE", requires = "from")]
    pub to: Option<String>,
    /// Derive again the days and months that differ.
    #[arg(long)]
    pub repair: bool,
    /// Print the report as JSON (amounts are exact decimal strings of dollars).
    #[arg(long)]
    pub json: bool,
}

/// How a report is printed.
#[derive(Debug, Args)]
pub struct Format {
    /// Print the report as JSON (amounts are exact decimal strings of dollars).
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// Print the report as CSV (RFC 4180, exact decimal dollars).
    #[arg(long)]
    pub csv: bool,
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// What one user cost: per plan, model, project and day.
    User {
        /// The subject's id.
        subject: String,
        /// 2026-11, 2026-11-05, 2026-W45 or 2026-11-01..2026-11-16, optionally followed by a
        /// time zone ("2026-11 America/Los_Angeles"); default: this month.
        #[arg(long)]
        period: Option<String>,
        #[command(flatten)]
        format: Format,
    },
    /// The company's spend: per plan, workspace, model, top users, and day by day.
    Dashboard {
        /// The period (see `report user --help`); default: this month.
        #[arg(long)]
        period: Option<String>,
        /// Only this plan (repeatable).
        #[arg(long = "plan", value_name = "ID")]
        plans: Vec<i64>,
        /// How many top users to list.
        #[arg(long, default_value_t = 10)]
        top: usize,
        #[command(flatten)]
        format: Format,
    },
    /// Allocated cost in the FinOps FOCUS 1.1 column layout, as CSV: a row per plan, UTC day,
    /// API key, workspace, model, tier, window and basis.
    Focus {
        /// The period (see `report user --help`); default: this month.
        #[arg(long)]
        period: Option<String>,
        /// Only this plan (repeatable).
        #[arg(long = "plan", value_name = "ID")]
        plans: Vec<i64>,
    },
    /// Usage that is not tokens (OpenAI images, speech, transcription, file search, code
    /// interpreter, vector storage) per UTC day, with list-price estimates.
    Units {
        /// First UTC day (2026-11-01); default: the first of this month.
        #[arg(long, value_name = "DATE")]
        from: Option<String>,
        /// The day after the last (2026-12-01); default: tomorrow.
        #[arg(long, value_name = "DATE")]
        to: Option<String>,
        /// Only this plan (repeatable).
        #[arg(long = "plan", value_name = "ID")]
        plans: Vec<i64>,
        /// Only this unit (repeatable): images, speech_characters, transcription_seconds,
        /// file_search_calls, code_interpreter_sessions, storage_bytes.
        #[arg(long = "unit", value_name = "UNIT")]
        units: Vec<String>,
        #[command(flatten)]
        format: Format,
    },
    /// The Analytics API's billed cost (net after discount, and list) per actor, API key,
    /// workspace or day, over UTC days, as the `analytics` sync stream stored it.
    Billed {
        /// What each line sums: actor, api-key, workspace or day.
        #[arg(long, value_enum, default_value = "actor")]
        by: crate::billed::ByArg,
        /// First UTC day (2026-11-01); default: the first of this month.
        #[arg(long, value_name = "DATE")]
        from: Option<String>,
        /// The day after the last (2026-12-01); default: tomorrow.
        #[arg(long, value_name = "DATE")]
        to: Option<String>,
        /// Only this plan (repeatable).
        #[arg(long = "plan", value_name = "ID")]
        plans: Vec<i64>,
        #[command(flatten)]
        format: Format,
    },
    /// Per Anthropic plan and UTC day: the Analytics API's billed total, the legacy cost
    /// report's total and costledger's allocation of it, with the differences and their
    /// reasons (discount, Priority Tier, rounding, late data, unallocated).
    Reconcile {
        /// First UTC day (2026-11-01); default: the first of this month.
        #[arg(long, value_name = "DATE")]
        from: Option<String>,
        /// The day after the last (2026-12-01); default: tomorrow.
        #[arg(long, value_name = "DATE")]
        to: Option<String>,
        /// Only this plan (repeatable); default: every Anthropic plan.
        #[arg(long = "plan", value_name = "ID")]
        plans: Vec<i64>,
        #[command(flatten)]
        format: Format,
    },
    /// Every budget's spend, remaining and forecast in its current period.
    Budgets {
        #[command(flatten)]
        format: Format,
    },
    /// Sync events, newest first.
    History {
        /// Only this plan.
        #[arg(long, value_name = "ID")]
        plan: Option<i64>,
        /// At most this many events.
        #[arg(long, default_value_t = 30)]
        limit: i64,
        #[command(flatten)]
        format: Format,
    },
    /// The end-of-period projection from the recent daily run rate.
    Forecast {
        /// What to project: global, plan:ID, workspace:PLAN_ID:WORKSPACE_ID
        /// (workspace:PLAN_ID:default for the Default workspace), subject:ID or project:ID.
        #[arg(long, default_value = "global")]
        scope: String,
        /// The period (see `report user --help`); default: this month.
        #[arg(long)]
        period: Option<String>,
        #[command(flatten)]
        format: Format,
    },
}

#[derive(Debug, Subcommand)]
pub enum LogsCommand {
    /// Usage per day in the time zone.
    Daily(LogsArgs),
    /// Usage per ISO week (Monday to Sunday), named by its Monday.
    Weekly(LogsArgs),
    /// Usage per month.
    Monthly(LogsArgs),
    /// Usage per session (and project), ordered by last activity.
    Session(LogsArgs),
    /// Claude's 5-hour usage blocks, with the active block's burn rate and projection.
    Blocks(LogsArgs),
}

/// The order of a logs report's rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Order {
    /// Oldest first.
    Asc,
    /// Newest first.
    Desc,
}

/// Where a logs report takes each entry's cost from (ccusage's `--mode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum CostModeArg {
    /// The `costUSD` Claude Code wrote in the line when it has one, else calculated.
    Auto,
    /// Always calculated with the price table (fast mode and long context at their rates).
    Calculate,
    /// Only the line's `costUSD` ($0 when it has none).
    Display,
}

/// The options every `logs` report takes.
#[derive(Debug, Args)]
pub struct LogsArgs {
    /// The claude_code_logs plan (default: the only one).
    #[arg(long, value_name = "ID")]
    pub plan: Option<i64>,
    /// First day included, in the time zone (2026-01-05 or 20260105).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Last day included, in the time zone.
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// The IANA time zone days, weeks and months are cut in, and times shown in
    /// (default: $TZ when it names one, else UTC).
    #[arg(long, value_name = "ZONE")]
    pub timezone: Option<String>,
    /// Only this project (the directory under projects/, as `logs session` lists them;
    /// Claude Code's names start with a dash: `--project -home-me-app`).
    #[arg(long, value_name = "NAME", allow_hyphen_values = true)]
    pub project: Option<String>,
    /// A line per model under each row.
    #[arg(long)]
    pub breakdown: bool,
    /// Row order.
    #[arg(long, value_enum, default_value = "asc")]
    pub order: Order,
    /// Where each entry's cost comes from.
    #[arg(long, value_enum, default_value = "auto")]
    pub cost_mode: CostModeArg,
    /// Sync the plan's logs first.
    #[arg(long)]
    pub sync: bool,
    /// Print JSON (amounts are exact decimal strings of dollars).
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum SubjectsCommand {
    /// Create a user, or change their email and name.
    Add {
        /// Your application's id for the user.
        id: String,
        /// Their email: keys created by the org member with this email are theirs.
        #[arg(long)]
        email: Option<String>,
        /// Their display name.
        #[arg(long)]
        name: Option<String>,
    },
    /// List the users.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Delete a user, their projects and mappings.
    Delete {
        /// The subject's id.
        id: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ProjectsCommand {
    /// Create a project owned by a user.
    Add {
        /// The owner's subject id.
        subject: String,
        /// The project's name (unique per owner).
        name: String,
    },
    /// List projects, of one user or of everyone.
    List {
        /// Only this user's.
        #[arg(long, value_name = "ID")]
        subject: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Delete a project; its keys fall back to the owner's default project.
    Delete {
        /// The project's id.
        id: i64,
    },
}

#[derive(Debug, Subcommand)]
pub enum MapKeyCommand {
    /// Attribute API key KEY_ID of plan PLAN to SUBJECT.
    Add {
        /// The plan's id.
        plan: i64,
        /// The provider's API key id (apikey_…; see `plans keys`).
        key_id: String,
        /// The subject's id.
        subject: String,
        /// One of the subject's projects (default: their default project).
        #[arg(long, value_name = "ID")]
        project: Option<i64>,
        /// From this date or instant (default: all of the key's history).
        #[arg(long, value_name = "DATE")]
        from: Option<String>,
        /// Until this date or instant, exclusive (default: open-ended).
        #[arg(long, value_name = "DATE")]
        until: Option<String>,
    },
    /// List mappings.
    List {
        /// Only this plan's.
        #[arg(long, value_name = "ID")]
        plan: Option<i64>,
        /// Only this subject's.
        #[arg(long, value_name = "ID")]
        subject: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// End a mapping: from then on the key falls back to its creator.
    End {
        /// The mapping's id.
        id: i64,
        /// When it ends (default: now).
        #[arg(long, value_name = "DATE")]
        at: Option<String>,
    },
    /// Delete a mapping.
    Delete {
        /// The mapping's id.
        id: i64,
    },
}

#[derive(Debug, Subcommand)]
pub enum BudgetsCommand {
    /// Create a budget: a limit on usage cost per day, week or month, with alert thresholds.
    Add {
        /// Its name.
        #[arg(long)]
        name: String,
        /// What it counts: global, plan:ID, workspace:PLAN_ID:WORKSPACE_ID
        /// (workspace:PLAN_ID:default for the Default workspace), subject:ID or project:ID.
        #[arg(long, default_value = "global")]
        scope: String,
        /// day, week (ISO, Monday to Sunday) or month.
        #[arg(long, default_value = "month", value_name = "PERIOD")]
        every: String,
        /// The limit per period, in dollars.
        #[arg(long, value_name = "DOLLARS", required_unless_present = "mirror_limit")]
        amount: Option<String>,
        /// Mirror the provider spend limit of --plan with this scope (organization,
        /// workspace:ID or user:ID) and the period --every: the amount is the limit as
        /// last synced, the scope what it applies to (user: the subject with the member's
        /// e-mail), in UTC.
        #[arg(
            long,
            value_name = "SCOPE",
            requires = "plan",
            conflicts_with = "amount"
        )]
        mirror_limit: Option<String>,
        /// The plan whose provider limit --mirror-limit mirrors.
        #[arg(long, value_name = "ID", requires = "mirror_limit")]
        plan: Option<i64>,
        /// An alert threshold in percent of the limit (repeatable; default 50, 80, 100).
        #[arg(long = "alert", value_name = "PERCENT")]
        alerts: Vec<u32>,
        /// No alert thresholds: a budget watched without alerts.
        #[arg(long, conflicts_with = "alerts")]
        no_alerts: bool,
        /// The IANA time zone its periods are in.
        #[arg(long, default_value = "UTC", value_name = "ZONE")]
        time_zone: String,
        /// Print the budget as JSON.
        #[arg(long)]
        json: bool,
    },
    /// List budgets (`costledger report budgets` shows where each stands).
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Change a budget's name, limit, period, time zone or thresholds (not its scope).
    Update {
        /// The budget's id.
        id: i64,
        /// A new name.
        #[arg(long)]
        name: Option<String>,
        /// A new limit per period, in dollars.
        #[arg(long, value_name = "DOLLARS")]
        amount: Option<String>,
        /// A new period: day, week or month.
        #[arg(long, value_name = "PERIOD")]
        every: Option<String>,
        /// New alert thresholds in percent (repeatable; replaces the old ones).
        #[arg(long = "alert", value_name = "PERCENT")]
        alerts: Vec<u32>,
        /// Remove every alert threshold.
        #[arg(long, conflicts_with = "alerts")]
        no_alerts: bool,
        /// A new time zone.
        #[arg(long, value_name = "ZONE")]
        time_zone: Option<String>,
        /// Print the budget as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Delete a budget and its alert records.
    Delete {
        /// The budget's id.
        id: i64,
    },
}

#[derive(Debug, Subcommand)]
pub enum LimitsCommand {
    /// A plan's spend limits and (Claude Enterprise) each member's effective limit and
    /// period-to-date spend, as the last sync stored them.
    List {
        /// The plan.
        #[arg(long, value_name = "ID")]
        plan: i64,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum MasterKeyCommand {
    /// Print a new random master key (32 bytes, base64) on stdout.
    Generate,
    /// Re-seal every stored admin key under a new master key, in one transaction.
    ///
    /// The new key is read from COSTLEDGER_NEW_MASTER_KEY (or the variable --new-key-env
    /// names) or standard input, never from an argument, which would land in the shell's
    /// history.
    Rotate {
        /// Read the new key from this environment variable.
        #[arg(
            long,
            value_name = "VAR",
            default_value = "COSTLEDGER_NEW_MASTER_KEY",
            conflicts_with = "new_key_stdin"
        )]
        new_key_env: String,
        /// Read the new key from standard input.
        #[arg(long)]
        new_key_stdin: bool,
    },
}
