//! The one tokio runtime of the module, the fork guard in front of it, and its shutdown when
//! the interpreter exits.
//!
//! The core owns no runtime, so the binding does: one multi-threaded runtime per process,
//! built on first use. Blocking calls (`block_on`) and awaitables (pyo3-async-runtimes, through
//! the [`Rt`] adapter below) both run on it, because sqlx and reqwest pools belong to the
//! runtime that created them.
//!
//! - Fork: tokio's worker threads do not survive `fork()`; a child that inherited a started
//!   runtime would wait forever on threads that are not there. Every entry point goes through
//!   [`handle`], which compares the process id with the one that built the runtime and fails
//!   with `CostLedgerError` (code `FORKED`) instead of hanging.
//! - Exit: pyo3-async-runtimes hands each result back from a blocking-pool thread that takes
//!   the GIL; if the interpreter starts finalising meanwhile, CPython aborts the process. So an
//!   `atexit` hook (registered in `lib.rs`) shuts the runtime down, with the GIL released,
//!   while the interpreter is still whole. Calls after that fail with `CLOSED`.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use pyo3::prelude::*;
use pyo3_async_runtimes::TaskLocals;
use pyo3_async_runtimes::generic::{ContextExt, Runtime as AsyncRuntime};
use tokio::runtime::{Handle, Runtime};
use tokio::task::JoinHandle;

use crate::error;

/// The handle of the runtime and the id of the process that built it.
static HANDLE: OnceLock<(Handle, u32)> = OnceLock::new();
/// The runtime itself, taken out to shut it down at exit.
static RUNTIME: Mutex<Option<Runtime>> = Mutex::new(None);
/// Set once the runtime was shut down.
static SHUT_DOWN: AtomicBool = AtomicBool::new(false);

/// How often a blocking call looks for a pending signal (Ctrl-C) while it waits.
const SIGNAL_CHECK: Duration = Duration::from_millis(50);
/// How long exit waits for calls still running to reach a stopping point.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// The module's runtime, or `FORKED` in a child forked after it started, or `CLOSED` after
/// the interpreter began exiting.
pub(crate) fn handle() -> PyResult<&'static Handle> {
    let (handle, pid) = HANDLE.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .thread_name("costledger")
            .build()
            .expect("costledger: cannot start a tokio runtime");
        let handle = runtime.handle().clone();
        *RUNTIME.lock().unwrap_or_else(|p| p.into_inner()) = Some(runtime);
        (handle, std::process::id())
    });
    if *pid != std::process::id() {
        return Err(error::forked());
    }
    if SHUT_DOWN.load(Ordering::Acquire) {
        return Err(Python::attach(|py| {
            error::to_py(py, costledger::Error::Closed)
        }));
    }
    Ok(handle)
}

/// Run `fut` to completion on the runtime with the GIL released. A signal (Ctrl-C) raised
/// meanwhile is raised in its place: at once, dropping the call, or, for a call that can
/// stop gracefully (`cancel`), after cancelling it and waiting for it to stop at its next
/// safe point; a second signal then raises at once.
pub(crate) fn block_on<T, F>(
    py: Python<'_>,
    fut: F,
    cancel: Option<&costledger::SyncCancel>,
) -> PyResult<T>
where
    F: Future<Output = T> + Send,
    T: Send,
{
    let handle = handle()?;
    py.detach(|| {
        handle.block_on(async {
            tokio::pin!(fut);
            let mut interrupted: Option<PyErr> = None;
            loop {
                tokio::select! {
                    out = &mut fut => return match interrupted {
                        Some(signal) => Err(signal),
                        None => Ok(out),
                    },
                    _ = tokio::time::sleep(SIGNAL_CHECK) => {
                        let Err(signal) = Python::attach(|py| py.check_signals()) else {
                            continue;
                        };
                        match (cancel, interrupted.is_some()) {
                            (Some(cancel), false) => {
                                cancel.cancel();
                                interrupted = Some(signal);
                            }
                            _ => return Err(signal),
                        }
                    }
                }
            }
        })
    })
}

/// Stop the runtime at interpreter exit, letting running calls finish their GIL work first.
#[pyfunction]
pub(crate) fn shutdown(py: Python<'_>) {
    SHUT_DOWN.store(true, Ordering::Release);
    let runtime = RUNTIME.lock().unwrap_or_else(|p| p.into_inner()).take();
    let Some(runtime) = runtime else { return };
    match HANDLE.get() {
        Some((_, pid)) if *pid == std::process::id() => {
            py.detach(|| runtime.shutdown_timeout(SHUTDOWN_GRACE));
        }
        // A forked child: the runtime's threads are the parent's; joining them would hang.
        _ => std::mem::forget(runtime),
    }
}

/// pyo3-async-runtimes' view of the module's runtime.
pub(crate) struct Rt;

tokio::task_local! {
    static TASK_LOCALS: TaskLocals;
}

impl AsyncRuntime for Rt {
    type JoinError = tokio::task::JoinError;
    type JoinHandle = JoinHandle<()>;

    fn spawn<F: Future<Output = ()> + Send + 'static>(fut: F) -> JoinHandle<()> {
        // Entry points checked `handle()` before; a call racing the shutdown is dropped.
        HANDLE.get().expect("runtime started").0.spawn(fut)
    }

    fn spawn_blocking<F: FnOnce() + Send + 'static>(f: F) -> JoinHandle<()> {
        HANDLE.get().expect("runtime started").0.spawn_blocking(f)
    }
}

impl ContextExt for Rt {
    fn scope<F, R>(locals: TaskLocals, fut: F) -> Pin<Box<dyn Future<Output = R> + Send>>
    where
        F: Future<Output = R> + Send + 'static,
    {
        Box::pin(TASK_LOCALS.scope(locals, fut))
    }

    fn get_task_locals() -> Option<TaskLocals> {
        TASK_LOCALS.try_with(|locals| locals.clone()).ok()
    }
}
