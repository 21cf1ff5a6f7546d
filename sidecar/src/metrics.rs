//! Counters for `GET /metrics`, in the Prometheus text format (version 0.0.4).
//!
//! A handful of counters do not justify a metrics crate: requests by route template and status,
//! a latency histogram, requests in flight, shed requests, connections and failed handshakes.
//! Labels are route templates (`/v1/records/{id}`), never a path with an id in it.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;
use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

/// Requests of one route template by method and status.
type CountsOfRoute = HashMap<(&'static str, u16), AtomicU64>;

/// A request in flight: counted until dropped (see [`Metrics::admit`]).
#[must_use = "the request is counted in flight until this is dropped"]
pub struct InFlight<'a>(&'a AtomicU64);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// The service's counters; shared by every request.
#[derive(Debug, Default)]
pub struct Metrics {
    /// Counts by route template, then by method and status: looked up by `&str`, so counting
    /// a request allocates nothing once its route has been seen, and under a read lock, so
    /// requests on different threads do not wait for each other (only a new combination writes).
    requests: RwLock<HashMap<String, CountsOfRoute>>,
    latency_buckets: [AtomicU64; BUCKETS.len()],
    latency_count: AtomicU64,
    latency_sum_micros: AtomicU64,
    in_flight: AtomicU64,
    shed: AtomicU64,
    connections: AtomicU64,
    handshake_failures: AtomicU64,
}

impl Metrics {
    /// Counts a finished request.
    pub fn request(&self, route: &str, method: &'static str, status: u16, elapsed: Duration) {
        let counted = self.requests.read().is_ok_and(|requests| {
            requests
                .get(route)
                .and_then(|by_route| by_route.get(&(method, status)))
                .map(|count| count.fetch_add(1, Ordering::Relaxed))
                .is_some()
        });
        if !counted && let Ok(mut requests) = self.requests.write() {
            let by_route = match requests.get_mut(route) {
                Some(by_route) => by_route,
                None => requests.entry(route.to_owned()).or_default(),
            };
            by_route
                .entry((method, status))
                .or_default()
                .fetch_add(1, Ordering::Relaxed);
        }
        // One counter per request (the smallest bucket it fits); `render` sums them up into
        // Prometheus' cumulative buckets, so a request costs one atomic add, not twelve.
        let seconds = elapsed.as_secs_f64();
        if let Some(bucket) = BUCKETS.iter().position(|&bound| seconds <= bound) {
            self.latency_buckets[bucket].fetch_add(1, Ordering::Relaxed);
        }
        self.latency_count.fetch_add(1, Ordering::Relaxed);
        self.latency_sum_micros.fetch_add(
            u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
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

    /// The text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str(
            "# HELP bistand_http_requests_total Requests answered, by route template, method and status.\n\
             # TYPE bistand_http_requests_total counter\n",
        );
        if let Ok(requests) = self.requests.read() {
            let sorted: BTreeMap<(&str, &str, u16), u64> = requests
                .iter()
                .flat_map(|(route, counts)| {
                    counts.iter().map(move |(&(method, status), count)| {
                        (
                            (route.as_str(), method, status),
                            count.load(Ordering::Relaxed),
                        )
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
        }
        out.push_str(
            "# HELP bistand_http_request_duration_seconds Time from request head to response.\n\
             # TYPE bistand_http_request_duration_seconds histogram\n",
        );
        let mut cumulative = 0;
        for (bucket, bound) in self.latency_buckets.iter().zip(BUCKETS) {
            cumulative += bucket.load(Ordering::Relaxed);
            let _ = writeln!(
                out,
                "bistand_http_request_duration_seconds_bucket{{le=\"{bound}\"}} {cumulative}"
            );
        }
        let count = self.latency_count.load(Ordering::Relaxed);
        let _ = writeln!(
            out,
            "bistand_http_request_duration_seconds_bucket{{le=\"+Inf\"}} {count}\n\
             bistand_http_request_duration_seconds_sum {}\n\
             bistand_http_request_duration_seconds_count {count}",
            self.latency_sum_micros.load(Ordering::Relaxed) as f64 / 1e6
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
