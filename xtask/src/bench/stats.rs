//! Series of wall-clock samples and how the report prints them; the median and range are
//! `generator::samples`, which the pipeline bench that took the samples prints too.

/// A series of samples in seconds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Series(pub Vec<f64>);

impl Series {
    pub fn median(&self) -> f64 {
        generator::samples::median(&self.0)
    }

    pub fn min(&self) -> f64 {
        generator::samples::min(&self.0)
    }

    pub fn max(&self) -> f64 {
        generator::samples::max(&self.0)
    }

    /// `f(self[i], other[i])` for samples taken in the same round: a ratio or difference of
    /// two things measured back to back, which cancels the machine's drift between rounds.
    pub fn paired(&self, other: &Series, f: impl Fn(f64, f64) -> f64) -> Series {
        Series(
            self.0
                .iter()
                .zip(&other.0)
                .map(|(a, b)| f(*a, *b))
                .collect(),
        )
    }

    /// `1.51× (1.38–1.66, n=15)`.
    pub fn ratio_cell(&self) -> String {
        if self.is_empty() {
            return "–".into();
        }
        format!(
            "{:.2}× ({:.2}–{:.2}, n={})",
            self.median(),
            self.min(),
            self.max(),
            self.0.len()
        )
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `812 ms (795–831, n=9)`, or seconds above 10 s.
    pub fn cell(&self) -> String {
        if self.is_empty() {
            return "–".into();
        }
        let n = self.0.len();
        if n == 1 {
            return format!("{} (n=1)", duration(self.median()));
        }
        format!(
            "{} ({}–{}, n={n})",
            duration(self.median()),
            duration_bare(self.min(), self.median()),
            duration_bare(self.max(), self.median())
        )
    }
}

/// `812 ms`, `1.43 s`, `0.4 ms`.
pub fn duration(seconds: f64) -> String {
    if seconds.is_nan() {
        "–".into()
    } else if seconds >= 10.0 {
        format!("{seconds:.1} s")
    } else if seconds >= 1.0 {
        format!("{seconds:.2} s")
    } else if seconds >= 0.01 {
        format!("{:.0} ms", seconds * 1e3)
    } else {
        format!("{:.1} ms", seconds * 1e3)
    }
}

/// A spread bound in the median's unit, without the unit.
fn duration_bare(seconds: f64, median: f64) -> String {
    if median >= 10.0 {
        format!("{seconds:.1}")
    } else if median >= 1.0 {
        format!("{seconds:.2}")
    } else if median >= 0.01 {
        format!("{:.0}", seconds * 1e3)
    } else {
        format!("{:.1}", seconds * 1e3)
    }
}

pub fn ratio(numerator: f64, denominator: f64) -> String {
    if numerator.is_nan() || denominator.is_nan() || denominator == 0.0 {
        "–".into()
    } else {
        format!("{:.2}×", numerator / denominator)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_keep_the_medians_unit() {
        assert_eq!(
            Series(vec![0.812, 0.795, 0.831]).cell(),
            "812 ms (795–831, n=3)"
        );
        assert_eq!(Series(vec![1.5]).cell(), "1.50 s (n=1)");
        assert_eq!(ratio(1.0, 4.0), "0.25×");
        let paired = Series(vec![2.0, 3.0]).paired(&Series(vec![1.0, 2.0]), |a, b| a / b);
        assert_eq!(paired.ratio_cell(), "1.75× (1.50–2.00, n=2)");
    }
}
