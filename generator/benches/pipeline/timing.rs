//! Wall-clock samples: each measured quantity is a list of seconds, one per run; the report
//! (`cargo xtask bench`) turns them into medians and spreads.

use generator::samples::{max, median, min};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::Instant;

/// Runs `f` once and returns its result with the seconds it took.
pub fn timed<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let started = Instant::now();
    let value = f();
    (value, started.elapsed().as_secs_f64())
}

/// Named series of samples, in insertion order of their names' first sample.
#[derive(Default)]
pub struct Samples {
    series: BTreeMap<String, Vec<f64>>,
    order: Vec<String>,
}

impl Samples {
    pub fn push(&mut self, name: &str, seconds: f64) {
        if !self.series.contains_key(name) {
            self.order.push(name.to_string());
        }
        self.series
            .entry(name.to_string())
            .or_default()
            .push(seconds);
    }

    pub fn get(&self, name: &str) -> &[f64] {
        self.series.get(name).map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn to_json(&self) -> Value {
        let mut map = serde_json::Map::new();
        for name in &self.order {
            map.insert(name.clone(), json!(self.series[name]));
        }
        Value::Object(map)
    }

    /// One line per series: median and range, for the console.
    pub fn summary(&self) -> String {
        let mut text = String::new();
        for name in &self.order {
            let s = &self.series[name];
            text.push_str(&format!(
                "  {name:<44} median {:>9.1} ms  [{:.1} – {:.1}]  n={}\n",
                median(s) * 1e3,
                min(s) * 1e3,
                max(s) * 1e3,
                s.len()
            ));
        }
        text
    }
}
