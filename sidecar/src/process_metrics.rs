//! The standard `process_*` metrics and `bistand_build_info`, for `GET /metrics`.
//!
//! Prometheus client libraries export these names for every process (CPU seconds, resident and
//! virtual memory, open and maximum file descriptors, start time), and dashboards and alerts for
//! "is it leaking, is it near its file limit, did it restart" are written against them. Read from
//! `/proc` at scrape time (Linux); on a system without `/proc` they are left out, not made up.

use std::fmt::Write;

/// The kernel's `USER_HZ`, in which `/proc` reports CPU time: 100 on every Linux this runs on.
const USER_HZ: f64 = 100.0;

/// Appends `bistand_build_info` and, where `/proc` can be read, the `process_*` metrics.
pub(crate) fn render(out: &mut String) {
    let _ = writeln!(
        out,
        "# HELP bistand_build_info The running build: version and target.\n\
         # TYPE bistand_build_info gauge\n\
         bistand_build_info{{version=\"{}\",target_os=\"{}\",target_arch=\"{}\"}} 1",
        env!("CARGO_PKG_VERSION"),
        std::env::consts::OS,
        std::env::consts::ARCH,
    );
    if let Some(process) = Process::read() {
        process.render(out);
    }
}

/// One reading of this process's figures.
#[derive(Debug, PartialEq)]
struct Process {
    cpu_seconds: f64,
    resident_bytes: u64,
    virtual_bytes: u64,
    open_fds: u64,
    max_fds: Option<u64>,
    start_time_seconds: Option<f64>,
}

impl Process {
    fn read() -> Option<Process> {
        let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        let fields = stat_fields(&stat)?;
        let ticks = |n: usize| fields.get(n).and_then(|f| f.parse::<u64>().ok());
        let cpu_seconds = (ticks(13)? + ticks(14)?) as f64 / USER_HZ;
        let boot_time = std::fs::read_to_string("/proc/stat")
            .ok()
            .and_then(|text| boot_time_seconds(&text));
        let start_time_seconds = ticks(21)
            .zip(boot_time)
            .map(|(since_boot, boot)| boot as f64 + since_boot as f64 / USER_HZ);
        let open_fds = std::fs::read_dir("/proc/self/fd").ok()?.count() as u64;
        let max_fds = std::fs::read_to_string("/proc/self/limits")
            .ok()
            .and_then(|text| max_open_files(&text));
        Some(Process {
            cpu_seconds,
            resident_bytes: status_kib(&status, "VmRSS:")? * 1024,
            virtual_bytes: status_kib(&status, "VmSize:")? * 1024,
            open_fds,
            max_fds,
            start_time_seconds,
        })
    }

    fn render(&self, out: &mut String) {
        let mut metric = |name: &str, help: &str, kind: &str, value: String| {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}"
            );
        };
        metric(
            "process_cpu_seconds_total",
            "Total user and system CPU time spent in seconds.",
            "counter",
            self.cpu_seconds.to_string(),
        );
        metric(
            "process_resident_memory_bytes",
            "Resident memory size in bytes.",
            "gauge",
            self.resident_bytes.to_string(),
        );
        metric(
            "process_virtual_memory_bytes",
            "Virtual memory size in bytes.",
            "gauge",
            self.virtual_bytes.to_string(),
        );
        metric(
            "process_open_fds",
            "Number of open file descriptors.",
            "gauge",
            self.open_fds.to_string(),
        );
        if let Some(max) = self.max_fds {
            metric(
                "process_max_fds",
                "Maximum number of open file descriptors.",
                "gauge",
                max.to_string(),
            );
        }
        if let Some(start) = self.start_time_seconds {
            metric(
                "process_start_time_seconds",
                "Start time of the process since unix epoch in seconds.",
                "gauge",
                start.to_string(),
            );
        }
    }
}

/// The fields of `/proc/self/stat`, indexed so that `fields[n]` is field `n + 1` of `proc(5)`
/// (utime, field 14, at 13). The command name (field 2) is in parentheses and may itself hold
/// spaces and parentheses, so the fields are split after its last `)`; pid and name are left
/// empty.
fn stat_fields(stat: &str) -> Option<Vec<&str>> {
    let after_name = &stat[stat.rfind(')')? + 1..];
    let mut fields = vec![""; 2];
    fields.extend(after_name.split_whitespace());
    Some(fields)
}

fn status_kib(status: &str, key: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|line| line.strip_prefix(key))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
}

fn boot_time_seconds(stat: &str) -> Option<u64> {
    stat.lines()
        .find_map(|line| line.strip_prefix("btime "))
        .and_then(|n| n.trim().parse().ok())
}

fn max_open_files(limits: &str) -> Option<u64> {
    limits
        .lines()
        .find(|line| line.starts_with("Max open files"))
        .and_then(|line| line.split_whitespace().nth(3))
        .and_then(|soft| soft.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_fields_survive_a_command_name_with_spaces_and_parentheses() {
        let stat = "4242 (bistand (x) y) S 1 4242 4242 0 -1 4194560 500 0 0 0 250 50 0 0 20 0 9 0 \
                    123456 1000000 2000 18446744073709551615";
        let fields = stat_fields(stat).expect("parsed");
        assert_eq!(fields[2], "S");
        assert_eq!(fields[13], "250", "utime");
        assert_eq!(fields[14], "50", "stime");
        assert_eq!(fields[21], "123456", "starttime");
    }

    #[test]
    fn limits_and_boot_time_are_read_from_their_files_text() {
        let limits = "Limit                     Soft Limit           Hard Limit           Units     \n\
                      Max open files            65536                524288               files     \n";
        assert_eq!(max_open_files(limits), Some(65536));
        assert_eq!(
            boot_time_seconds("cpu  1 2 3\nbtime 1764547200\n"),
            Some(1_764_547_200)
        );
        assert_eq!(
            status_kib("Name:\tbistand\nVmRSS:\t   10240 kB\n", "VmRSS:"),
            Some(10240)
        );
    }

    #[test]
    fn this_process_is_measured() {
        let mut out = String::new();
        render(&mut out);
        assert!(out.contains(&format!(
            "bistand_build_info{{version=\"{}\"",
            env!("CARGO_PKG_VERSION")
        )));
        let value = |name: &str| -> f64 {
            out.lines()
                .find_map(|line| line.strip_prefix(&format!("{name} ")))
                .unwrap_or_else(|| panic!("{name} in {out}"))
                .parse()
                .expect("a number")
        };
        assert!(value("process_resident_memory_bytes") > 1e6);
        assert!(value("process_virtual_memory_bytes") >= value("process_resident_memory_bytes"));
        assert!(value("process_open_fds") >= 3.0);
        assert!(value("process_max_fds") >= value("process_open_fds"));
        assert!(value("process_cpu_seconds_total") >= 0.0);
        let start = value("process_start_time_seconds");
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("after 1970")
            .as_secs_f64();
        assert!(
            start <= now + 1.0 && start > now - 86_400.0,
            "started {start}, now {now}"
        );
    }
}
