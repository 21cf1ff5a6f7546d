//! The accept loop's connection budgets: the bounded pool of connections that have not yet
//! authenticated (oldest shed first when it is full), and each connection's record of requests
//! in progress that tells when it has been idle too long.
//!
//! Why two budgets: a connection costs the server a socket and a task from the moment it is
//! accepted, long before it proves who it is. If anonymous connections (a TLS handshake that
//! never finishes, an HTTP/2 preface followed by silence, a bare TCP connection) could take the
//! same slots as authenticated ones, 1,024 of them stopped the server accepting. Anonymous
//! connections therefore get a pool of their own; when it is full, the oldest one is closed to
//! make room, so the accept loop never stops and a new client (a probe, a caller about to
//! authenticate) always gets in. An attacker must keep opening connections faster than the pool
//! turns over to keep anyone out, and each one it opens pushes out one of its own.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

/// Connections not yet authenticated, oldest first, at most `limit` of them.
#[derive(Debug)]
pub(crate) struct Pending {
    limit: usize,
    held: Mutex<Held>,
}

#[derive(Debug, Default)]
struct Held {
    next: u64,
    /// By admission order: the first entry is the oldest.
    by_age: BTreeMap<u64, Arc<Notify>>,
}

impl Pending {
    /// A pool of at most `limit` connections.
    pub(crate) fn new(limit: usize) -> Arc<Pending> {
        Arc::new(Pending {
            limit: limit.max(1),
            held: Mutex::new(Held::default()),
        })
    }

    /// A place for a new connection; when the pool is full, the oldest connection in it is
    /// told to close (see [`PendingSlot::evicted`]). Returns whether one was shed.
    pub(crate) fn admit(self: &Arc<Pending>) -> (PendingSlot, bool) {
        let evicted = Arc::new(Notify::new());
        let mut held = self.lock();
        let id = held.next;
        held.next += 1;
        held.by_age.insert(id, evicted.clone());
        let mut shed = false;
        while held.by_age.len() > self.limit {
            if let Some((_, oldest)) = held.by_age.pop_first() {
                // `notify_one` keeps the signal even if the connection is not waiting yet.
                oldest.notify_one();
                shed = true;
            }
        }
        drop(held);
        (
            PendingSlot {
                pool: self.clone(),
                id,
                evicted,
            },
            shed,
        )
    }

    /// Connections in the pool now.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().by_age.len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Held> {
        // A panic while holding this lock leaves the map consistent (every operation on it is a
        // single insert or remove), so a poisoned lock is still usable.
        self.held
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// A connection's place in the [`Pending`] pool, given back when dropped.
#[derive(Debug)]
pub(crate) struct PendingSlot {
    pool: Arc<Pending>,
    id: u64,
    evicted: Arc<Notify>,
}

impl PendingSlot {
    /// Completes when the pool has shed this connection to make room for a newer one.
    pub(crate) async fn evicted(&self) {
        self.evicted.notified().await;
    }
}

impl Drop for PendingSlot {
    fn drop(&mut self) {
        self.pool.lock().by_age.remove(&self.id);
    }
}

/// The requests in progress on one connection and when the last one ended.
#[derive(Debug)]
pub(crate) struct Activity {
    opened: Instant,
    in_flight: AtomicUsize,
    /// Milliseconds after `opened` at which the connection last became idle.
    idle_since_ms: AtomicU64,
    /// Told when the last request in progress ends.
    idle: Notify,
}

impl Activity {
    pub(crate) fn new() -> Arc<Activity> {
        Arc::new(Activity {
            opened: Instant::now(),
            in_flight: AtomicUsize::new(0),
            idle_since_ms: AtomicU64::new(0),
            idle: Notify::new(),
        })
    }

    /// A request started; it counts until the returned guard is dropped.
    pub(crate) fn request(self: &Arc<Activity>) -> InProgress {
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        InProgress(self.clone())
    }

    /// Completes once the connection has had no request in progress for `timeout`.
    pub(crate) async fn idle_for(&self, timeout: Duration) {
        loop {
            if self.in_flight.load(Ordering::Acquire) > 0 {
                self.idle.notified().await;
                continue;
            }
            let since =
                self.opened + Duration::from_millis(self.idle_since_ms.load(Ordering::Acquire));
            tokio::time::sleep_until((since + timeout).into()).await;
            // A request may have come and gone while this slept: look again.
            let since =
                self.opened + Duration::from_millis(self.idle_since_ms.load(Ordering::Acquire));
            if self.in_flight.load(Ordering::Acquire) == 0 && since.elapsed() >= timeout {
                return;
            }
        }
    }
}

/// A request in progress on a connection (see [`Activity::request`]).
#[derive(Debug)]
pub(crate) struct InProgress(Arc<Activity>);

impl Drop for InProgress {
    fn drop(&mut self) {
        let activity = &self.0;
        let now = u64::try_from(activity.opened.elapsed().as_millis()).unwrap_or(u64::MAX);
        activity.idle_since_ms.store(now, Ordering::Release);
        if activity.in_flight.fetch_sub(1, Ordering::AcqRel) == 1 {
            activity.idle.notify_one();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_full_pool_sheds_its_oldest_connection() {
        let pool = Pending::new(2);
        let (first, shed) = pool.admit();
        assert!(!shed);
        let (second, shed) = pool.admit();
        assert!(!shed);
        let (third, shed) = pool.admit();
        assert!(shed, "the pool holds two");
        assert_eq!(pool.len(), 2);
        tokio::time::timeout(Duration::from_secs(1), first.evicted())
            .await
            .expect("the oldest is told to close");
        assert!(
            tokio::time::timeout(Duration::from_millis(20), second.evicted())
                .await
                .is_err(),
            "the second stays"
        );
        drop(third);
        assert_eq!(pool.len(), 1, "a closed connection gives its place back");
        drop(first);
        assert_eq!(pool.len(), 1, "a shed connection had already left");
    }

    #[tokio::test]
    async fn a_connection_is_idle_only_with_no_request_for_the_whole_timeout() {
        let activity = Activity::new();
        let timeout = Duration::from_millis(100);
        let started = Instant::now();
        let request = activity.request();
        let idle = tokio::spawn({
            let activity = activity.clone();
            async move { activity.idle_for(timeout).await }
        });
        tokio::time::sleep(Duration::from_millis(150)).await;
        assert!(!idle.is_finished(), "a request in progress is not idle");
        drop(request);
        tokio::time::timeout(Duration::from_secs(2), idle)
            .await
            .expect("idle after the timeout")
            .expect("task");
        assert!(started.elapsed() >= Duration::from_millis(250));
    }
}
