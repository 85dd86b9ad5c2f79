//! `FakeServer` (start, stop, the test-facing mutators) and the state it shares with the
//! request pipeline and the control API.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};

use axum::Router;
use chrono::{DateTime, Utc};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::config::{FakeConfig, OrgCredentials, OrgKinds, ScopedKey};
use crate::faults::{FaultState, Faults};
use crate::oauth::{OAuthExpiry, OAuthFaults, OAuthState, OAuthStats};
use crate::pipeline;
use crate::rng::Rng;
use crate::stats::Stats;
use crate::truth::{self, Truth};
use crate::world::World;

/// `anthropic-version` values the fake accepts.
pub const SUPPORTED_VERSIONS: [&str; 2] = ["2023-06-01", "2026-10-21"];

const TAG_REQUEST_ID: u64 = 30;

/// State shared by the handlers, the control endpoints and `FakeServer`'s methods.
pub(crate) struct Shared {
    world: RwLock<World>,
    faults: Mutex<FaultState>,
    stats: Mutex<Stats>,
    requests: AtomicU64,
    seed: u64,
    oauth: Mutex<OAuthState>,
}

// A panic in one handler must not wedge the fake for the rest of a test run.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    pub(crate) fn read(&self) -> RwLockReadGuard<'_, World> {
        self.world.read().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn write(&self) -> RwLockWriteGuard<'_, World> {
        self.world.write().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn stats(&self) -> Stats {
        lock(&self.stats).clone()
    }

    pub(crate) fn reset_stats(&self) {
        *lock(&self.stats) = Stats::default();
    }

    pub(crate) fn set_faults(&self, faults: Faults) {
        lock(&self.faults).set(faults);
    }

    pub(crate) fn faults(&self) -> Faults {
        lock(&self.faults).faults().clone()
    }

    pub(crate) fn orgs(&self) -> Vec<OrgCredentials> {
        self.read()
            .orgs
            .iter()
            .map(|o| OrgCredentials {
                id: o.org.id.clone(),
                name: o.org.name.clone(),
                admin_key: o.org.admin_key.clone(),
            })
            .collect()
    }

    /// Org indices of these org ids, in order; fails on an unknown id or an empty list.
    pub(crate) fn org_indices(&self, org_ids: &[&str]) -> Result<Vec<usize>, String> {
        if org_ids.is_empty() {
            return Err("an OAuth account needs at least one organization".into());
        }
        let world = self.read();
        org_ids
            .iter()
            .map(|id| {
                world
                    .orgs
                    .iter()
                    .position(|o| o.org.id == *id)
                    .ok_or_else(|| format!("no org with id {id:?}"))
            })
            .collect()
    }

    pub(crate) fn truth_between(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> Truth {
        let world = self.read();
        truth::compute(&world, crate::buckets::ceil_secs(start), end.timestamp())
    }

    pub(crate) fn truth(&self) -> Truth {
        let world = self.read();
        truth::compute(&world, world.start_hour * 3_600, world.now.timestamp())
    }

    pub(crate) fn stats_mut(&self) -> MutexGuard<'_, Stats> {
        lock(&self.stats)
    }

    pub(crate) fn faults_mut(&self) -> MutexGuard<'_, FaultState> {
        lock(&self.faults)
    }

    /// The authorization server. Take it after `read()`/`write()` when both are needed.
    pub(crate) fn oauth(&self) -> MutexGuard<'_, OAuthState> {
        lock(&self.oauth)
    }

    pub(crate) fn request_id(&self) -> String {
        let n = self.requests.fetch_add(1, Ordering::Relaxed);
        format!(
            "req_011{}",
            Rng::from_parts(&[self.seed, TAG_REQUEST_ID, n]).base62(21)
        )
    }
}

/// A running fake Admin API.
pub struct FakeServer {
    shared: Arc<Shared>,
    addr: SocketAddr,
    shutdown: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl FakeServer {
    /// Generates the data and serves it on `127.0.0.1` at a free port.
    pub async fn start(config: FakeConfig) -> std::io::Result<FakeServer> {
        FakeServer::start_on(config, 0).await
    }

    /// Like [`FakeServer::start`], on `port` (0 picks a free one).
    pub async fn start_on(config: FakeConfig, port: u16) -> std::io::Result<FakeServer> {
        FakeServer::start_with_kinds_on(config, OrgKinds::none(), port).await
    }

    /// Like [`FakeServer::start`], with some orgs Enterprise, HIPAA-ready or without the
    /// Analytics beta. Fails with `InvalidInput` if `kinds` names an org that does not
    /// exist.
    pub async fn start_with_kinds(
        config: FakeConfig,
        kinds: OrgKinds,
    ) -> std::io::Result<FakeServer> {
        FakeServer::start_with_kinds_on(config, kinds, 0).await
    }

    /// Like [`FakeServer::start_with_kinds`], on `port` (0 picks a free one).
    pub async fn start_with_kinds_on(
        config: FakeConfig,
        kinds: OrgKinds,
        port: u16,
    ) -> std::io::Result<FakeServer> {
        if let Some(i) = kinds.out_of_range(config.orgs) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!(
                    "org kinds name org {i}, but there are {} orgs (0-based)",
                    config.orgs
                ),
            ));
        }
        let listener = TcpListener::bind(("127.0.0.1", port)).await?;
        let addr = listener.local_addr()?;
        let world = World::new(config.seed, config.orgs, config.days, config.now, &kinds);
        let mut faults = FaultState::default();
        faults.set(config.faults);
        let shared = Arc::new(Shared {
            world: RwLock::new(world),
            faults: Mutex::new(faults),
            stats: Mutex::new(Stats::default()),
            requests: AtomicU64::new(0),
            seed: config.seed,
            oauth: Mutex::new(OAuthState::new(config.seed, config.orgs)),
        });
        let app = Router::new()
            .fallback(pipeline::handle)
            .with_state(shared.clone());
        let (shutdown, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
        });
        Ok(FakeServer {
            shared,
            addr,
            shutdown,
            task,
        })
    }

    /// `http://127.0.0.1:<port>`
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Every org with the admin key it was created with.
    pub fn orgs(&self) -> Vec<OrgCredentials> {
        self.shared.orgs()
    }

    /// Exactly what the reports serve now with `ending_at` left out: usage of every hour
    /// before `floor_hour(now)`, cost of every day before `floor_day(now)`.
    pub fn truth(&self) -> Truth {
        self.shared.truth()
    }

    /// What the 1h usage report and the 1d cost report serve for
    /// `starting_at=start&ending_at=end`.
    pub fn truth_between(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> Truth {
        self.shared.truth_between(start, end)
    }

    /// Replaces the faults; every key's request count restarts at zero.
    pub fn set_faults(&self, faults: Faults) {
        self.shared.set_faults(faults);
    }

    /// The faults in force.
    pub fn faults(&self) -> Faults {
        self.shared.faults()
    }

    /// Moves the clock. Moving forward reveals the hours in between.
    pub fn set_now(&self, now: DateTime<Utc>) {
        self.shared.write().set_now(now);
    }

    /// The fake's clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.shared.read().now
    }

    /// The last 3 hours before now gain usage (and hence cost) in every org.
    pub fn grow_late_data(&self) {
        self.shared.write().grow_late_data();
    }

    /// That admin key now gets 401.
    pub fn revoke_key(&self, admin_key: &str) {
        self.shared.write().revoke(admin_key);
    }

    /// Issues a second (third, …) valid admin key for the org; panics on an unknown org id.
    pub fn add_admin_key(&self, org_id: &str) -> String {
        self.shared
            .write()
            .add_admin_key(org_id)
            .unwrap_or_else(|| panic!("no org with id {org_id:?}"))
    }

    /// Mints a scoped Claude Enterprise key (`sk-ant-api01-…`) with these scopes (e.g.
    /// `read:analytics`). Fails for an unknown org, a Console org or an unknown scope.
    pub fn add_scoped_key(&self, org_id: &str, scopes: &[&str]) -> Result<String, String> {
        self.shared.write().add_scoped_key(org_id, scopes)
    }

    /// Every valid scoped key, oldest first. Each Enterprise org starts with two:
    /// `read:analytics, read:spend_limits, write:spend_limits`, and `read:spend_limits`.
    pub fn scoped_keys(&self) -> Vec<ScopedKey> {
        self.shared.read().scoped_keys()
    }

    /// Requests per key and endpoint, and faults served.
    pub fn stats(&self) -> Stats {
        self.shared.stats()
    }

    /// Zeroes the stats.
    pub fn reset_stats(&self) {
        self.shared.reset_stats();
    }

    /// What the OAuth authorization server has done since start.
    pub fn oauth_stats(&self) -> OAuthStats {
        self.shared.oauth().stats()
    }

    /// Replaces the OAuth faults (refused refreshes, authorization server down).
    pub fn set_oauth_faults(&self, faults: OAuthFaults) {
        self.shared.oauth().set_faults(faults);
    }

    /// Expires every access token issued so far, or every code not yet exchanged.
    pub fn expire_oauth(&self, what: OAuthExpiry) {
        self.shared.oauth().expire(what);
    }

    /// Lifetime of access tokens issued from now on, in seconds of the fake's clock
    /// (default 3600).
    pub fn set_oauth_access_ttl(&self, secs: i64) {
        self.shared.oauth().set_access_ttl(secs);
    }

    /// Sign-ins from now on reach these organisations (ids), the first being the one their
    /// tokens answer for. Fails on an unknown org id or an empty list.
    pub fn set_oauth_account(&self, org_ids: &[&str]) -> Result<(), String> {
        let orgs = self.shared.org_indices(org_ids)?;
        self.shared.oauth().set_account(orgs);
        Ok(())
    }

    /// Stops serving and waits for the server task to end.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(());
        let _ = self.task.await;
    }
}
