//! Counters for `GET /metrics`, in the Prometheus text format (version 0.0.4).
//!
//! A handful of counters do not justify a metrics crate: requests by route template and status,
//! a latency histogram, requests in flight, shed requests, connections and failed handshakes,
//! connections closed by the defences of [`crate::connections`] by reason, and requests refused
//! by the per-principal share by role. Labels are route templates (`/v1/records/{id}`), reasons
//! and roles: never a path with an id in it, never a principal's name. The standard
//! `process_*` metrics and the build information come from [`crate::process_metrics`].

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use crate::config::Role;

/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

/// Why the server closed a connection on its own (see [`Metrics::closed`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Closed {
    /// Shed from the full pool of connections that have not authenticated, to make room.
    Unauthenticated,
    /// The TLS handshake did not finish within the handshake timeout.
    HandshakeTimeout,
    /// No request in progress for the idle timeout.
    Idle,
}

impl Closed {
    const ALL: [Closed; 3] = [
        Closed::Unauthenticated,
        Closed::HandshakeTimeout,
        Closed::Idle,
    ];

    /// The `reason` label.
    fn as_str(self) -> &'static str {
        match self {
            Closed::Unauthenticated => "unauthenticated_shed",
            Closed::HandshakeTimeout => "handshake_timeout",
            Closed::Idle => "idle",
        }
    }
}

/// The roles, in the order of [`Metrics`]'s per-role counters.
const ROLES: [Role; 3] = [Role::Caseworker, Role::Analyst, Role::Admin];

/// Requests of one route template by method and status.
type CountsOfRoute = HashMap<(&'static str, u16), u64>;

/// A request in flight: counted until dropped (see [`Metrics::admit`]).
#[must_use = "the request is counted in flight until this is dropped"]
pub struct InFlight<'a>(&'a AtomicU64);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// The service's counters; shared by every request.
///
/// Finished requests are counted in per-thread shards that `render` sums: counters shared by
/// the worker threads moved their cache lines from core to core on every request (a read lock,
/// four atomic adds), which cost more than the counting itself. Each thread takes only its own
/// shard's lock, which no one else takes except a scrape.
#[derive(Debug)]
pub struct Metrics {
    /// Tells this instance's shards from another's in a thread's list (tests run several).
    id: u64,
    shards: Mutex<Vec<Arc<Shard>>>,
    in_flight: AtomicU64,
    shed: AtomicU64,
    connections: AtomicU64,
    handshake_failures: AtomicU64,
    /// By [`Closed::ALL`]'s order.
    closed: [AtomicU64; Closed::ALL.len()],
    /// Requests refused at the per-principal share, by [`ROLES`]' order.
    share_refused: [AtomicU64; ROLES.len()],
}

/// One thread's counts of finished requests.
#[derive(Debug, Default)]
struct Shard(Mutex<Counts>);

#[derive(Debug, Default)]
struct Counts {
    /// By route template, then by method and status: looked up by `&str`, so counting a request
    /// allocates nothing once its route has been seen.
    requests: HashMap<String, CountsOfRoute>,
    /// One count per request, in the smallest bucket it fits; `render` makes them cumulative.
    latency_buckets: [u64; BUCKETS.len()],
    latency_count: u64,
    latency_sum_micros: u64,
}

impl Counts {
    fn add(&mut self, other: &Counts) {
        for (route, counts) in &other.requests {
            let mine = self.requests.entry(route.clone()).or_default();
            for (key, count) in counts {
                *mine.entry(*key).or_default() += count;
            }
        }
        for (mine, theirs) in self.latency_buckets.iter_mut().zip(&other.latency_buckets) {
            *mine += theirs;
        }
        self.latency_count += other.latency_count;
        self.latency_sum_micros += other.latency_sum_micros;
    }
}

impl Default for Metrics {
    fn default() -> Metrics {
        static NEXT_ID: AtomicU64 = AtomicU64::new(0);
        Metrics {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            shards: Mutex::default(),
            in_flight: AtomicU64::default(),
            shed: AtomicU64::default(),
            connections: AtomicU64::default(),
            handshake_failures: AtomicU64::default(),
            closed: Default::default(),
            share_refused: Default::default(),
        }
    }
}

impl Metrics {
    /// Counts a finished request.
    pub fn request(&self, route: &str, method: &'static str, status: u16, elapsed: Duration) {
        self.with_shard(|counts| {
            match counts
                .requests
                .get_mut(route)
                .and_then(|by_route| by_route.get_mut(&(method, status)))
            {
                Some(count) => *count += 1,
                None => {
                    *counts
                        .requests
                        .entry(route.to_owned())
                        .or_default()
                        .entry((method, status))
                        .or_default() += 1;
                }
            }
            let seconds = elapsed.as_secs_f64();
            if let Some(bucket) = BUCKETS.iter().position(|&bound| seconds <= bound) {
                counts.latency_buckets[bucket] += 1;
            }
            counts.latency_count += 1;
            counts.latency_sum_micros = counts
                .latency_sum_micros
                .saturating_add(u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX));
        });
    }

    /// Runs `count` on this thread's shard, creating it on the thread's first request.
    fn with_shard(&self, count: impl FnOnce(&mut Counts)) {
        thread_local! {
            /// This thread's shards, one per `Metrics` it has counted for.
            static SHARDS: RefCell<Vec<(u64, Arc<Shard>)>> = const { RefCell::new(Vec::new()) };
        }
        SHARDS.with(|shards| {
            let mut shards = shards.borrow_mut();
            let shard = match shards.iter().find(|(id, _)| *id == self.id) {
                Some((_, shard)) => shard.clone(),
                None => {
                    // Shards of dropped instances are held only here: let them go.
                    shards.retain(|(_, shard)| Arc::strong_count(shard) > 1);
                    let shard = Arc::new(Shard::default());
                    self.shards
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push(shard.clone());
                    shards.push((self.id, shard.clone()));
                    shard
                }
            };
            drop(shards);
            count(&mut shard.0.lock().unwrap_or_else(PoisonError::into_inner));
        });
    }

    /// Every shard's counts, summed.
    fn totals(&self) -> Counts {
        let shards = self
            .shards
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let mut totals = Counts::default();
        for shard in shards {
            totals.add(&shard.0.lock().unwrap_or_else(PoisonError::into_inner));
        }
        totals
    }

    /// Admits a request and counts it in flight until the returned guard is dropped; `None`
    /// (counted as shed) when `limit` requests are in flight already. Probes pass no limit.
    ///
    /// A counter rather than a semaphore: a request over the limit is refused, never queued, so
    /// there are no waiters to keep, and releasing takes no lock that request threads contend on.
    pub fn admit(&self, limit: Option<usize>) -> Option<InFlight<'_>> {
        let limit = limit.map_or(u64::MAX, |limit| limit as u64);
        let mut current = self.in_flight.load(Ordering::Relaxed);
        loop {
            if current >= limit {
                self.shed.fetch_add(1, Ordering::Relaxed);
                return None;
            }
            match self.in_flight.compare_exchange_weak(
                current,
                current + 1,
                Ordering::AcqRel,
                Ordering::Relaxed,
            ) {
                Ok(_) => return Some(InFlight(&self.in_flight)),
                Err(now) => current = now,
            }
        }
    }

    /// A connection was accepted.
    pub fn connection(&self) {
        self.connections.fetch_add(1, Ordering::Relaxed);
    }

    /// A TLS handshake failed or timed out.
    pub fn handshake_failure(&self) {
        self.handshake_failures.fetch_add(1, Ordering::Relaxed);
    }

    /// The server closed a connection on its own, for `reason`.
    pub fn closed(&self, reason: Closed) {
        let index = Closed::ALL
            .iter()
            .position(|&r| r == reason)
            .expect("every reason is in Closed::ALL");
        self.closed[index].fetch_add(1, Ordering::Relaxed);
    }

    /// A request of a principal of `role` was refused (503) because the principal already held
    /// its share of the concurrency limit.
    pub fn share_refused(&self, role: Role) {
        let index = ROLES
            .iter()
            .position(|&r| r == role)
            .expect("every role is in ROLES");
        self.share_refused[index].fetch_add(1, Ordering::Relaxed);
    }

    /// The text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str(
            "# HELP bistand_http_requests_total Requests answered, by route template, method and status.\n\
             # TYPE bistand_http_requests_total counter\n",
        );
        let totals = self.totals();
        let sorted: BTreeMap<(&str, &str, u16), u64> = totals
            .requests
            .iter()
            .flat_map(|(route, counts)| {
                counts.iter().map(move |(&(method, status), &count)| {
                    ((route.as_str(), method, status), count)
                })
            })
            .collect();
        for ((route, method, status), count) in sorted {
            let _ = writeln!(
                out,
                "bistand_http_requests_total{{route=\"{}\",method=\"{method}\",status=\"{status}\"}} {count}",
                escape(route)
            );
        }
        out.push_str(
            "# HELP bistand_http_request_duration_seconds Time from request head to response.\n\
             # TYPE bistand_http_request_duration_seconds histogram\n",
        );
        let mut cumulative = 0;
        for (bucket, bound) in totals.latency_buckets.iter().zip(BUCKETS) {
            cumulative += bucket;
            let _ = writeln!(
                out,
                "bistand_http_request_duration_seconds_bucket{{le=\"{bound}\"}} {cumulative}"
            );
        }
        let count = totals.latency_count;
        let _ = writeln!(
            out,
            "bistand_http_request_duration_seconds_bucket{{le=\"+Inf\"}} {count}\n\
             bistand_http_request_duration_seconds_sum {}\n\
             bistand_http_request_duration_seconds_count {count}",
            totals.latency_sum_micros as f64 / 1e6
        );
        for (name, help, kind, value) in [
            (
                "bistand_http_requests_in_flight",
                "Requests being processed.",
                "gauge",
                &self.in_flight,
            ),
            (
                "bistand_http_requests_shed_total",
                "Requests refused with 503 at the concurrency limit.",
                "counter",
                &self.shed,
            ),
            (
                "bistand_connections_total",
                "Connections accepted.",
                "counter",
                &self.connections,
            ),
            (
                "bistand_tls_handshake_failures_total",
                "TLS handshakes that failed or timed out.",
                "counter",
                &self.handshake_failures,
            ),
        ] {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {}",
                value.load(Ordering::Relaxed)
            );
        }
        out.push_str(
            "# HELP bistand_connections_closed_total Connections the server closed on its own, by reason: \
             shed from the full pool of unauthenticated ones, TLS handshake timed out, idle.\n\
             # TYPE bistand_connections_closed_total counter\n",
        );
        for (reason, count) in Closed::ALL.iter().zip(&self.closed) {
            let _ = writeln!(
                out,
                "bistand_connections_closed_total{{reason=\"{}\"}} {}",
                reason.as_str(),
                count.load(Ordering::Relaxed)
            );
        }
        out.push_str(
            "# HELP bistand_principal_share_refused_total Requests refused with 503 because their \
             principal held its share of the concurrency limit, by role.\n\
             # TYPE bistand_principal_share_refused_total counter\n",
        );
        for (role, count) in ROLES.iter().zip(&self.share_refused) {
            let _ = writeln!(
                out,
                "bistand_principal_share_refused_total{{role=\"{}\"}} {}",
                role.as_str(),
                count.load(Ordering::Relaxed)
            );
        }
        crate::process_metrics::render(&mut out);
        out
    }
}

fn escape(label: &str) -> String {
    label
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_a_cumulative_histogram() {
        let metrics = Metrics::default();
        metrics.request("/v1/validate", "POST", 200, Duration::from_micros(700));
        metrics.request("/v1/validate", "POST", 200, Duration::from_millis(30));
        let admitted = metrics.admit(Some(1)).expect("under the limit");
        assert!(metrics.admit(Some(1)).is_none(), "at the limit: shed");
        assert!(
            metrics
                .render()
                .contains("bistand_http_requests_in_flight 1")
        );
        drop(admitted);
        assert!(
            metrics.admit(Some(1)).is_some(),
            "room again once the first has finished"
        );
        let text = metrics.render();
        assert!(text.contains(
            "bistand_http_requests_total{route=\"/v1/validate\",method=\"POST\",status=\"200\"} 2"
        ));
        assert!(text.contains("bistand_http_request_duration_seconds_bucket{le=\"0.001\"} 1"));
        assert!(text.contains("bistand_http_request_duration_seconds_bucket{le=\"0.05\"} 2"));
        assert!(text.contains("bistand_http_request_duration_seconds_count 2"));
        assert!(text.contains("bistand_http_requests_shed_total 1"));
        assert!(text.contains("bistand_http_requests_in_flight 0"));
    }

    #[test]
    fn counts_from_many_threads_and_instances_add_up() {
        let metrics = Arc::new(Metrics::default());
        let other = Metrics::default();
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let metrics = metrics.clone();
                std::thread::spawn(move || {
                    for _ in 0..1000 {
                        metrics.request("/v1/validate", "POST", 200, Duration::from_micros(300));
                    }
                    metrics.request("/v1/records/{id}", "GET", 404, Duration::from_secs(2));
                })
            })
            .collect();
        for thread in threads {
            thread.join().expect("thread");
        }
        other.request("/v1/validate", "POST", 200, Duration::from_micros(300));
        let text = metrics.render();
        assert!(text.contains(
            "bistand_http_requests_total{route=\"/v1/validate\",method=\"POST\",status=\"200\"} 4000"
        ));
        assert!(text.contains(
            "bistand_http_requests_total{route=\"/v1/records/{id}\",method=\"GET\",status=\"404\"} 4"
        ));
        assert!(text.contains("bistand_http_request_duration_seconds_bucket{le=\"0.0005\"} 4000"));
        assert!(text.contains("bistand_http_request_duration_seconds_bucket{le=\"5\"} 4004"));
        assert!(text.contains("bistand_http_request_duration_seconds_count 4004"));
        assert!(
            text.contains("bistand_http_request_duration_seconds_sum 9.2\n"),
            "{text}"
        );
        assert!(
            other
                .render()
                .contains("bistand_http_request_duration_seconds_count 1"),
            "another instance keeps its own counts"
        );
    }

    #[test]
    fn probes_are_admitted_past_the_limit_and_counted() {
        let metrics = Metrics::default();
        let _busy = metrics.admit(Some(1)).expect("under the limit");
        assert!(metrics.admit(Some(1)).is_none());
        let probe = metrics.admit(None).expect("no limit for probes");
        assert!(
            metrics
                .render()
                .contains("bistand_http_requests_in_flight 2")
        );
        drop(probe);
    }
}
