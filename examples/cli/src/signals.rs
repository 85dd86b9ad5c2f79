//! SIGINT and SIGTERM during a sync: the first stops it gracefully (the page being written is
//! committed, each plan records an `interrupted` event and gives its lease back), a second one
//! ends the process at once.

use std::sync::Arc;
use std::sync::atomic::{AtomicI32, Ordering};

use costledger::SyncCancel;
use tokio::signal::unix::{SignalKind, signal};
use tokio::task::JoinHandle;

use crate::failure::exit;

/// Listens for the signals while a sync runs; dropping it stops listening.
pub struct Interrupts {
    received: Arc<AtomicI32>,
    task: JoinHandle<()>,
}

const SIGINT: i32 = 2;
const SIGTERM: i32 = 15;

fn name(signal: i32) -> &'static str {
    if signal == SIGINT {
        "SIGINT"
    } else {
        "SIGTERM"
    }
}

impl Interrupts {
    /// Cancel `cancel` on the first SIGINT or SIGTERM; exit at once on the second.
    pub fn watch(cancel: SyncCancel) -> std::io::Result<Interrupts> {
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut terminate = signal(SignalKind::terminate())?;
        let received = Arc::new(AtomicI32::new(0));
        let seen = received.clone();
        let task = tokio::spawn(async move {
            let first = tokio::select! {
                _ = interrupt.recv() => SIGINT,
                _ = terminate.recv() => SIGTERM,
            };
            seen.store(first, Ordering::SeqCst);
            cancel.cancel();
            eprintln!(
                "{}: stopping after the page being written; send it again to quit at once",
                name(first)
            );
            let second = tokio::select! {
                _ = interrupt.recv() => SIGINT,
                _ = terminate.recv() => SIGTERM,
            };
            eprintln!("{}: quitting at once", name(second));
            let code = if second == SIGINT {
                exit::INTERRUPTED_SIGINT
            } else {
                exit::INTERRUPTED_SIGTERM
            };
            std::process::exit(i32::from(code));
        });
        Ok(Interrupts { received, task })
    }

    /// The first signal received, if any: `Some((name, exit code))`.
    pub fn received(&self) -> Option<(&'static str, u8)> {
        match self.received.load(Ordering::SeqCst) {
            0 => None,
            SIGINT => Some(("SIGINT", exit::INTERRUPTED_SIGINT)),
            _ => Some(("SIGTERM", exit::INTERRUPTED_SIGTERM)),
        }
    }
}

impl Drop for Interrupts {
    fn drop(&mut self) {
        self.task.abort();
    }
}
